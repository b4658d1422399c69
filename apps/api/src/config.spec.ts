import { ConfigError, loadConfig } from './config';
import { loadTenancyConfig } from './tenancy/tenancy-config';

const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('the API configuration', () => {
  it('reads the defaults', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(6443);
    expect(c.groupCommit).toBe(true);
    expect(c.tls).toBe('on');
    expect(c.publicUrl).toBe('https://127.0.0.1:6443');
  });

  it('reads switches as on/off, and the spellings accepted before', () => {
    expect(loadConfig({ ...base, FLOTILLA_GROUP_COMMIT: 'off' }).groupCommit).toBe(false);
    expect(loadConfig({ ...base, FLOTILLA_GROUP_COMMIT: 'false' }).groupCommit).toBe(false);
    expect(() => loadConfig({ ...base, FLOTILLA_GROUP_COMMIT: 'nope' })).toThrow('FLOTILLA_GROUP_COMMIT must be "on" or "off", got "nope"');
  });

  it('stops at start on a bad value, naming the variable', () => {
    expect(() => loadConfig({ ...base, FLOTILLA_API_PORT: '70000' })).toThrow(
      new ConfigError('FLOTILLA_API_PORT must be an integer from 1 to 65535, got "70000"'),
    );
    expect(() => loadConfig({ ...base, FLOTILLA_WATCH_CACHE_EVENTS: '10' })).toThrow('FLOTILLA_WATCH_CACHE_EVENTS must be an integer ≥ 100, got "10"');
    expect(() => loadConfig({ ...base, FLOTILLA_TLS: 'off' })).toThrow('FLOTILLA_TLS must be "on" or "off-behind-proxy", got "off"');
    expect(() => loadConfig({ ...base, DATABASE_URL: '' })).toThrow('DATABASE_URL is not set');
    expect(() => loadConfig({ ...base, REDIS_URL: 'localhost:6379' })).toThrow('REDIS_URL must be a URL starting with redis:// or rediss://');
  });

  it('keeps cookies Secure while the API serves TLS, and lets a proxy set-up force them on', () => {
    expect(loadTenancyConfig({ FLOTILLA_SECURE_COOKIES: 'off' }).secureCookies).toBe(true);
    expect(loadTenancyConfig({ FLOTILLA_TLS: 'off-behind-proxy' }).secureCookies).toBe(false);
    expect(loadTenancyConfig({ FLOTILLA_TLS: 'off-behind-proxy', FLOTILLA_SECURE_COOKIES: 'on' }).secureCookies).toBe(true);
    expect(loadTenancyConfig({ FLOTILLA_TLS: 'off-behind-proxy', FLOTILLA_SECURE_COOKIES: 'true' }).secureCookies).toBe(true);
  });

  it('bounds the tenancy numbers', () => {
    expect(() => loadTenancyConfig({ FLOTILLA_SESSION_TTL_SECONDS: '30' })).toThrow('FLOTILLA_SESSION_TTL_SECONDS must be an integer ≥ 60, got "30"');
    expect(() => loadTenancyConfig({ FLOTILLA_MUTATION_RATE: '0' })).toThrow('FLOTILLA_MUTATION_RATE must be an integer ≥ 1, got "0"');
  });
});
