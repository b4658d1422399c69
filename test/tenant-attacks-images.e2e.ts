// Image references as an attack on the node: a reference outside Docker's grammar (`../../etc/passwd`,
// `..//127.0.0.1:PORT/probe`) once made the agent's Docker client follow a redirect off the engine and
// crash. Admission must refuse each one with 422 naming the field, and nothing may reach a local listener.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { KubeObject } from '@flotilla/resources';
import { AttackCluster, startAttackCluster } from './support/attacks';

jest.setTimeout(180_000);

let c: AttackCluster;
let listener: Server;
let hits = 0;
const sockets = new Set<Socket>();
let port = 0;

beforeAll(async () => {
  listener = createServer((s) => {
    hits++;
    sockets.add(s);
    s.destroy();
  });
  await new Promise<void>((ok) => listener.listen(0, '127.0.0.1', ok));
  port = (listener.address() as AddressInfo).port;
  c = await startAttackCluster('img');
});

afterAll(async () => {
  await c?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((ok) => listener?.close(ok));
});

const hostile = (): string[] => [
  '../../etc/passwd',
  `..//127.0.0.1:${port}/probe`,
  'a/../../b',
  'UPPER/Case',
  '%2e%2e/x',
  'a'.repeat(300),
  'with space',
  'new\nline',
  'x?y=1',
  'x#frag',
];

function pod(name: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image }] },
  } as KubeObject;
}

function deployment(name: string, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { initContainers: [{ name: 'i', image }], containers: [{ name: 'c', image: 'flotilla/busybox:1' }] },
      },
    },
  } as KubeObject;
}

describe('image references from a namespace editor', () => {
  it('are refused by kubectl run (by kubectl itself, or by the API with the field named)', async () => {
    for (const image of ['../../etc/passwd', `..//127.0.0.1:${port}/probe`, 'a/../../b', 'Upper']) {
      const r = c.kubectl(['run', 'x', `--image=${image}`, '--restart=Never']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/spec\.containers\[0\]\.image|invalid reference format/);
    }
    expect(hits).toBe(0);
    await c.assertIntact();
  });

  it('are refused by the API in Pods and pod templates with 422 Invalid naming the field', async () => {
    for (const [i, image] of hostile().entries()) {
      const p = await c.api('POST', `/api/v1/namespaces/${c.ns}/pods`, pod(`p${i}`, image));
      expect(p.status).toBe(422);
      const s = p.json();
      expect(s.kind).toBe('Status');
      expect(s.reason).toBe('Invalid');
      expect(JSON.stringify(s.details)).toContain('spec.containers[0].image');

      const d = await c.api('POST', `/apis/apps/v1/namespaces/${c.ns}/deployments`, deployment(`d${i}`, image));
      expect(d.status).toBe(422);
      expect(JSON.stringify(d.json().details)).toContain('spec.template.spec.initContainers[0].image');
    }
    expect(hits).toBe(0);
    await c.assertIntact();
  });

  it('a valid reference is still admitted', async () => {
    const p = await c.api('POST', `/api/v1/namespaces/${c.ns}/pods?dryRun=All`, pod('ok', 'flotilla/busybox:1'));
    expect(p.status).toBeLessThan(300);
  });
});
