// Every Docker object name and host path the agent derives from tenant input must be injective (two
// (namespace, name) pairs never share one: issue 14, `a`/`x-data` vs `a-x`/`data`) and valid for Docker.
import {
  MAX_VOLUME_NAME,
  PREVIOUS_SUFFIX,
  SANDBOX_NAME,
  containerName,
  legacyContainerName,
  namespaceNetworkName,
  podVolumeName,
  pvcVolumeName,
  type PodRef,
} from '@flotilla/runtime';
import { poolName } from './services-plan';
import { serviceProxyContainerName, serviceProxyDirName } from './services-proxy';

/** Docker's rule for container, volume and network names. */
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** A file name (the agent's data directory, Docker's volume directory). */
const MAX_FILE_NAME = 255;

const label63 = 'a'.repeat(30) + '-' + 'b'.repeat(32);
const subdomain253 = [label63, label63, label63, 'c'.repeat(61)].join('.');
/** DNS labels (namespaces, containers, volumes, Services) chosen to collide under a naive `-` or `.` join. */
const labels = ['a', 'x', 'a-x', 'x-data', 'data', 'a-x-data', 'pvc', 'ns', 'svc', 'prev', 'pod', label63, label63.slice(0, 62) + 'x'];
/** DNS subdomains (pods, claims): the labels plus dotted and maximal names. */
const subdomains = [...labels, 'a.x', 'x.data', 'a.x-data', 'a-x.data', 'data.a', subdomain253, subdomain253.slice(0, 252) + 'd'];
const nodes = ['n1', 'node.a', 'node-a', subdomain253];
/** Uids chosen to share prefixes: the 8-digit prefix of earlier container names, and all but the last digit. */
const uids = [
  '0f0e0d0c-0000-4000-8000-000000000001',
  '1f0e0d0c-0000-4000-8000-000000000001',
  'aaaaaaaa-0000-4000-8000-000000000001',
  'aaaaaaaa-0000-4000-8000-000000000002',
  'aaaaaaaa-1111-4000-8000-000000000001',
];

/** Fails on the first derived name two different inputs share, or an invalid one; returns how many names were checked. */
function injective(kind: string, pairs: Iterable<[string, string]>, valid: (name: string) => boolean): number {
  const seen = new Map<string, string>();
  for (const [input, name] of pairs) {
    if (!valid(name)) throw new Error(`${kind}: "${name}" (from ${input}) is not valid`);
    const prior = seen.get(name);
    if (prior !== undefined && prior !== input) throw new Error(`${kind}: ${prior} and ${input} both map to "${name}"`);
    seen.set(name, input);
  }
  return seen.size;
}

function* product<A, B>(as: readonly A[], bs: readonly B[]): Generator<[A, B]> {
  for (const a of as) for (const b of bs) yield [a, b];
}

describe('host object names derived from tenant input', () => {
  it('containers of pods (and their kept previous instances) and service proxies never share a name', () => {
    function* names(): Generator<[string, string]> {
      for (const [ns, pod] of product(labels, subdomains)) {
        for (const uid of uids) {
          const ref: PodRef = { namespace: ns, name: pod, uid };
          for (const c of [SANDBOX_NAME, 'app', 'x-data', label63]) {
            const input = `pod ${ns}/${pod} (${uid}) container ${c}`;
            yield [input, containerName(ref, c)];
            yield [`${input} previous`, `${containerName(ref, c)}${PREVIOUS_SUFFIX}`];
          }
        }
      }
      for (const [[ns, svc], node] of product([...product(labels, labels)], nodes))
        yield [`service ${ns}/${svc} on ${node}`, serviceProxyContainerName(ns, svc, node)];
    }
    expect(injective('container', names(), (n) => DOCKER_NAME.test(n))).toBeGreaterThan(5_000);
  });

  it('two pods of one namespace and name get distinct containers even when their uids share the first 8 hex digits', () => {
    const a: PodRef = { namespace: 'a', name: 'web', uid: 'aaaaaaaa-0000-4000-8000-000000000001' };
    const b: PodRef = { ...a, uid: 'aaaaaaaa-ffff-4000-8000-000000000001' };
    expect(containerName(a, 'app')).not.toBe(containerName(b, 'app'));
    // The scheme earlier agents used does collide: those containers are found by their labels, not by name.
    expect(legacyContainerName(a, 'app')).toBe(legacyContainerName(b, 'app'));
    expect(containerName(a, 'app')).toBe('flotilla_a_web_app_aaaaaaaa000040008000000000000001');
    expect(legacyContainerName(a, 'app')).toBe('flotilla_a_web_app_aaaaaaaa');
  });

  it("claim volumes and pod volumes never share a name, and fit Docker's 255-byte volume directory", () => {
    function* names(): Generator<[string, string]> {
      for (const [ns, claim] of product(labels, subdomains)) yield [`claim ${ns}/${claim}`, pvcVolumeName(ns, claim)];
      for (const [uid, vol] of product(uids, labels)) yield [`pod ${uid} volume ${vol}`, podVolumeName({ namespace: 'a', name: 'p', uid }, vol)];
    }
    expect(injective('volume', names(), (n) => DOCKER_NAME.test(n) && Buffer.byteLength(n) <= MAX_VOLUME_NAME)).toBeGreaterThan(200);
    expect(pvcVolumeName('a', 'x-data')).not.toBe(pvcVolumeName('a-x', 'data'));
    // Short names keep the form existing volumes were created with.
    expect(pvcVolumeName('a', 'data')).toBe('flotilla-pvc_a_data');
    // A claim name no claim can have (admission lets any claimName through) still makes a name Docker takes.
    for (const claim of ['\u202e\u200b\ufeff', 'x_y', '../etc', ' ', 'Ü'])
      expect({ claim, ok: DOCKER_NAME.test(pvcVolumeName('a', claim)) }).toEqual({ claim, ok: true });
    expect(pvcVolumeName('a', 'x_y')).not.toBe(pvcVolumeName('a', 'x-y'));
  });

  it('namespace networks, service proxy directories and ingress pools are one per namespace or Service', () => {
    expect(
      injective(
        'network',
        labels.map((ns) => [ns, namespaceNetworkName('flotilla', ns)]),
        (n) => DOCKER_NAME.test(n),
      ),
    ).toBe(labels.length);
    const dirs = [...product(labels, labels)].map(([ns, svc]): [string, string] => [`${ns}/${svc}`, serviceProxyDirName(ns, svc)]);
    expect(injective('proxy directory', dirs, (n) => n.length <= MAX_FILE_NAME && !n.includes('/') && n !== '.' && n !== '..')).toBe(dirs.length);
    const pools = [...product(labels, labels)].flatMap(([ns, svc]) =>
      [80, 8080].map((port): [string, string] => [`${ns}/${svc}:${port}`, poolName(ns, svc, port)]),
    );
    expect(injective('ingress pool', pools, (n) => n.length > 0)).toBe(pools.length);
    const hosts = [...product(labels, labels)].map(([ns, svc]): [string, string] => [`${ns}/${svc}`, `${svc}.${ns}.flotilla.localhost`]);
    expect(injective('ingress host', hosts, (n) => n.length > 0)).toBe(hosts.length);
  });

  it('the checker itself catches the old `-` join', () => {
    const old = [...product(labels, subdomains)].map(([ns, claim]): [string, string] => [`${ns}/${claim}`, `flotilla-pvc-${ns}-${claim}`]);
    expect(() => injective('old volume', old, () => true)).toThrow(/a\/x-data and a-x\/data|a-x\/data and a\/x-data/);
  });
});
