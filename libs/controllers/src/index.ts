// @flotilla/controllers: the pure decision logic of the control loops, plan(desired, observed, now) → actions.
export type { Action, ActionType, PlannedEvent, EventObjectReference } from './actions';
export { BURST_REPLICAS, slowStartBatch, controllerRefTo, controllerRefOf, formatTime } from './actions';
export { planReplicaSet, planReplicaFailure, replicaSetStatus, REPLICA_FAILURE } from './replicaset';
export { planDeployment } from './deployment';
export {
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  CHANGE_CAUSE_ANNOTATION,
  resolveFenceposts,
  maxSurge,
  maxUnavailable,
} from './deployment-util';
export { podTemplateHash, templatesEqualIgnoringHash, POD_TEMPLATE_HASH_LABEL } from './pod-template-hash';
export { planEndpoints, endpointSubsets, resolveTargetPort, HEADLESS_LABEL } from './endpoints';
export { planJob, jobActiveTarget, JOB_NAME_LABEL, CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL } from './job';
export { isPodReady, isPodAvailable, isPodActive, compareDeletionOrder } from './pods';
export { planNodeLifecycle, initialNodeLifecycleState, interruptObservation, disruptionOf } from './node-lifecycle';
export type { NodeObservation, NodeLifecycleOptions, NodeLifecycleState, NodeLifecyclePlan, Disruption } from './node-lifecycle';
export {
  planGarbageCollection,
  needsCollection,
  inForegroundDeletion,
  withoutOwners,
  withoutForegroundFinalizer,
  FOREGROUND_FINALIZER,
  FOREGROUND_WAIT_MS,
} from './garbage-collector';
export type { GarbagePlan, OwnershipView } from './garbage-collector';
export {
  planNamespaceDeletion,
  namespaceDeletionConditions,
  mergeNamespaceConditions,
  finalizedNamespace,
  isNamespaceTerminating,
  NAMESPACE_FINALIZER,
  NAMESPACE_WAIT_MS,
} from './namespace';
export type { NamespaceContent, NamespaceDeletionPlan } from './namespace';
export {
  planNodeController,
  lastHeartbeat,
  tolerationMs,
  unreachableConditions,
  unreachableTaints,
  readmittedConditions,
  readmittedTaints,
  notReadyConditions,
} from './node-lifecycle';
export type { NodeAction, NodeControllerOptions, NodeControllerPlan, NodeLifecycleSnapshot, PodEviction } from './node-lifecycle';
export { planCronJob, jobNameFor, SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob';
export { parseCron, nextAfter, mostRecent, CronError } from './cron-schedule';
export type { CronSchedule } from './cron-schedule';
