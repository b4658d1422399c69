export type {
  PodRuntime,
  ManagedPod,
  ManagedContainer,
  ContainerInstance,
  LogOptions,
  OutputStream,
  InstanceLogFollow,
  ExecSession,
  PodEventListener,
  PodStatusListener,
  RuntimeInfo,
  ServiceProxyInstance,
  ServiceProxySpec,
} from './pod-runtime';
export { DockerRuntime } from './docker/runtime';
export type { DockerRuntimeOptions } from './docker/context';
export { normalizeImage } from './docker/images';
export { SERVICE_LABEL, PROXY_ROLE } from './docker/service-proxies';
export { computePodActions, crashLoopBackOff, shouldRestart } from './pod-actions';
export type { ContainerAction, ObservedContainer, PodActions, PodActionsInput, SandboxState } from './pod-actions';
export { ContainerNotFoundError, ContainerNotRunningError } from './errors';
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
export { removeLabelled } from './docker/remove-labelled';
export { EngineLiveness, SANDBOX_CHANGED, pingDelayMs, recreatedRestartCount } from './sandbox-change';
export type { PodEvent } from './sandbox-change';
export { cidrRange, freeSubnet } from './subnets';
export { createPodRuntime } from './runtime-factory';
export type { PodRuntimeOptions } from './runtime-factory';
export { LineSplitter } from './lines';
