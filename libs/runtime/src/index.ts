export { DockerRuntime, normalizeImage } from './docker-runtime';
export type { DockerRuntimeOptions, ManagedPod, ManagedContainer, LogOptions, ExecSession, PodEventListener, PodStatusListener } from './docker-runtime';
export type { DataResolver } from './env';
export type { PodRuntimeStatus, PodRuntimePhase } from './pod-status';
export { podPhase, podConditions } from './pod-status';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff';
export type { BackoffPolicy } from './backoff';
export {
  LABEL,
  MAX_VOLUME_NAME,
  PREVIOUS_SUFFIX,
  SANDBOX_NAME,
  containerName,
  legacyContainerName,
  namespaceNetworkName,
  podVolumeName,
  pvcVolumeName,
} from './labels';
export type { PodRef } from './labels';
export { claimKey, engineGarbage } from './engine-gc';
export type { EngineGarbage, EngineKeep, EngineInventory, LabelledObject } from './engine-gc';
export { hardenDocker, unsafeDockerPath } from './docker-client';
export { EngineLiveness, SANDBOX_CHANGED, pingDelayMs, recreatedRestartCount } from './sandbox-change';
export type { PodEvent } from './sandbox-change';
export { cidrRange, freeSubnet } from './subnets';
