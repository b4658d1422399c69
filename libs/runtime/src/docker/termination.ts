// Removing a pod: preStop hooks and graceful stops of what runs, then its containers, sandbox, volumes and
// subPath binds.
import * as path from 'node:path';
import type { Container, Pod } from '@flotilla/resources';
import { LABEL, type PodRef } from '../labels';
import { removeSubPathBinds } from '../subpath';
import { isNotFound, mine, sleep, type DockerContext } from './context';
import { stopInstance } from './containers';
import { observePod } from './observe';

const NO_POD: Pod = { metadata: {}, spec: { containers: [] }, apiVersion: 'v1', kind: 'Pod' };

export async function removePod(ctx: DockerContext, ref: PodRef, pod: Pod | undefined, graceSeconds: number): Promise<void> {
  const observed = await observePod(ctx, ref.uid);
  const specs = new Map<string, Container>([...(pod?.spec.initContainers ?? []), ...(pod?.spec.containers ?? [])].map((c) => [c.name, c]));
  const running = observed.all.filter((i) => i.role !== 'sandbox' && i.obs.running);
  await Promise.all(running.map((i) => stopInstance(ctx, pod ?? NO_POD, specs.get(i.name), i, graceSeconds).catch(() => undefined)));
  const remove = (id: string): Promise<unknown> =>
    ctx.docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  await Promise.all(observed.all.filter((i) => i.role !== 'sandbox').map((i) => remove(i.info.Id)));
  if (observed.sandbox) await remove(observed.sandbox.info.Id);
  await removePodVolumes(ctx, ref.uid);
  await removeSubPathBinds(path.posix.join(ctx.subPathDir, ref.uid));
}

async function removePodVolumes(ctx: DockerContext, uid: string): Promise<void> {
  const res = await ctx.docker.listVolumes({ filters: mine(ctx, `${LABEL.podUid}=${uid}`) });
  await Promise.all(
    (res.Volumes ?? []).map(async (v) => {
      for (let attempt = 0; ; attempt++) {
        try {
          await ctx.docker.getVolume(v.Name).remove();
          return;
        } catch (e) {
          if (isNotFound(e)) return;
          if (attempt >= 5) throw e;
          await sleep(100 * (attempt + 1));
        }
      }
    }),
  );
}
