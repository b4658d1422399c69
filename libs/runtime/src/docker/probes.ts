// Startup, readiness and liveness probers for a pod's running containers: one per instance, replaced when the
// instance is, stopped when it stops.
import type { Container, Pod } from '@flotilla/resources';
import { ContainerProber } from '../prober';
import type { DockerContext } from './context';
import type { ObservedPod } from './observe';
import type { PodState } from './pod-state';
import { execIn } from './streams';

export interface ProbeOutcomes {
  /** Readiness or started changed: the pod's status is due. */
  changed: (st: PodState) => void;
  /** Liveness or startup failed: the instance must go. */
  failed: (st: PodState, c: Container, id: string) => void;
}

export function ensureProbers(ctx: DockerContext, pod: Pod, st: PodState, observed: ObservedPod, podIP: string | undefined, on: ProbeOutcomes): void {
  const keep = new Set<string>();
  for (const c of pod.spec.containers) {
    const cur = observed.current.get(c.name);
    if (!cur?.obs.running || !(c.readinessProbe || c.livenessProbe || c.startupProbe)) continue;
    keep.add(c.name);
    const existing = st.probers.get(c.name);
    if (existing?.containerId === cur.info.Id) continue;
    existing?.stop();
    const id = cur.info.Id;
    const prober = new ContainerProber(
      id,
      c,
      { podIP: () => podIP, exec: (cmd, timeoutMs) => execIn(ctx, id, cmd, timeoutMs).then((r) => r.exitCode) },
      {
        changed: () => on.changed(st),
        // As kubelet: the container is killed and restarts under the crash-loop back-off, whose waiting message the status reports.
        failed: () => on.failed(st, c, id),
      },
    );
    st.probers.set(c.name, prober);
    prober.start();
  }
  for (const [name, p] of st.probers) {
    if (!keep.has(name)) {
      p.stop();
      st.probers.delete(name);
    }
  }
}
