// apps/v1 Deployment and batch/v1 Job (CronJob's messages are in its kind module).
export const APPS_PROTO = `
syntax = "proto3";

package apps;

message Deployment {
  meta.ObjectMeta metadata = 1;
  DeploymentSpec spec = 2;
  DeploymentStatus status = 3;
}

message DeploymentSpec {
  optional int32 replicas = 1;
  meta.LabelSelector selector = 2;
  core.PodTemplateSpec template = 3;
  DeploymentStrategy strategy = 4;
  int32 minReadySeconds = 5;
  optional int32 revisionHistoryLimit = 6;
  bool paused = 7;
  optional int32 progressDeadlineSeconds = 9;
  optional string podReplacementPolicy = 10;
}

message DeploymentStrategy {
  string type = 1;
  RollingUpdateDeployment rollingUpdate = 2;
}

message RollingUpdateDeployment {
  meta.IntOrString maxUnavailable = 1;
  meta.IntOrString maxSurge = 2;
}

message DeploymentStatus {
  int64 observedGeneration = 1;
  int32 replicas = 2;
  int32 updatedReplicas = 3;
  int32 availableReplicas = 4;
  int32 unavailableReplicas = 5;
  repeated DeploymentCondition conditions = 6;
  int32 readyReplicas = 7;
  optional int32 collisionCount = 8;
  optional int32 terminatingReplicas = 9;
}

message DeploymentCondition {
  string type = 1 [(always) = true];
  string status = 2 [(always) = true];
  string reason = 4;
  string message = 5;
  meta.Time lastUpdateTime = 6;
  meta.Time lastTransitionTime = 7;
}
`;

export const BATCH_PROTO = `
syntax = "proto3";

package batch;

message Job {
  meta.ObjectMeta metadata = 1;
  JobSpec spec = 2;
  JobStatus status = 3;
}

message JobSpec {
  optional int32 parallelism = 1;
  optional int32 completions = 2;
  optional int64 activeDeadlineSeconds = 3;
  meta.LabelSelector selector = 4;
  optional bool manualSelector = 5;
  core.PodTemplateSpec template = 6;
  optional int32 backoffLimit = 7;
  optional int32 ttlSecondsAfterFinished = 8;
  optional string completionMode = 9;
  optional bool suspend = 10;
  PodFailurePolicy podFailurePolicy = 11;
  optional int32 backoffLimitPerIndex = 12;
  optional int32 maxFailedIndexes = 13;
  optional string podReplacementPolicy = 14;
  optional string managedBy = 15;
  SuccessPolicy successPolicy = 16;
}

message PodFailurePolicy {
  repeated PodFailurePolicyRule rules = 1;
}

message PodFailurePolicyRule {
  string action = 1 [(always) = true];
  PodFailurePolicyOnExitCodesRequirement onExitCodes = 2;
  repeated PodFailurePolicyOnPodConditionsPattern onPodConditions = 3;
}

message PodFailurePolicyOnExitCodesRequirement {
  optional string containerName = 1;
  string operator = 2 [(always) = true];
  repeated int32 values = 3 [packed = false];
}

message PodFailurePolicyOnPodConditionsPattern {
  string type = 1 [(always) = true];
  string status = 2;
}

message SuccessPolicy {
  repeated SuccessPolicyRule rules = 1;
}

message SuccessPolicyRule {
  optional string succeededIndexes = 1;
  optional int32 succeededCount = 2;
}

message JobStatus {
  repeated JobCondition conditions = 1;
  meta.Time startTime = 2;
  meta.Time completionTime = 3;
  int32 active = 4;
  int32 succeeded = 5;
  int32 failed = 6;
  string completedIndexes = 7;
  UncountedTerminatedPods uncountedTerminatedPods = 8;
  optional int32 ready = 9;
  optional string failedIndexes = 10;
  optional int32 terminating = 11;
}

message UncountedTerminatedPods {
  repeated string succeeded = 1;
  repeated string failed = 2;
}

message JobCondition {
  string type = 1 [(always) = true];
  string status = 2 [(always) = true];
  meta.Time lastProbeTime = 3;
  meta.Time lastTransitionTime = 4;
  string reason = 5;
  string message = 6;
}
`;
