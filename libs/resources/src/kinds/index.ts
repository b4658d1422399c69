// The one list of served kinds, in discovery order. Adding a kind is adding its module here; the
// registry, schemas, validation, defaults, tables, OpenAPI, protobuf, the store's lifecycle, admission
// and the controller all read this list.
import { deploymentKind } from './apps/deployment';
import { replicaSetKind } from './apps/replicaset';
import { cronJobKind } from './batch/cronjob';
import { jobKind } from './batch/job';
import { leaseKind } from './coordination/lease';
import { configMapKind } from './core/configmap';
import { endpointsKind } from './core/endpoints';
import { eventKind } from './core/event';
import { limitRangeKind } from './core/limitrange';
import { namespaceKind } from './core/namespace';
import { nodeKind } from './core/node';
import { persistentVolumeClaimKind } from './core/persistentvolumeclaim';
import { podKind } from './core/pod';
import { resourceQuotaKind } from './core/resourcequota';
import { secretKind } from './core/secret';
import { serviceKind } from './core/service';
import { serviceAccountKind } from './core/serviceaccount';
import type { KindModule } from './kind-module';
import { ingressKind } from './networking/ingress';
import { clusterRoleKind } from './rbac/clusterrole';
import { clusterRoleBindingKind } from './rbac/clusterrolebinding';
import { roleKind } from './rbac/role';
import { roleBindingKind } from './rbac/rolebinding';

export const kindModules: readonly KindModule[] = [
  namespaceKind,
  podKind,
  serviceKind,
  endpointsKind,
  configMapKind,
  secretKind,
  nodeKind,
  eventKind,
  resourceQuotaKind,
  limitRangeKind,
  serviceAccountKind,
  persistentVolumeClaimKind,
  deploymentKind,
  replicaSetKind,
  jobKind,
  cronJobKind,
  leaseKind,
  ingressKind,
  roleKind,
  roleBindingKind,
  clusterRoleKind,
  clusterRoleBindingKind,
];
