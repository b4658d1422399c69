// Output and commands of running containers: `kubectl logs` (also --previous), `kubectl exec`, the log
// shipper's follow of every instance, and commands the runtime itself runs (probes, hooks, projected files).
import { Readable, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { Pod } from '@flotilla/resources';
import { ContainerNotFoundError, ContainerNotRunningError } from '../errors';
import { LABEL, PREVIOUS_SUFFIX, containerName, podRef, type PodRef } from '../labels';
import { ByteLimiter, DockerDemuxer, FrameReader, splitDockerStream } from '../log-stream';
import type { ExecSession, InstanceLogFollow, LogOptions, OutputStream } from '../pod-runtime';
import { isNotFound, mine, sleep, statusCode, type DockerContext } from './context';

/**
 * A pod container's current (or kept previous) instances, found by labels rather than by name: containers an
 * older agent made under another name scheme (`legacyContainerName`) are still this pod's after an upgrade.
 */
export async function instancesOf(ctx: DockerContext, ref: PodRef, container: string, previous: boolean): Promise<Docker.ContainerInfo[]> {
  const list = await ctx.docker.listContainers({
    all: true,
    filters: mine(ctx, `${LABEL.podUid}=${ref.uid}`, `${LABEL.containerName}=${container}`),
  });
  return list.filter((c) => (c.Names ?? []).some((n) => n.endsWith(PREVIOUS_SUFFIX)) === previous).sort((a, b) => b.Created - a.Created);
}

async function instanceId(ctx: DockerContext, ref: PodRef, container: string, previous: boolean): Promise<string | undefined> {
  return (await instancesOf(ctx, ref, container, previous))[0]?.Id;
}

/** A container's stdout and stderr as plain text; `previous` reads the last exited instance. */
export async function containerLogs(ctx: DockerContext, pod: Pod, container: string, opts: LogOptions = {}): Promise<NodeJS.ReadableStream> {
  const ref = podRef(pod);
  const id = await instanceId(ctx, ref, container, !!opts.previous);
  const handle = ctx.docker.getContainer(id ?? `${containerName(ref, container)}${opts.previous ? PREVIOUS_SUFFIX : ''}`);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await handle.inspect();
  } catch (e) {
    if (!isNotFound(e)) throw e;
    throw new Error(
      opts.previous
        ? `previous terminated container "${container}" in pod "${ref.name}" not found`
        : `container "${container}" in pod "${ref.name}" is waiting to start: ContainerCreating`,
    );
  }
  const base = {
    stdout: true,
    stderr: true,
    timestamps: !!opts.timestamps,
    tail: opts.tailLines,
    since: opts.sinceSeconds ? Math.floor(Date.now() / 1000) - opts.sinceSeconds : 0,
  };
  const raw: NodeJS.ReadableStream =
    opts.follow && !opts.previous ? await handle.logs({ ...base, follow: true }) : Readable.from([await handle.logs({ ...base, follow: false })]);
  const text: NodeJS.ReadableStream = info.Config.Tty ? raw : raw.pipe(new DockerDemuxer());
  if (opts.limitBytes === undefined) return text;
  const destroy = (): void => (raw as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  return text.pipe(new ByteLimiter(opts.limitBytes, destroy));
}

/**
 * Follows one instance's output with the engine's timestamps from `sinceSeconds` (Unix time; 0: from the start),
 * handing each piece to `output` with the stream it came from; a terminal has one stream, stdout.
 */
export async function followInstanceLogs(
  ctx: DockerContext,
  id: string,
  sinceSeconds: number,
  output: (stream: OutputStream, data: Buffer) => void,
): Promise<InstanceLogFollow> {
  const handle = ctx.docker.getContainer(id);
  const info = await handle.inspect();
  const stream = (await handle.logs({ follow: true, stdout: true, stderr: true, timestamps: true, since: sinceSeconds })) as NodeJS.ReadableStream;
  const frames = info.Config.Tty ? undefined : new FrameReader();
  const ended = new Promise<void>((resolve) => {
    stream.on('data', (d: Buffer) => {
      if (!frames) output('stdout', d);
      else frames.read(d, (s, payload) => output(s === 2 ? 'stderr' : 'stdout', payload));
    });
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
  return { ended, stop: () => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.() };
}

/** Starts a command in a running container (kubectl exec). */
export async function execSession(
  ctx: DockerContext,
  pod: Pod,
  container: string,
  command: string[],
  opts: { stdin?: boolean; tty?: boolean } = {},
): Promise<ExecSession> {
  const ref = podRef(pod);
  const handle = ctx.docker.getContainer((await instanceId(ctx, ref, container, false)) ?? containerName(ref, container));
  let exec: Docker.Exec;
  let stream: Duplex;
  try {
    exec = await handle.exec({ Cmd: command, AttachStdin: !!opts.stdin, AttachStdout: true, AttachStderr: true, Tty: !!opts.tty });
    stream = await exec.start({ hijack: true, stdin: !!opts.stdin, Tty: !!opts.tty });
  } catch (e) {
    // The engine's 404 and 409, in the runtime's own terms (the kubelet endpoint answers them differently).
    if (statusCode(e) === 404) throw new ContainerNotFoundError(`container not found ("${container}")`);
    if (statusCode(e) === 409) throw new ContainerNotRunningError(`container ${container} in pod ${ref.name} is not running`);
    throw e;
  }
  const split = opts.tty ? undefined : splitDockerStream(stream);
  const ended = new Promise<void>((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
  return {
    stream,
    stdout: split?.stdout ?? stream,
    stderr: split?.stderr,
    resize: async (width, height) => {
      await exec.resize({ w: width, h: height });
    },
    exitCode: async () => {
      await ended;
      for (let i = 0; i < 100; i++) {
        const info = await exec.inspect();
        if (!info.Running) return info.ExitCode ?? -1;
        await sleep(20);
      }
      return -1;
    },
  };
}

/** Runs a command in a container and collects its output; rejects when it outlasts the timeout. */
export async function execIn(ctx: DockerContext, containerId: string, command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  const exec = await ctx.docker.getContainer(containerId).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const demux = new DockerDemuxer();
  demux.on('data', (b: Buffer) => chunks.push(b));
  stream.pipe(demux);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      stream.destroy();
      reject(new Error(`command timed out after ${timeoutMs}ms`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(t);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running) return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
    await sleep(20);
  }
  return { exitCode: -1, output: Buffer.concat(chunks).toString('utf8') };
}
