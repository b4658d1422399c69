// Every Flotilla process runs on a Node.js that still gets security fixes: the runtime terminates every
// TLS connection of the API, the portal and the agents. Node 20 reached its end of life in April 2026.
import { flag } from './env';

/** The oldest Node.js major version Flotilla supports (also `engines.node` in package.json). */
export const SUPPORTED_NODE_MAJOR = 24;

/** Why `version` (e.g. `process.versions.node`) cannot run Flotilla, or undefined when it can. */
export function unsupportedNode(version: string): string | undefined {
  const major = Number(version.split('.')[0]);
  if (Number.isInteger(major) && major >= SUPPORTED_NODE_MAJOR) return undefined;
  return (
    `Node.js ${version} is not supported: Flotilla needs Node.js ${SUPPORTED_NODE_MAJOR} LTS or newer. ` +
    `Run scripts/setup.sh (it installs Node.js ${SUPPORTED_NODE_MAJOR} into .flotilla/node when the machine's is older) ` +
    `and start Flotilla with scripts/up.sh, or put a Node.js ${SUPPORTED_NODE_MAJOR} first on PATH. ` +
    `FLOTILLA_ALLOW_UNSUPPORTED_NODE=on starts anyway (for side-by-side benchmarks only).`
  );
}

/** Exits the process with a message saying what to do when it runs on an unsupported Node.js. */
export function requireSupportedNode(component: string): void {
  const why = unsupportedNode(process.versions.node);
  if (!why) return;
  const allowed = flag(process.env, 'FLOTILLA_ALLOW_UNSUPPORTED_NODE', false);
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: allowed ? 'warn' : 'error', component, msg: why })}\n`);
  if (!allowed) process.exit(1);
}
