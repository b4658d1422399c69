// Service proxy containers (the agent decides which Services get one; see apps/agent/src/services-proxy.ts):
// one container per Service on its namespace's bridge, its DNS names as aliases, its config bind-mounted.
import { LABEL } from '../labels';
import type { ServiceProxyInstance, ServiceProxySpec } from '../pod-runtime';
import { mine, objectLabels, type DockerContext } from './context';
import type { NamespaceNetworks } from './networks';

export const SERVICE_LABEL = 'flotilla.service';
export const PROXY_ROLE = 'service-proxy';

export async function listServiceProxies(ctx: DockerContext): Promise<ServiceProxyInstance[]> {
  const list = await ctx.docker.listContainers({ all: true, filters: mine(ctx, `${LABEL.role}=${PROXY_ROLE}`) });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    namespace: c.Labels?.[LABEL.namespace] ?? '',
    service: c.Labels?.[SERVICE_LABEL] ?? '',
    imageId: c.ImageID,
    running: c.State === 'running',
  }));
}

export async function createServiceProxy(ctx: DockerContext, networks: NamespaceNetworks, s: ServiceProxySpec): Promise<void> {
  const net = await networks.ensure(s.namespace);
  const created = await ctx.docker.createContainer({
    name: s.name,
    Image: s.image,
    Labels: objectLabels(ctx, { [LABEL.namespace]: s.namespace, [SERVICE_LABEL]: s.service, [LABEL.role]: PROXY_ROLE }),
    Env: Object.entries(s.env).map(([k, v]) => `${k}=${v}`),
    HostConfig: {
      NetworkMode: net.id,
      Binds: [`${s.configDir}:${s.configMountPath}:ro`],
      RestartPolicy: { Name: 'unless-stopped' },
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      CapAdd: ['NET_BIND_SERVICE'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 96 * 1024 * 1024,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
    },
    NetworkingConfig: { EndpointsConfig: { [net.id]: { Aliases: s.aliases } } },
  });
  await created.start();
}
