// What the engine runs for a pod, read from its containers' labels and state: the runtime's only source of truth.
import type Docker from 'dockerode';
import { LABEL, PREVIOUS_SUFFIX, type ContainerRole } from '../labels';
import type { ObservedContainer } from '../pod-actions';
import { mine, networkName, type DockerContext } from './context';

/** One Docker container of a pod. */
export interface Instance {
  info: Docker.ContainerInspectInfo;
  obs: ObservedContainer;
  role: ContainerRole;
  name: string;
  /** The kept, exited previous instance (for `logs --previous`). */
  previous: boolean;
}

export interface ObservedPod {
  sandbox?: Instance;
  current: Map<string, Instance>;
  previous: Map<string, Instance>;
  all: Instance[];
}

export function emptyObservedPod(): ObservedPod {
  return { current: new Map(), previous: new Map(), all: [] };
}

export function toInstance(info: Docker.ContainerInspectInfo): Instance {
  const labels = info.Config.Labels ?? {};
  const s = info.State;
  return {
    info,
    role: (labels[LABEL.role] as ContainerRole) ?? 'container',
    name: labels[LABEL.containerName] ?? '',
    previous: info.Name.endsWith(PREVIOUS_SUFFIX),
    obs: {
      id: info.Id,
      imageId: info.Image,
      running: s.Running,
      created: s.Status === 'created',
      exitCode: s.ExitCode,
      oomKilled: s.OOMKilled,
      error: s.Error,
      startedAt: s.StartedAt,
      finishedAt: s.FinishedAt,
      restartCount: Number(labels[LABEL.restartCount] ?? 0),
      createdAt: info.Created,
      specHash: labels[LABEL.specHash],
    },
  };
}

export async function observePod(ctx: DockerContext, uid: string): Promise<ObservedPod> {
  const list = await ctx.docker.listContainers({ all: true, filters: mine(ctx, `${LABEL.podUid}=${uid}`) });
  const infos = await Promise.all(
    list.map((c) =>
      ctx.docker
        .getContainer(c.Id)
        .inspect()
        .catch(() => undefined),
    ),
  );
  const obs = emptyObservedPod();
  for (const info of infos) {
    if (!info) continue;
    const inst = toInstance(info);
    obs.all.push(inst);
    if (inst.role === 'sandbox') obs.sandbox = inst;
    else (inst.previous ? obs.previous : obs.current).set(inst.name, inst);
  }
  return obs;
}

/** The pod's address on its namespace network, while its sandbox runs. */
export function podIP(ctx: DockerContext, namespace: string, sandbox?: Instance): string | undefined {
  if (!sandbox?.obs.running) return undefined;
  const ip = sandbox.info.NetworkSettings.Networks?.[networkName(ctx, namespace)]?.IPAddress;
  return ip || undefined;
}
