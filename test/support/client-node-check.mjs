// Runs the official Kubernetes JavaScript client (an ES module) against a kubeconfig and prints what
// it saw as one JSON line; test/client-node.e2e.ts asserts on it.
// Usage: node client-node-check.mjs <kubeconfig> <namespace> <other-ca-pem-file>
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';

const [kubeconfig, ns, otherCaFile] = process.argv.slice(2);
const out = {};
const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);
const cluster = kc.getCurrentCluster();
out.cluster = { server: cluster?.server, hasCa: Boolean(cluster?.caData), skipTLSVerify: Boolean(cluster?.skipTLSVerify) };

const core = kc.makeApiClient(k8s.CoreV1Api);
await core.createNamespace({ body: { metadata: { name: ns } } });
out.namespaces = (await core.listNamespace()).items.map((n) => n.metadata?.name);

const seen = [];
const watch = new k8s.Watch(kc);
let abort;
const done = new Promise((resolve) => {
  watch
    .watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      {},
      (type, obj) => {
        seen.push(`${type} ${obj.metadata?.name}`);
        if (seen.length >= 2) resolve();
      },
      () => resolve(),
    )
    .then((req) => (abort = req));
});
await new Promise((r) => setTimeout(r, 500));
await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'from-js' }, data: { a: '1' } } });
await core.deleteNamespacedConfigMap({ namespace: ns, name: 'from-js' });
await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
abort?.abort();
out.watched = seen;

const apps = kc.makeApiClient(k8s.AppsV1Api);
const d = await apps.createNamespacedDeployment({
  namespace: ns,
  body: {
    metadata: { name: 'js-web' },
    spec: {
      selector: { matchLabels: { app: 'js' } },
      template: { metadata: { labels: { app: 'js' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  },
});
out.deployment = { uid: d.metadata?.uid, replicas: d.spec?.replicas };
await apps.deleteNamespacedDeployment({ namespace: ns, name: 'js-web' });
try {
  await apps.readNamespacedDeployment({ namespace: ns, name: 'js-web' });
  out.afterDelete = 'still there';
} catch (err) {
  out.afterDelete = err.code;
}

const other = new k8s.KubeConfig();
other.loadFromOptions({
  clusters: [{ name: 'c', server: cluster.server, caData: Buffer.from(readFileSync(otherCaFile)).toString('base64') }],
  users: [{ name: 'u', token: kc.getCurrentUser()?.token }],
  contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
  currentContext: 'x',
});
try {
  await other.makeApiClient(k8s.CoreV1Api).listNamespace();
  out.otherCa = 'accepted';
} catch (err) {
  // 2.x speaks fetch: the TLS refusal is the cause of a generic "fetch failed".
  out.otherCa = [err.message ?? err, err.cause?.code, err.cause?.message].filter(Boolean).join(': ');
}
process.stdout.write(`${JSON.stringify(out)}\n`);
