import { ConfigError } from '@flotilla/log';
import { loadConfig } from './config';

describe('the controller configuration', () => {
  it('reads the defaults', () => {
    const c = loadConfig({});
    expect(c.concurrency).toBe(16);
    expect(c.resyncSeconds).toBe(30);
    expect(c.nodeDisruptionThreshold).toBe(0.55);
  });

  it('takes fractions of seconds and shares', () => {
    const c = loadConfig({ FLOTILLA_NODE_GRACE_SECONDS: '1.5', FLOTILLA_NODE_DISRUPTION_THRESHOLD: '1' });
    expect(c.nodeGraceSeconds).toBe(1.5);
    expect(c.nodeDisruptionThreshold).toBe(1);
  });

  it('stops at start on a bad value, naming the variable', () => {
    expect(() => loadConfig({ FLOTILLA_NODE_DISRUPTION_THRESHOLD: '0' })).toThrow(
      new ConfigError('FLOTILLA_NODE_DISRUPTION_THRESHOLD must be a number > 0 and ≤ 1, got "0"'),
    );
    expect(() => loadConfig({ FLOTILLA_NODE_EVICTION_RATE: '-1' })).toThrow('FLOTILLA_NODE_EVICTION_RATE must be a number > 0, got "-1"');
    expect(() => loadConfig({ FLOTILLA_SCHEDULER_BATCH: '0' })).toThrow('FLOTILLA_SCHEDULER_BATCH must be an integer ≥ 1, got "0"');
    expect(() => loadConfig({ FLOTILLA_RESYNC_SECONDS: 'soon' })).toThrow('FLOTILLA_RESYNC_SECONDS must be a number of seconds ≥ 0, got "soon"');
    expect(() => loadConfig({ FLOTILLA_QUEUE_PREFIX: 'a b' })).toThrow(ConfigError);
  });
});
