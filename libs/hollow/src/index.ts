// @flotilla/hollow: SIMULATED nodes for tests, demos and benchmarks (kubemark's hollow kubelet, in spirit).
export { HollowNodes, HEARTBEATS_ANNOTATION, FAIL_ANNOTATION, HOLLOW_LABEL, NODE_LEASE_NAMESPACE } from './hollow-nodes';
export type { HollowOptions } from './hollow-nodes';
