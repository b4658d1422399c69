// Docker containers of a pod: the sandbox (network, IPC and hostPorts), each container joined to it, their
// lifecycle hooks, and stopping one within its grace period.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { Container, LifecycleHandler, Pod } from '@flotilla/resources';
import { execProblems } from '@flotilla/resources';
import { expandVars, resolveEnv } from '../env';
import { ContainerStartError, configError } from '../errors';
import { LABEL, PREVIOUS_SUFFIX, SANDBOX_NAME, containerName, podRef, podVolumeName, type ContainerRole } from '../labels';
import { runProbe } from '../prober';
import { cpuToNanoCpus, memoryToBytes } from '@flotilla/resources';
import { containerSecurity, sandboxSysctls } from '../security';
import { PROJECTED_ROOT } from '../volumes';
import { NO_DATA, errorMessage, isNotFound, objectLabels, sleep, statusCode, type DockerContext } from './context';
import { ensureImage, imageInfo, normalizeImage } from './images';
import { observePod, podIP, toInstance, type Instance } from './observe';
import type { PodState } from './pod-state';
import { execIn, instancesOf } from './streams';
import { mountsFor } from './volumes';

/** The container spec an instance was made from, so a changed spec is noticed (and the instance replaced). */
export function specHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

export async function createSandbox(ctx: DockerContext, pod: Pod, st: PodState, network: string): Promise<Instance> {
  const { ref } = st;
  const { opts } = ctx;
  await ensureImage(ctx, pod, st, { name: SANDBOX_NAME, image: ctx.sandboxImage, imagePullPolicy: 'IfNotPresent' }, NO_DATA);
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
      exposed[key] = {};
      bindings[key] = [{ HostIp: p.hostIP ?? opts.hostPortAddress ?? '127.0.0.1', HostPort: String(p.hostPort) }];
    }
  }
  const projected: Docker.MountSettings[] = (pod.spec.volumes ?? [])
    .filter((v) => v.configMap || v.secret)
    .map((v) => ({ Type: 'volume', Source: podVolumeName(ref, v.name), Target: `${PROJECTED_ROOT}/${v.name}`, ReadOnly: false }));
  const hostname = (pod.spec.hostname ?? ref.name).slice(0, 63).replace(/[^a-zA-Z0-9-]+$/, '');
  const search = opts.dnsSearch?.(ref.namespace) ?? (opts.dnsServer ? [`${ref.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'] : []);
  const created = await ctx.docker.createContainer({
    name: containerName(ref, SANDBOX_NAME),
    Image: ctx.sandboxImage,
    Cmd: ['/bin/pause'],
    Hostname: hostname,
    Domainname: pod.spec.subdomain ? `${pod.spec.subdomain}.${ref.namespace}.svc.cluster.local` : undefined,
    Labels: objectLabels(ctx, {
      [LABEL.podUid]: ref.uid,
      [LABEL.podName]: ref.name,
      [LABEL.podNamespace]: ref.namespace,
      [LABEL.role]: 'sandbox',
      [LABEL.containerName]: SANDBOX_NAME,
    }),
    ExposedPorts: exposed,
    StopSignal: 'SIGTERM',
    HostConfig: {
      NetworkMode: network,
      IpcMode: 'shareable',
      PortBindings: bindings,
      Mounts: projected,
      Dns: opts.dnsServer ? [opts.dnsServer] : undefined,
      DnsSearch: search.length ? search : undefined,
      SecurityOpt: ['no-new-privileges'],
      Sysctls: sandboxSysctls(pod),
      RestartPolicy: { Name: 'no' },
      Memory: 16 * 1024 * 1024,
    },
    NetworkingConfig: {
      EndpointsConfig: { [network]: { Aliases: [ref.name, ...(pod.spec.hostname && pod.spec.hostname !== ref.name ? [pod.spec.hostname] : [])] } },
    },
  });
  // What the engine refuses at start comes from the pod spec (a sysctl value the kernel rejects, a host
  // port in use): the pod's containers say so, rather than the sync failing and retrying every second.
  await created.start().catch((e: unknown) => {
    throw new ContainerStartError('CreateContainerError', `failed to start the pod sandbox: ${errorMessage(e)}`);
  });
  return toInstance(await created.inspect());
}

/**
 * Creates and starts an instance of `c` joined to the sandbox; `replace` is the exited (or stopped) instance it
 * succeeds, kept as the previous one. Whatever stops it is recorded as the container's waiting reason.
 */
export async function startInstance(
  ctx: DockerContext,
  pod: Pod,
  st: PodState,
  c: Container,
  role: ContainerRole,
  sandbox: Instance,
  ip: string | undefined,
  restartCount: number,
  replace?: Instance,
): Promise<void> {
  const { ref } = st;
  const { docker } = ctx;
  const name = containerName(ref, c.name);
  try {
    for (const m of c.volumeMounts ?? []) {
      const err = st.volumeErrors.get(m.name);
      if (err) throw new ContainerStartError('ContainerCreating', err);
    }
    await ensureImage(ctx, pod, st, c, st.resolve ?? NO_DATA);
    const image = await imageInfo(ctx, normalizeImage(c.image ?? ''));
    const env = await resolveEnv(pod, c, st.resolve ?? NO_DATA, { podIP: ip, hostIP: ctx.opts.hostIP, nodeName: ctx.nodeName });
    const { mounts, binds } = await mountsFor(ctx, pod, c, env);
    const { User, ...security } = containerSecurity(pod, c, image?.Config?.User, { allowPrivileged: ctx.opts.allowPrivileged });
    const limits = c.resources?.limits ?? {};
    let memory: number | undefined;
    let nanoCpus: number | undefined;
    try {
      memory = limits.memory !== undefined ? memoryToBytes(limits.memory) : undefined;
      nanoCpus = limits.cpu !== undefined ? cpuToNanoCpus(limits.cpu) : undefined;
    } catch (e) {
      throw configError(`container ${c.name}: ${errorMessage(e)}`);
    }
    const cmd = c.command?.map((s) => expandVars(s, env));
    const args = c.args?.map((s) => expandVars(s, env));
    // Admission bounded the literal values; env from Secrets and ConfigMaps is only known here (and envFrom
    // comes first, so a variable is named rather than numbered).
    const tooBig = execProblems(`container ${c.name}`, cmd ?? [], args ?? [], env, (name) => `container ${c.name} env ${name}`)[0];
    if (tooBig) throw configError(`${tooBig.field}: ${tooBig.message}`);

    if (replace) {
      // Keep exactly one previous instance (for `logs --previous`), as kubelet does; found by labels, so one an
      // older agent named differently goes too.
      for (const prev of await instancesOf(ctx, ref, c.name, true)) {
        if (prev.Id === replace.info.Id) continue;
        await docker
          .getContainer(prev.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      }
      await docker.getContainer(replace.info.Id).rename({ name: `${name}${PREVIOUS_SUFFIX}` });
    } else {
      // A leftover with our name but not seen by observe (another node label, a crash mid-create): replace it.
      await docker
        .getContainer(name)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    }
    const created = await docker.createContainer({
      name,
      Image: normalizeImage(c.image ?? ''),
      Entrypoint: cmd,
      Cmd: cmd ? (args ?? []) : args,
      Env: [...env].map(([k, v]) => `${k}=${v}`),
      WorkingDir: c.workingDir,
      User,
      Tty: !!c.tty,
      OpenStdin: !!c.stdin,
      AttachStdin: false,
      Labels: objectLabels(ctx, {
        [LABEL.podUid]: ref.uid,
        [LABEL.podName]: ref.name,
        [LABEL.podNamespace]: ref.namespace,
        [LABEL.role]: role,
        [LABEL.containerName]: c.name,
        [LABEL.restartCount]: String(restartCount),
        [LABEL.specHash]: specHash(c),
      }),
      HostConfig: {
        NetworkMode: `container:${sandbox.info.Id}`,
        IpcMode: `container:${sandbox.info.Id}`,
        PidMode: pod.spec.shareProcessNamespace ? `container:${sandbox.info.Id}` : undefined,
        Mounts: mounts,
        Binds: binds.length ? binds : undefined,
        Memory: memory,
        MemorySwap: memory,
        NanoCpus: nanoCpus,
        RestartPolicy: { Name: 'no' },
        ...security,
      },
    });
    // The successor exists and carries the count in its labels from now on.
    st.carried.delete(`${role}/${c.name}`);
    st.waiting.delete(c.name);
    try {
      await created.start();
    } catch (e) {
      st.waiting.set(c.name, { reason: 'RunContainerError', message: errorMessage(e) });
      return;
    }
    await postStart(ctx, pod, c, created.id);
  } catch (e) {
    if (e instanceof ContainerStartError) st.waiting.set(c.name, { reason: e.reason, message: e.message });
    else st.waiting.set(c.name, { reason: 'CreateContainerError', message: errorMessage(e) });
  }
}

/** Starts an instance an earlier sync created but did not start. */
export async function startCreated(ctx: DockerContext, st: PodState, c: Container, id: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).start();
    st.waiting.delete(c.name);
  } catch (e) {
    st.waiting.set(c.name, { reason: 'RunContainerError', message: errorMessage(e) });
  }
}

async function postStart(ctx: DockerContext, pod: Pod, c: Container, id: string): Promise<void> {
  const hook = c.lifecycle?.postStart;
  if (!hook) return;
  const ok = await runHook(ctx, pod, c, id, hook, 30_000);
  if (!ok)
    await ctx.docker
      .getContainer(id)
      .stop({ t: pod.spec.terminationGracePeriodSeconds ?? 30 })
      .catch(() => undefined);
}

async function runHook(ctx: DockerContext, pod: Pod, c: Container, id: string, hook: LifecycleHandler, timeoutMs: number): Promise<boolean> {
  try {
    if (hook.sleep) {
      await sleep(Math.min(hook.sleep.seconds * 1000, timeoutMs));
      return true;
    }
    if (hook.exec) return (await execIn(ctx, id, hook.exec.command ?? [], timeoutMs)).exitCode === 0;
    if (hook.httpGet || hook.tcpSocket) {
      const ref = podRef(pod);
      const obs = await observePod(ctx, ref.uid);
      const ip = podIP(ctx, ref.namespace, obs.sandbox);
      const r = await runProbe({ httpGet: hook.httpGet, tcpSocket: hook.tcpSocket, timeoutSeconds: Math.ceil(timeoutMs / 1000) }, c, {
        podIP: () => ip,
        exec: async () => 1,
      });
      return r.ok;
    }
  } catch {
    return false;
  }
  return true;
}

/** preStop hook, then SIGTERM and SIGKILL once the grace period is over. */
export async function stopInstance(ctx: DockerContext, pod: Pod, c: Container | undefined, inst: Instance, graceSeconds: number): Promise<void> {
  const deadline = Date.now() + graceSeconds * 1000;
  if (inst.obs.running && c?.lifecycle?.preStop) await runHook(ctx, pod, c, inst.info.Id, c.lifecycle.preStop, Math.max(0, deadline - Date.now()));
  const t = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  await ctx.docker
    .getContainer(inst.info.Id)
    .stop({ t })
    .catch((e: unknown) => {
      if (!isNotFound(e) && statusCode(e) !== 304) throw e;
    });
}
