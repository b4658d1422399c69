// What every part of the Docker runtime shares: the engine client, the node's options and the labels that
// mark what this node's agent made.
import type Docker from 'dockerode';
import type { BackoffPolicy } from '../backoff';
import type { DataResolver } from '../env';
import { LABEL, namespaceNetworkName } from '../labels';

export interface DockerRuntimeOptions {
  /** Defaults to DOCKER_HOST (tcp://host:port or unix://path) or /var/run/docker.sock. */
  docker?: Docker;
  nodeName: string;
  /** Namespace networks are `<networkPrefix>-ns-<namespace>`. Default `flotilla`. */
  networkPrefix?: string;
  /** Upstream DNS server for pods (Docker's embedded DNS forwards to it). */
  dnsServer?: string;
  /** Search domains for a namespace's pods; default `<ns>.svc.cluster.local svc.cluster.local cluster.local` when dnsServer is set. */
  dnsSearch?: (namespace: string) => string[];
  /** Image of the sandbox container; must provide /bin/pause. Default `flotilla/busybox:1`. */
  sandboxImage?: string;
  /** Crash-loop and image-pull back-off; tests shorten baseMs. */
  backoff?: Partial<BackoffPolicy>;
  allowPrivileged?: boolean;
  allowHostPath?: boolean;
  /** Added to every Docker object the runtime creates (tests add `flotilla.test=1`). */
  extraLabels?: Record<string, string>;
  /** Address hostPorts are published on. Default 127.0.0.1. */
  hostPortAddress?: string;
  /** The node's address, reported as status.hostIP. */
  hostIP?: string;
  /** Follow Docker's event stream so exits are noticed without waiting for the agent's next sync. Default true. */
  watchEvents?: boolean;
  /**
   * Directory (owned by the agent, on the host Docker runs on) where subPath mounts are bound before Docker
   * binds them into a container. Default `<tmpdir>/flotilla-subpaths-<nodeName>`.
   */
  subPathDir?: string;
  /**
   * Where namespace networks get a /24 once Docker's default address pools are used up (about 30 networks).
   * Default `10.244.0.0/16`.
   */
  namespaceSubnets?: string;
}

/** The engine and the node's settings, resolved once by the runtime and handed to each of its parts. */
export interface DockerContext {
  readonly docker: Docker;
  readonly opts: DockerRuntimeOptions;
  readonly nodeName: string;
  readonly backoff: BackoffPolicy;
  readonly sandboxImage: string;
  readonly subPathDir: string;
  readonly networkPrefix: string;
}

/** Labels of an object this node's agent makes: the node's, the configured extras, then `extra`. */
export function objectLabels(ctx: DockerContext, extra: Record<string, string>): Record<string, string> {
  return { ...ctx.opts.extraLabels, [LABEL.node]: ctx.nodeName, ...extra };
}

export function networkName(ctx: DockerContext, namespace: string): string {
  return namespaceNetworkName(ctx.networkPrefix, namespace);
}

/** A filter on this node's objects (and more labels). */
export function mine(ctx: DockerContext, ...labels: string[]): { label: string[] } {
  return { label: [`${LABEL.node}=${ctx.nodeName}`, ...labels] };
}

export const NO_DATA: DataResolver = { configMap: async () => undefined, secret: async () => undefined };

export function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { statusCode?: number }).statusCode === 404;
}

export function statusCode(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null ? (e as { statusCode?: number }).statusCode : undefined;
}

/** The engine's own message when it sent one (dockerode puts it in `json.message`). */
export function errorMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const json = (e as { json?: { message?: string } }).json;
    if (json?.message) return json.message;
  }
  return e instanceof Error ? e.message : String(e);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
