import { ConfigError, loadConfig } from './config';

const base = { FLOTILLA_API_URL: 'https://127.0.0.1:6443/', FLOTILLA_NODE_TOKEN: 't', FLOTILLA_CA_FILE: '/ca.crt', FLOTILLA_NODE_NAME: 'n1' };

describe('the agent configuration', () => {
  it('reads the defaults', () => {
    const c = loadConfig(base);
    expect(c.apiUrl).toBe('https://127.0.0.1:6443');
    expect(c.syncConcurrency).toBe(8);
    expect(c.leaseSeconds).toBe(2);
    expect(c.ingressHttp).toEqual({ host: '127.0.0.1', port: 8080 });
  });

  it('refuses a plain-HTTP API, saying why', () => {
    expect(() => loadConfig({ ...base, FLOTILLA_API_URL: 'http://127.0.0.1:6443' })).toThrow(
      new ConfigError('FLOTILLA_API_URL must be a URL starting with https:// (the agent never sends its token over plain HTTP), got "http://127.0.0.1:6443"'),
    );
  });

  it('stops at start on a bad number, naming the variable and its bound', () => {
    expect(() => loadConfig({ ...base, FLOTILLA_LEASE_SECONDS: '0.01' })).toThrow('FLOTILLA_LEASE_SECONDS must be a number of seconds ≥ 0.1, got "0.01"');
    expect(() => loadConfig({ ...base, FLOTILLA_SYNC_CONCURRENCY: '0' })).toThrow('FLOTILLA_SYNC_CONCURRENCY must be an integer ≥ 1, got "0"');
    expect(() => loadConfig({ ...base, FLOTILLA_INGRESS_HTTP_ADDRESS: 'nowhere' })).toThrow('FLOTILLA_INGRESS_HTTP_ADDRESS must be host:port (or off)');
  });

  it('turns a listener off with off', () => {
    expect(loadConfig({ ...base, FLOTILLA_KUBELET_ADDRESS: 'off' }).kubeletAddress).toBeUndefined();
  });
});
