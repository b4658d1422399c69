// @flotilla/scheduler: the framework-free placement algorithm the controller's scheduler worker calls.
export { SchedulerCache } from './cache';
export type { NodeSnapshot } from './cache';
export { schedule, needsScheduling, numFeasibleNodesToFind, fitErrorMessage, explainUnschedulable, NO_NODES_MESSAGE, DEFAULT_SCHEDULER_NAME } from './schedule';
export type { ScheduleOptions, ScheduleResult, ScheduleSuccess, ScheduleFailure } from './schedule';
export { podRequests, DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST } from './requests';
export type { PodRequests } from './requests';
export { tolerates, toleratesTaint, effectiveTaints, TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from './taints';
export {
  REASON_UNSCHEDULABLE,
  REASON_NODE_AFFINITY,
  REASON_HOST_PORTS,
  REASON_TOO_MANY_PODS,
  REASON_INSUFFICIENT_CPU,
  REASON_INSUFFICIENT_MEMORY,
} from './filters';
