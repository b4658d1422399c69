import type { Metadata } from 'next';
import Link from 'next/link';
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

/** A starting point per kind for a new object (what "New" links open). */
const TEMPLATES: Record<string, string> = {
  Deployment: `apiVersion: apps/v1
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
`,
  Service: `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports:
    - port: 80
      targetPort: 80
`,
  ConfigMap: `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  GREETING: hello
`,
  Secret: `apiVersion: v1
kind: Secret
metadata:
  name: credentials
type: Opaque
stringData:
  PASSWORD: change-me
`,
  Job: `apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: once
          image: busybox
          command: [sh, -c, 'echo done']
`,
};

export default async function Yaml({ params, searchParams }: { params: Promise<{ ns: string }>; searchParams: Promise<{ kind?: string; name?: string }> }) {
  const { ns } = await params;
  const q = await searchParams;
  let initial = TEMPLATES[q.kind ?? ''] ?? TEMPLATES.Deployment;
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
      {!q.name && (
        <p className="sub">
          Start from:{' '}
          {Object.keys(TEMPLATES).map((kind, i) => (
            <span key={kind}>
              {i > 0 && ' · '}
              <Link href={`/ns/${encodeURIComponent(ns)}/yaml?kind=${kind}`} aria-current={(q.kind ?? 'Deployment') === kind ? 'page' : undefined}>
                {kind}
              </Link>
            </span>
          ))}
        </p>
      )}
      <YamlEditor key={`${q.kind ?? ''}/${q.name ?? ''}`} action={applyAction.bind(null, ns)} initial={initial} />
    </>
  );
}
