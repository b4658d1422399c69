import type { Metadata } from 'next';
import { stringify } from 'yaml';
import { applyAction } from '@/app/actions/yaml';
import { YamlEditor } from '@/components/YamlEditor';
import { ErrorNote, PageHead } from '@/components/ui';
import { get } from '@/lib/api';
import { nsPath } from '@/lib/k8s';

export const metadata: Metadata = { title: 'YAML' };

const KINDS: Record<string, { group: string; plural: string; apiVersion: string }> = {
  Deployment: { group: 'apps', plural: 'deployments', apiVersion: 'apps/v1' },
  Service: { group: '', plural: 'services', apiVersion: 'v1' },
  ConfigMap: { group: '', plural: 'configmaps', apiVersion: 'v1' },
  Secret: { group: '', plural: 'secrets', apiVersion: 'v1' },
  Job: { group: 'batch', plural: 'jobs', apiVersion: 'batch/v1' },
  Pod: { group: '', plural: 'pods', apiVersion: 'v1' },
};

const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
`;

export default async function Yaml({ params, searchParams }: { params: Promise<{ ns: string }>; searchParams: Promise<{ kind?: string; name?: string }> }) {
  const { ns } = await params;
  const q = await searchParams;
  let initial = TEMPLATE;
  let error: string | undefined;
  const k = q.kind ? KINDS[q.kind] : undefined;
  if (k && q.name) {
    const r = await get<Record<string, unknown> & { metadata: Record<string, unknown> }>(nsPath(k.group, k.plural, ns, q.name));
    if (r.ok && r.data) {
      const o = r.data;
      // What apply should own: no server-managed fields, no status.
      for (const f of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink']) delete o.metadata[f];
      delete o.status;
      initial = stringify({ apiVersion: k.apiVersion, kind: q.kind, ...o });
    } else error = r.error?.message;
  }
  return (
    <>
      <PageHead
        title={q.name ? `Edit ${q.kind} ${q.name}` : 'Apply YAML'}
        sub={`Server-side apply into ${ns} as you (field manager flotilla-portal). Problems point at their line.`}
      />
      {error && <ErrorNote>{error}</ErrorNote>}
      <YamlEditor action={applyAction.bind(null, ns)} initial={initial} />
    </>
  );
}
