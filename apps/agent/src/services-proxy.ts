// ClusterIP by name: one flotilla/service-proxy container per Service on this node, on the Service's
// namespace network with the Service's DNS names as network aliases, fed its backends through a file.
//
// Why one container per Service (and not one per namespace holding every Service's aliases):
// - Two Services of a namespace may use the same port (both `:80`); one container has one address, so it
//   could not tell them apart without sniffing the protocol. One container per Service has its own address.
// - Docker cannot add an alias to a running container's network endpoint; a shared container would have to
//   be disconnected and reconnected for every new Service, dropping every connection through it. Here a
//   container's aliases never change after creation: only its backend list does, which never drops a connection.
// - Isolation stays Docker's: the proxy sits only on its namespace's bridge, so pods of other namespaces can
//   neither resolve the name nor reach the address.
// The cost is one small Node process per Service per node (~10–20 MiB resident, heap capped at 32 MiB).
//
// Backends are pushed as a JSON file in a per-Service host directory bind-mounted read-only into the
// container, replaced by rename (never half-written); the proxy follows it by inotify (plus a 1 s poll), so
// an endpoint change reaches it in milliseconds and established connections are left alone.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatServiceProxyConfig, type ServiceProxyConfig } from '@flotilla/netproxy';
import type { PodRuntime, ServiceProxyInstance } from '@flotilla/runtime';
import { errorText, type Logger } from '@flotilla/log';
import type { ResolvedService } from './services-plan';

const CONFIG_DIR_IN_CONTAINER = '/etc/flotilla/service-proxy';

export interface ServiceProxyContainersOptions {
  runtime: PodRuntime;
  nodeName: string;
  image: string;
  /** Host directory holding one sub-directory per Service (absolute: the runtime bind-mounts it). */
  dataDir: string;
  log: Logger;
}

