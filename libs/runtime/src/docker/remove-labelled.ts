// Cleanup for suites and benchmarks that run a real agent: what a run made is found by its label, not by
// remembering it, so a run that crashed half-way is cleaned up just the same.
import type Docker from 'dockerode';

const gone = (): undefined => undefined;

/** Removes every container (with its anonymous volumes), volume and network labelled `label` (`key=value`); what is already gone is no error. */
export async function removeLabelled(docker: Docker, label: string): Promise<void> {
  const filters = { label: [label] };
  const cs = await docker.listContainers({ all: true, filters });
  await Promise.all(cs.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(gone)));
  const vs = await docker.listVolumes({ filters });
  await Promise.all((vs.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(gone)));
  const ns = await docker.listNetworks({ filters });
  await Promise.all(ns.map((n) => docker.getNetwork(n.Id).remove().catch(gone)));
}
