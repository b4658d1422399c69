// One bridge network per namespace; Docker's isolation rules keep namespaces from reaching each other.
import type Docker from 'dockerode';
import { LABEL } from '../labels';
import { freeSubnet } from '../subnets';
import { errorMessage, networkName, objectLabels, type DockerContext } from './context';

export interface NetworkRef {
  name: string;
  id: string;
}

/** The namespace networks this node uses, each looked up or made once (concurrent callers share the lookup). */
export class NamespaceNetworks {
  private readonly cache = new Map<string, Promise<NetworkRef>>();

  constructor(private readonly ctx: DockerContext) {}

  ensure(namespace: string): Promise<NetworkRef> {
    let p = this.cache.get(namespace);
    if (!p) {
      p = this.create(namespace);
      this.cache.set(namespace, p);
      p.catch(() => this.cache.delete(namespace));
    }
    return p;
  }

  /** Drops a cached lookup: the network may be gone (removed as unused, or the create failed half-way). */
  forget(namespace: string): void {
    this.cache.delete(namespace);
  }

  /** Network ids survive an engine restart, but a cached lookup may be of a network removed meanwhile. */
  clear(): void {
    this.cache.clear();
  }

  /**
   * The namespace's network. Docker does not refuse a second network of the same name (two agents on one
   * engine can create one each at the same moment), so when there are several, all agents agree on the
   * oldest, and containers are attached by id, never by the ambiguous name.
   */
  private async find(name: string): Promise<NetworkRef | undefined> {
    const list = (await this.ctx.docker.listNetworks({ filters: { name: [name] } })).filter((x) => x.Name === name);
    list.sort((a, b) => String(a.Created).localeCompare(String(b.Created)) || a.Id.localeCompare(b.Id));
    return list[0] ? { name, id: list[0].Id } : undefined;
  }

  private async create(namespace: string): Promise<NetworkRef> {
    const name = networkName(this.ctx, namespace);
    const found = await this.find(name);
    if (found) return found;
    try {
      const net = await this.createBridge(name, namespace);
      const chosen = await this.find(name);
      if (chosen && chosen.id !== net.id) {
        // Another agent made one at the same time and its is the oldest: use that one, drop ours.
        await this.ctx.docker
          .getNetwork(net.id)
          .remove()
          .catch(() => undefined);
        return chosen;
      }
      return { name, id: net.id };
    } catch (e) {
      const again = await this.find(name);
      if (again) return again;
      throw e;
    }
  }

  /** A bridge network from Docker's pools, or past them a free /24 of `namespaceSubnets`. */
  private async createBridge(name: string, namespace: string): Promise<Docker.Network> {
    const { docker } = this.ctx;
    const spec = { Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: objectLabels(this.ctx, { [LABEL.namespace]: namespace }) };
    try {
      return await docker.createNetwork(spec);
    } catch (e) {
      if (!/available, non-overlapping IPv4 address pool/.test(errorMessage(e))) throw e;
    }
    const pool = this.ctx.opts.namespaceSubnets ?? '10.244.0.0/16';
    // Another agent on the engine may take the subnet chosen between the list and the create: try the next.
    for (let skip = 0; skip < 8; skip++) {
      const used = (await docker.listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''));
      const subnet = freeSubnet(pool, used, skip);
      if (!subnet) throw new Error(`no address space left for namespace networks: Docker's pools and ${pool} are all in use`);
      try {
        return await docker.createNetwork({ ...spec, IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } });
      } catch (e) {
        if (!/overlap/i.test(errorMessage(e))) throw e;
      }
    }
    throw new Error(`could not claim a subnet of ${pool} for namespace ${namespace}`);
  }
}