export function serviceDnsNames(namespace: string, name: string): string[] {
  return [name, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

/** `flotilla-svc_<namespace>_<service>_<node>`: `_` occurs in none of the three, so no two Services share one. */
export function serviceProxyContainerName(namespace: string, service: string, nodeName: string): string {
  return `flotilla-svc_${namespace}_${service}_${nodeName}`;
}

/** The Service's directory under the agent's data directory (`<namespace>_<service>`, at most 127 characters). */
export function serviceProxyDirName(namespace: string, service: string): string {
  return `${namespace}_${service}`;
}

export class ServiceProxyContainers {
  private running?: Promise<void>;
  private pending?: readonly ResolvedService[];
  /** Bumped when the engine comes back: a run still waiting on the old engine is left to end on its own. */
  private generation = 0;
  private readonly warned = new Map<string, string>();

  constructor(private readonly o: ServiceProxyContainersOptions) {
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  }

  private containerName(namespace: string, name: string): string {
    return serviceProxyContainerName(namespace, name, this.o.nodeName);
  }

  private dirOf(namespace: string, name: string): string {
    return join(this.o.dataDir, serviceProxyDirName(namespace, name));
  }

  /** Makes the runtime match `services`; calls made while one runs collapse into one more run with the latest list. */
  sync(services: readonly ResolvedService[]): Promise<void> {
    // Config files at once (cheap, and what endpoint changes need); containers in the serialized loop below.
    for (const s of services) {
      if (s.ports.length === 0) continue;
      try {
        this.writeConfig(s);
      } catch (e) {
        this.o.log.warn('cannot write service proxy config', { service: `${s.namespace}/${s.name}`, error: errorText(e) });
      }
    }
    this.pending = services;
    if (!this.running) {
      const generation = this.generation;
      const run: Promise<void> = (async () => {
        while (this.pending && generation === this.generation) {
          const next = this.pending;
          this.pending = undefined;
          await this.syncOnce(next).catch((e: unknown) => this.o.log.warn('service proxy sync failed', { error: errorText(e) }));
        }
      })().finally(() => {
        if (this.running === run) this.running = undefined;
      });
      this.running = run;
    }
    return this.running;
  }

  /**
   * The engine went away and came back. A request sent while it shut down can stay unanswered for good, and a
   * run waiting on one would hold every later sync back (seen: proxies never re-created after a restart), so
   * the next sync starts a fresh run; the old one ends on its own, its results no longer awaited.
   */
  engineBack(): void {
    this.generation++;
    this.running = undefined;
  }

  private async syncOnce(services: readonly ResolvedService[]): Promise<void> {
    const { runtime } = this.o;
    const wanted = new Map(services.filter((s) => s.ports.length > 0).map((s) => [this.containerName(s.namespace, s.name), s]));
    const byName = new Map((await runtime.listServiceProxies()).map((c) => [c.name, c]));
    let imageId: string | undefined;
    if (wanted.size > 0) {
      try {
        imageId = await runtime.imageId(this.o.image);
      } catch (e) {
        const msg = `image ${this.o.image} is missing (build it with docker/images/build.sh): ${errorText(e)}`;
        if (this.warned.get('') !== msg) this.o.log.warn('service proxies cannot start', { error: msg });
        this.warned.set('', msg);
      }
    }
    await Promise.all(
      [...wanted].map(async ([cname, s]) => {
        const key = `${s.namespace}/${s.name}`;
        try {
          if (!imageId) return;
          await this.ensureContainer(cname, s, byName.get(cname), imageId);
          this.warned.delete(key);
        } catch (e) {
          const msg = errorText(e);
          if (this.warned.get(key) !== msg) this.o.log.warn('service proxy container failed', { service: key, error: msg });
          this.warned.set(key, msg);
        }
      }),
    );
    let removedAny = false;
    for (const [cname, c] of byName) {
      if (wanted.has(cname)) continue;
      const ns = c.namespace;
      const svc = c.service;
      await runtime.removeServiceProxy(c.id).catch((e: unknown) => this.o.log.warn('removing service proxy failed', { container: cname, error: errorText(e) }));
      if (ns && svc) rmSync(this.dirOf(ns, svc), { recursive: true, force: true });
      this.o.log.info('service proxy removed', { service: `${ns}/${svc}` });
      removedAny = true;
    }
    // The proxy may have been the namespace's last container: its network goes now (pod volumes are not ours).
    if (removedAny) {
      await this.o.runtime.removeUnusedEngineObjects({}).catch((e: unknown) => this.o.log.warn('engine clean-up failed', { error: errorText(e) }));
    }
  }

  private writeConfig(s: ResolvedService): void {
    const dir = this.dirOf(s.namespace, s.name);
    const file = join(dir, 'config.json');
    const config: ServiceProxyConfig = {
      service: `${s.namespace}/${s.name}`,
      listeners: s.ports.map((p) => ({ name: p.name, port: p.port, backends: p.backends })),
    };
    const text = formatServiceProxyConfig(config);
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
    }
    if (current === text) return;
    const tmp = join(dir, `.config.json.${process.pid}`);
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, file);
  }

  private async ensureContainer(cname: string, s: ResolvedService, found: ServiceProxyInstance | undefined, imageId: string): Promise<void> {
    const { runtime } = this.o;
    if (found && found.imageId !== imageId) {
      // The proxy image was rebuilt or the agent upgraded: replace the container.
      await runtime.removeServiceProxy(found.id);
      found = undefined;
    }
    if (found && !found.running) {
      try {
        await runtime.startServiceProxy(found.id);
      } catch (e) {
        // After an engine restart that outlasted its shutdown timeout, containerd may still hold the old task
        // ("task … already exists") and the container never starts again: a new container has a new task.
        this.o.log.warn('service proxy would not start; re-creating it', { service: `${s.namespace}/${s.name}`, error: errorText(e) });
        await runtime.removeServiceProxy(found.id);
        found = undefined;
      }
    }
    if (found) return;
    await runtime.createServiceProxy({
      name: cname,
      image: this.o.image,
      namespace: s.namespace,
      service: s.name,
      configDir: this.dirOf(s.namespace, s.name),
      configMountPath: CONFIG_DIR_IN_CONTAINER,
      env: { FLOTILLA_PROXY_CONFIG: `${CONFIG_DIR_IN_CONTAINER}/config.json` },
      aliases: serviceDnsNames(s.namespace, s.name),
    });
    this.o.log.info('service proxy started', { service: `${s.namespace}/${s.name}`, container: cname });
  }
}
