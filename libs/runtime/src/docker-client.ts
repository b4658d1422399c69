// A Docker client that cannot be steered off the engine. docker-modem follows HTTP redirects to any host
// (its bundled follow-redirects), and the engine answers paths with `..` segments with a 301, so a path
// built from tenant input (an image name) could make the node send requests anywhere, and a failing
// redirect target raised an 'error' nobody listened to. Both are closed here, for every call.
import Docker from 'dockerode';

type Callback = (err: Error | null, data?: unknown) => void;
interface DialOptions {
  path?: string;
}
interface ModemInternals {
  dial(options: DialOptions, callback: Callback): unknown;
  buildRequest(options: Record<string, unknown>, context: unknown, data: unknown, callback: Callback): unknown;
}

// Characters that appear in engine paths built from ids, names, image references and digests.
const SAFE_SEGMENT = /^[A-Za-z0-9_.:@+-]+$/;

/** Why a Docker API path is refused, or undefined when it is safe to send. */
export function unsafeDockerPath(path: string): string | undefined {
  const q = path.indexOf('?');
  const p = q >= 0 ? path.slice(0, q) : path;
  if (!p.startsWith('/')) return 'path must be absolute';
  const segments = p.slice(1).split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return `path has an empty or dot segment: ${JSON.stringify(p.slice(0, 200))}`;
    if (!SAFE_SEGMENT.test(s)) return `path segment has characters outside [A-Za-z0-9_.:@+-]: ${JSON.stringify(s.slice(0, 200))}`;
  }
  return undefined;
}

export class UnsafeDockerRequestError extends Error {
  readonly statusCode = 400;
}

/** Makes an existing client refuse unsafe paths and never follow redirects. */
export function hardenDocker(docker: Docker): Docker {
  const modem = docker.modem as unknown as ModemInternals;
  const dial = modem.dial.bind(modem);
  const buildRequest = modem.buildRequest.bind(modem);
  modem.dial = (options, callback) => {
    const bad = typeof options.path === 'string' ? unsafeDockerPath(options.path) : 'path missing';
    if (bad) {
      // Asynchronous like a real failure, so callers see the same control flow.
      process.nextTick(() => callback(new UnsafeDockerRequestError(`refused Docker request: ${bad}`)));
      return undefined;
    }
    return dial(options, callback);
  };
  // maxRedirects 0: a 3xx becomes an 'error' on the original request, which docker-modem handles.
  modem.buildRequest = (options, context, data, callback) => buildRequest({ ...options, maxRedirects: 0 }, context, data, callback);
  return docker;
}

/** Docker client from DOCKER_HOST (tcp:// or unix://), hardened. */
export function dockerFromEnv(): Docker {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('tcp://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    return hardenDocker(new Docker({ host: u.hostname, port: Number(u.port || 2375) }));
  }
  if (host?.startsWith('unix://')) return hardenDocker(new Docker({ socketPath: host.slice('unix://'.length) }));
  return hardenDocker(new Docker({ socketPath: '/var/run/docker.sock' }));
}
