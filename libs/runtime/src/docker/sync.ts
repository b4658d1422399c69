// One sync of a pod: refuse what the node does not allow, make its network, volumes and sandbox, then carry
// out what computePodActions decided for its containers.
import type { Pod } from '@flotilla/resources';
import type { DataResolver } from '../env';
import { ContainerStartError } from '../errors';
import { computePodActions, type ContainerAction } from '../pod-actions';
import { SANDBOX_CHANGED, recreatedRestartCount, reportedStatus, type PodEvent } from '../sandbox-change';
import { statusCode, type DockerContext } from './context';
import { createSandbox, specHash, startCreated, startInstance, stopInstance } from './containers';
import type { NamespaceNetworks } from './networks';
import { emptyObservedPod, observePod, podIP as podIPOf, type Instance, type ObservedPod } from './observe';
import { stopPodWork, type PodState } from './pod-state';
import { crashLoopWaiting } from './status';
import { refreshProjected, ensureVolumes } from './volumes';

export interface SyncHooks {
  networks: NamespaceNetworks;
  /** An Event for the pod (the sandbox was replaced). */
  podEvent: (st: PodState, event: PodEvent) => void;
  /** Sync the pod again in `delayMs` (a back-off ends). */
  resyncIn: (st: PodState, delayMs: number) => void;
}

export async function syncPodOnce(ctx: DockerContext, hooks: SyncHooks, pod: Pod, resolve: DataResolver, st: PodState): Promise<void> {
  const { ref } = st;
  const now = Date.now();
  let observed = await observePod(ctx, ref.uid);

  // Pod-level refusals: nothing starts, every container says why.
  if ((pod.spec.hostNetwork || pod.spec.hostPID || pod.spec.hostIPC) && !ctx.opts.allowPrivileged) {
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      st.waiting.set(c.name, {
        reason: 'CreateContainerConfigError',
        message: 'host namespaces (hostNetwork, hostPID, hostIPC) are not allowed on this node',
      });
    }
    return;
  }

  const net = await hooks.networks.ensure(ref.namespace);
  await ensureVolumes(ctx, pod, st);

  const unhealthy = new Set(st.unhealthy);
  const plan = computePodActions({
    pod,
    sandbox: !observed.sandbox ? 'missing' : observed.sandbox.obs.running ? 'running' : 'dead',
    containers: new Map([...observed.current].map(([name, i]) => [name, i.obs])),
    now,
    backoff: ctx.backoff,
    specHash,
    unhealthy,
  });

  // Sandbox: create it, or replace a dead one together with every container that was joined to it.
  let sandbox = observed.sandbox;
  if (plan.sandbox === 'recreate') {
    // Its successors are restarts of these instances, as kubelet counts them.
    for (const i of observed.current.values()) st.carried.set(`${i.role}/${i.name}`, Math.max(i.obs.restartCount, st.carried.get(`${i.role}/${i.name}`) ?? -1));
    hooks.podEvent(st, SANDBOX_CHANGED);
    stopPodWork(st);
    await Promise.all(
      observed.all.map((i) =>
        ctx.docker
          .getContainer(i.info.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
    );
    st.projected.clear();
    st.unhealthy.clear();
    observed = emptyObservedPod();
    sandbox = undefined;
  }
  if (!sandbox) {
    try {
      sandbox = await createSandbox(ctx, pod, st, net.id).catch(async (e: unknown) => {
        // The namespace's last container went a moment ago and the clean-up removed the network we looked
        // up: make it again and try once more, rather than failing the pod until the next sync.
        if (statusCode(e) !== 404 || !/network/i.test(String((e as Error).message))) throw e;
        hooks.networks.forget(ref.namespace);
        const fresh = await hooks.networks.ensure(ref.namespace);
        return createSandbox(ctx, pod, st, fresh.id);
      });
    } catch (e) {
      if (!(e instanceof ContainerStartError)) {
        hooks.networks.forget(ref.namespace);
        throw e;
      }
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) st.waiting.set(c.name, { reason: e.reason, message: e.message });
      return;
    }
  }
  if (!st.startTime) st.startTime = new Date(sandbox.info.Created).toISOString();
  const ip = podIPOf(ctx, ref.namespace, sandbox);
  await refreshProjected(ctx, pod, st, sandbox, resolve);

  // In order: init containers one step per sync, then every app container.
  for (const action of plan.actions) await carryOut(ctx, hooks, pod, st, observed, sandbox, ip, action);
  for (const id of unhealthy) st.unhealthy.delete(id);
}

async function carryOut(
  ctx: DockerContext,
  hooks: SyncHooks,
  pod: Pod,
  st: PodState,
  observed: ObservedPod,
  sandbox: Instance,
  ip: string | undefined,
  a: ContainerAction,
): Promise<void> {
  const c = a.container;
  const cur = observed.current.get(c.name);
  switch (a.type) {
    case 'start': {
      const restartCount = recreatedRestartCount(st.carried.get(`${a.role}/${c.name}`), reportedStatus(pod, a.role, c.name));
      return startInstance(ctx, pod, st, c, a.role, sandbox, ip, restartCount);
    }
    case 'startCreated':
      return startCreated(ctx, st, c, a.id);
    case 'restart':
      return startInstance(ctx, pod, st, c, a.role, sandbox, ip, a.restartCount, cur);
    case 'backOff':
      st.waiting.set(c.name, crashLoopWaiting(st.ref, c.name, a.delayMs));
      hooks.resyncIn(st, a.retryAt - Date.now());
      return;
    case 'replace':
      if (!cur) return;
      await stopInstance(ctx, pod, c, cur, a.graceSeconds);
      return startInstance(ctx, pod, st, c, 'container', sandbox, ip, a.restartCount, cur);
    case 'kill':
      if (cur) await stopInstance(ctx, pod, c, cur, a.graceSeconds);
      return;
    case 'done':
      // A finished app container waits for nothing; a failed init container keeps what it last reported.
      if (a.role === 'container') st.waiting.delete(c.name);
      return;
  }
}
