// Which container of a pod a log, exec or attach request means, with kube-apiserver's words when it
// names none (and there are several) or one the pod does not have.
import type { ContainerStatus, Pod } from '@flotilla/resources';
import { badRequest } from './status';

/** `requested` as given by the client ('' or undefined: the default-container annotation, else the only container). */
export function containerFor(pod: Pod, requested: string | undefined): string {
  const name = pod.metadata.name ?? '';
  const specs = pod.spec.containers.map((c) => c.name);
  const inits = (pod.spec.initContainers ?? []).map((c) => c.name);
  const ephemeral = ((pod.spec as { ephemeralContainers?: { name: string }[] }).ephemeralContainers ?? []).map((c) => c.name);
  let container = requested ?? '';
  if (!container) {
    const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (annotated && specs.includes(annotated)) container = annotated;
    else if (specs.length === 1) container = specs[0];
    else {
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${specs.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`,
      );
    }
  }
  if (![...specs, ...inits, ...ephemeral].includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** The status of a container (app or init) of the pod, if the node reported one. */
export function containerStatusOf(pod: Pod, container: string): ContainerStatus | undefined {
  const st = pod.status;
  return [...(st?.containerStatuses ?? []), ...(st?.initContainerStatuses ?? [])].find((c) => c.name === container);
}
