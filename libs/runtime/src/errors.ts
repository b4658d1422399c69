// Errors that become a container's waiting reason (Kubernetes' own reason strings).

export type WaitingReason =
  | 'ContainerCreating'
  | 'PodInitializing'
  | 'CreateContainerConfigError'
  | 'CreateContainerError'
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'ErrImageNeverPull'
  | 'InvalidImageName'
  | 'CrashLoopBackOff'
  | 'RunContainerError';

export class ContainerStartError extends Error {
  constructor(
    readonly reason: WaitingReason,
    message: string,
  ) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

export function configError(message: string): ContainerStartError {
  return new ContainerStartError('CreateContainerConfigError', message);
}
