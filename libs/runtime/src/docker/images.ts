// Images: the pull policy, registry credentials from imagePullSecrets, and the pull back-off.
import type Docker from 'dockerode';
import type { Container, Pod } from '@flotilla/resources';
import { imageReferenceError } from '@flotilla/resources';
import { backoffDelay } from '../backoff';
import type { DataResolver } from '../env';
import { ContainerStartError } from '../errors';
import { errorMessage, isNotFound, type DockerContext } from './context';
import type { PodState } from './pod-state';

/** `busybox` → `busybox:latest`; digests and explicit tags stay. */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return normalizeImage(image).endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

function registryHost(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** The local image, or undefined when the engine does not have it. */
export async function imageInfo(ctx: DockerContext, image: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await ctx.docker.getImage(image).inspect();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function pullAuth(pod: Pod, image: string, resolve: DataResolver): Promise<Docker.AuthConfig | undefined> {
  const host = registryHost(image);
  const candidates = host === 'docker.io' ? ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'registry-1.docker.io'] : [host, `https://${host}`];
  for (const ref of pod.spec.imagePullSecrets ?? []) {
    const data = await resolve.secret(pod.metadata.namespace ?? 'default', ref.name);
    const raw = data?.['.dockerconfigjson'] ?? data?.['.dockercfg'];
    if (!raw) continue;
    let parsed: { auths?: Record<string, { username?: string; password?: string; auth?: string }> } & Record<string, unknown>;
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      continue;
    }
    const auths = (parsed.auths ?? parsed) as Record<string, { username?: string; password?: string; auth?: string }>;
    for (const key of candidates) {
      const a = auths[key];
      if (!a) continue;
      let { username, password } = a;
      if ((!username || !password) && a.auth) [username, password] = Buffer.from(a.auth, 'base64').toString('utf8').split(/:(.*)/s);
      if (username && password) return { username, password, serveraddress: key };
    }
  }
  return undefined;
}

/** Makes the container's image present as its pull policy says; throws the waiting reason when it cannot. */
export async function ensureImage(ctx: DockerContext, pod: Pod, st: PodState, c: Container, resolve: DataResolver): Promise<void> {
  if (!c.image) throw new ContainerStartError('InvalidImageName', `container ${c.name} has no image`);
  // Second wall behind admission: a stored pod may not have passed it (older data, direct writes).
  const invalid = imageReferenceError(c.image);
  if (invalid) throw new ContainerStartError('InvalidImageName', `Failed to apply default image tag ${JSON.stringify(c.image.slice(0, 300))}: ${invalid}`);
  const image = normalizeImage(c.image);
  const policy = c.imagePullPolicy ?? defaultPullPolicy(c.image);
  let local: Docker.ImageInspectInfo | undefined;
  try {
    local = await imageInfo(ctx, image);
  } catch (e) {
    throw new ContainerStartError('ErrImagePull', `failed to inspect image "${c.image}": ${errorMessage(e)}`);
  }
  if (policy === 'Never') {
    if (!local) throw new ContainerStartError('ErrImageNeverPull', `Container image "${c.image}" is not present with pull policy of Never`);
    return;
  }
  if (local && policy === 'IfNotPresent') return;
  const failure = st.pullFailures.get(image);
  if (failure && Date.now() < failure.retryAt) {
    if (local) return;
    throw new ContainerStartError('ImagePullBackOff', `Back-off pulling image "${c.image}": ${failure.message}`);
  }
  try {
    const auth = await pullAuth(pod, image, resolve);
    const stream = await ctx.docker.pull(image, auth ? { authconfig: auth } : {});
    await new Promise<void>((ok, fail) => ctx.docker.modem.followProgress(stream, (err: Error | null) => (err ? fail(err) : ok())));
    st.pullFailures.delete(image);
  } catch (e) {
    const message = errorMessage(e);
    const count = (failure?.count ?? 0) + 1;
    st.pullFailures.set(image, { count, retryAt: Date.now() + backoffDelay(ctx.backoff, count - 1), message });
    // With pullPolicy Always an unreachable registry is not fatal when the image is here (offline nodes).
    if (local) return;
    throw new ContainerStartError('ErrImagePull', `failed to pull image "${c.image}": ${message}`);
  }
}
