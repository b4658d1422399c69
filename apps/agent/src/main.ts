// Entry point of the node agent: read configuration, start, stop cleanly on SIGTERM/SIGINT.
import { requireSupportedNode } from '@flotilla/log';
import { Agent } from './agent';
import { ConfigError, loadConfig } from './config';
import { CaPinError } from './ca-trust';
import { JoinError } from './join';

async function main(): Promise<void> {
  requireSupportedNode('agent');
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`flotilla-agent: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const agent = new Agent(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    agent.log.info('stopping', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void agent.stop().finally(() => process.exit(0));
  };
  // Last resort: one bad input (a stream or socket error nobody listened to, a rejected promise) must not end
  // the process — a dead agent makes the node NotReady and evicts every tenant's pods on it. The error is
  // logged with the pod it concerns when the thrower recorded one, and the agent keeps serving.
  const lastResort = (kind: string) => (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    const pod = (err as Error & { pod?: unknown }).pod;
    agent.log.error('unhandled error survived', { kind, error: err.message, stack: err.stack, ...(typeof pod === 'string' ? { pod } : {}) });
  };
  process.on('uncaughtException', lastResort('uncaughtException'));
  process.on('unhandledRejection', lastResort('unhandledRejection'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await agent.start();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`flotilla-agent: ${e instanceof CaPinError || e instanceof JoinError ? '' : 'start failed: '}${msg}\n`);
    await agent.stop().catch(() => undefined);
    process.exit(e instanceof CaPinError ? 3 : e instanceof JoinError ? 4 : 1);
  }
}

void main();
