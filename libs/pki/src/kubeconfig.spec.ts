import { createCa } from './certificates';
import { buildKubeconfig, yamlQuote } from './kubeconfig';
import { KeyPairPem } from './keys';
import { makeTempDir, run } from './testing/support';

interface KubectlConfigView {
  'current-context': string;
  clusters: {
    name: string;
    cluster: {
      server: string;
      'certificate-authority-data': string;
      'insecure-skip-tls-verify'?: boolean;
    };
  }[];
  users: { name: string; user: { token: string } }[];
  contexts: {
    name: string;
    context: { cluster: string; user: string; namespace?: string };
  }[];
}

describe('buildKubeconfig', () => {
  let ca: KeyPairPem;
  const tmp = makeTempDir();
  beforeAll(async () => {
    ca = await createCa();
  });
  afterAll(() => tmp.remove());

  it('writes the cluster, user and context as quoted YAML lines, without any insecure flag', () => {
    const text = buildKubeconfig({
      server: 'https://127.0.0.1:6443',
      caCertPem: ca.certPem,
      user: 'alice',
      token: 'abc.def',
      namespace: 'team-a',
    });
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'apiVersion: v1',
        'kind: Config',
        '    server: "https://127.0.0.1:6443"',
        `    certificate-authority-data: "${Buffer.from(ca.certPem).toString('base64')}"`,
        '    token: "abc.def"',
        '- name: "alice@flotilla"',
        '    cluster: "flotilla"',
        '    namespace: "team-a"',
        'current-context: "alice@flotilla"',
      ]),
    );
    expect(text).not.toMatch(/insecure/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('leaves namespace out when none is given', () => {
    const text = buildKubeconfig({
      server: 'https://h:1',
      caCertPem: ca.certPem,
      user: 'u',
      token: 't',
      contextName: 'ctx',
    });
    expect(text).not.toMatch(/namespace:/);
    expect(text).toMatch(/^current-context: "ctx"$/m);
  });

  it('round-trips through the real kubectl, awkward values included', () => {
    const token = 'flt_"quoted"\\back: #not-a-comment\u2028 yes';
    const text = buildKubeconfig({
      server: 'https://[::1]:6443',
      caCertPem: ca.certPem,
      user: '- dash: user',
      token,
      clusterName: '*anchor',
      contextName: 'no',
      namespace: '0123',
    });
    const file = tmp.file('kubeconfig', text);
    const view = JSON.parse(run('/usr/bin/kubectl', ['--kubeconfig', file, 'config', 'view', '--raw', '-o', 'json']).toString()) as KubectlConfigView;
    expect(view['current-context']).toBe('no');
    expect(view.clusters).toHaveLength(1);
    expect(view.clusters[0]?.name).toBe('*anchor');
    expect(view.clusters[0]?.cluster.server).toBe('https://[::1]:6443');
    expect(Buffer.from(view.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString()).toBe(ca.certPem);
    expect(view.clusters[0]?.cluster['insecure-skip-tls-verify']).toBeUndefined();
    expect(view.users[0]).toEqual({ name: '- dash: user', user: { token } });
    expect(view.contexts[0]).toEqual({
      name: 'no',
      context: { cluster: '*anchor', user: '- dash: user', namespace: '0123' },
    });
  });

  it('refuses plain http, empty credentials and a CA that is not a certificate', () => {
    const ok = {
      server: 'https://h:1',
      caCertPem: ca.certPem,
      user: 'u',
      token: 't',
    };
    expect(() => buildKubeconfig({ ...ok, server: 'http://h:1' })).toThrow(/must use https/);
    expect(() => buildKubeconfig({ ...ok, server: 'h:1:2' })).toThrow(/must use https|not a URL/);
    expect(() => buildKubeconfig({ ...ok, token: '' })).toThrow(/token must not be empty/);
    expect(() => buildKubeconfig({ ...ok, caCertPem: 'nope' })).toThrow(/not a PEM X.509 certificate/);
  });
});

describe('yamlQuote', () => {
  it('escapes quotes, backslashes and unprintable characters', () => {
    expect(yamlQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(yamlQuote('x\ny\u0001\u2028')).toBe('"x\\ny\\u0001\\u2028"');
    expect(yamlQuote('ünïcode')).toBe('"ünïcode"');
    expect(() => yamlQuote('\ud800')).toThrow(/lone UTF-16 surrogate/);
  });
});
