// The node agent's kubelet-like HTTPS endpoint, as the API server and the agent both speak it: the
// paths (kubelet's own layout, with the pod uid so a re-created pod of the same name is never
// reached), and the WebSocket subprotocols of kubectl's exec and port-forward streams.

/** Remote command streams: v5 adds channel 255 (close one stream, e.g. stdin EOF) to v4. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
/** kubectl 1.32's port-forward: a SPDY/3.1 session carried inside WebSocket binary messages. */
export const PORT_FORWARD_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export const EXEC_CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface KubeletPodTarget {
  namespace: string;
  pod: string;
  uid: string;
}

export interface ExecOptions {
  command: string[];
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const enc = encodeURIComponent;

/** `/exec/<namespace>/<pod>/<uid>/<container>?command=…&stdin=true…` (kubelet's path with the uid). */
export function kubeletExecPath(t: KubeletPodTarget, o: ExecOptions): string {
  const q = new URLSearchParams();
  for (const c of o.command) q.append('command', c);
  for (const k of ['stdin', 'stdout', 'stderr', 'tty'] as const) if (o[k]) q.set(k, 'true');
  return `/exec/${enc(t.namespace)}/${enc(t.pod)}/${enc(t.uid)}/${enc(o.container)}?${q.toString()}`;
}

/** `/portforward/<namespace>/<pod>/<uid>`. */
export function kubeletPortForwardPath(t: KubeletPodTarget): string {
  return `/portforward/${enc(t.namespace)}/${enc(t.pod)}/${enc(t.uid)}`;
}

export type KubeletRequest =
  { kind: 'exec'; target: KubeletPodTarget; options: ExecOptions } | { kind: 'portforward'; target: KubeletPodTarget } | { kind: 'invalid'; message: string };

function flag(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  return v === 'true' || v === '1';
}

/** Parses a request path the agent received; undefined when it is none of the endpoint's paths. */
export function parseKubeletPath(url: string): KubeletRequest | undefined {
  const u = new URL(url, 'https://agent.invalid');
  const parts = u.pathname.split('/').slice(1);
  let seg: string[];
  try {
    seg = parts.map((p) => decodeURIComponent(p));
  } catch {
    return { kind: 'invalid', message: `invalid path segment in ${u.pathname}` };
  }
  if (seg.some((s) => s === '')) return undefined;
  if (seg[0] === 'exec' && seg.length === 5) {
    const command = u.searchParams.getAll('command');
    if (command.length === 0) return { kind: 'invalid', message: 'you must specify at least one command for the container' };
    const options: ExecOptions = {
      command,
      container: seg[4],
      stdin: flag(u.searchParams, 'stdin'),
      stdout: flag(u.searchParams, 'stdout'),
      stderr: flag(u.searchParams, 'stderr'),
      tty: flag(u.searchParams, 'tty'),
    };
    if (!options.stdin && !options.stdout && !options.stderr) return { kind: 'invalid', message: 'you must specify at least one of stdin, stdout, stderr' };
    return { kind: 'exec', target: { namespace: seg[1], pod: seg[2], uid: seg[3] }, options };
  }
  if (seg[0] === 'portforward' && seg.length === 4) return { kind: 'portforward', target: { namespace: seg[1], pod: seg[2], uid: seg[3] } };
  return undefined;
}
