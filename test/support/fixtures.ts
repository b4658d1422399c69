// Small builders for test objects, so each test says only what matters to it.
import { randomBytes } from 'node:crypto';
import type { KubeObject, ResourceType } from '@flotilla/resources';

// The generator lives with the resources lib's specs, which may not import from test/.
export { seededRandom } from '../../libs/resources/src/testing/random';

/** A unique, DNS-safe name for what one test creates (cleaned up by prefix). */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const configMapType: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  categories: [],
  verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
  subresources: [],
  selectableFields: [],
  hasSpec: false,
  hasStatus: false,
};

export const deploymentLikeType: ResourceType = {
  ...configMapType,
  group: 'apps',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  subresources: ['status', 'scale'],
  hasSpec: true,
  hasStatus: true,
};

export function configMap(name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}
