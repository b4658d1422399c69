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

/** The pod's container has no instance on this node (kubectl exec: 404). */
export class ContainerNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerNotFoundError';
  }
}

/** The pod's container exists but does not run (kubectl exec: 400). */
export class ContainerNotRunningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerNotRunningError';
  }
}
