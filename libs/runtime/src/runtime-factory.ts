// The one place that picks the container runtime implementation, so the agent names none.
import type { DockerRuntimeOptions } from './docker/context';
import { DockerRuntime } from './docker/runtime';
import type { PodRuntime } from './pod-runtime';

/** The node's settings for its runtime; the engine is found from the environment (DOCKER_HOST or the local socket). */
export type PodRuntimeOptions = Omit<DockerRuntimeOptions, 'docker'>;

export function createPodRuntime(opts: PodRuntimeOptions): PodRuntime {
  return new DockerRuntime(opts);
}
