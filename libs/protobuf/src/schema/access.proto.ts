// rbac.authorization.k8s.io/v1, authentication.k8s.io/v1 and authorization.k8s.io/v1: roles and
// bindings, `kubectl create token`, `kubectl auth whoami` and `kubectl auth can-i`.
export const RBAC_PROTO = `
syntax = "proto3";

package rbac;

message Role {
  meta.ObjectMeta metadata = 1;
  repeated PolicyRule rules = 2;
}

message ClusterRole {
  meta.ObjectMeta metadata = 1;
  repeated PolicyRule rules = 2;
  AggregationRule aggregationRule = 3;
}

message AggregationRule {
  repeated meta.LabelSelector clusterRoleSelectors = 1;
}

message PolicyRule {
  repeated string verbs = 1;
  repeated string apiGroups = 2;
  repeated string resources = 3;
  repeated string resourceNames = 4;
  repeated string nonResourceURLs = 5;
}

message RoleBinding {
  meta.ObjectMeta metadata = 1;
  repeated Subject subjects = 2;
  RoleRef roleRef = 3;
}

message ClusterRoleBinding {
  meta.ObjectMeta metadata = 1;
  repeated Subject subjects = 2;
  RoleRef roleRef = 3;
}

message Subject {
  string kind = 1 [(always) = true];
  string apiGroup = 2;
  string name = 3 [(always) = true];
  string namespace = 4;
}

message RoleRef {
  string apiGroup = 1 [(always) = true];
  string kind = 2 [(always) = true];
  string name = 3 [(always) = true];
}
`;

export const AUTHENTICATION_PROTO = `
syntax = "proto3";

package authentication;

message TokenRequest {
  meta.ObjectMeta metadata = 1;
  TokenRequestSpec spec = 2;
  TokenRequestStatus status = 3;
}

message TokenRequestSpec {
  repeated string audiences = 1;
  BoundObjectReference boundObjectRef = 3;
  optional int64 expirationSeconds = 4;
}

message BoundObjectReference {
  string kind = 1;
  string apiVersion = 2;
  string name = 3;
  string uid = 4;
}

message TokenRequestStatus {
  string token = 1 [(always) = true];
  meta.Time expirationTimestamp = 2;
}

// No spec: the request is empty and the answer is the caller's identity.
message SelfSubjectReview {
  meta.ObjectMeta metadata = 1;
  SelfSubjectReviewStatus status = 2;
}

message SelfSubjectReviewStatus {
  UserInfo userInfo = 1;
}

message UserInfo {
  string username = 1;
  string uid = 2;
  repeated string groups = 3;
  map<string, ExtraValue> extra = 4;
}

// JSON: a plain list of strings.
message ExtraValue {
  repeated string items = 1;
}
`;

export const AUTHORIZATION_PROTO = `
syntax = "proto3";

package authorization;

message SelfSubjectAccessReview {
  meta.ObjectMeta metadata = 1;
  SelfSubjectAccessReviewSpec spec = 2;
  SubjectAccessReviewStatus status = 3;
}

message SelfSubjectAccessReviewSpec {
  ResourceAttributes resourceAttributes = 1;
  NonResourceAttributes nonResourceAttributes = 2;
}

message ResourceAttributes {
  string namespace = 1;
  string verb = 2;
  string group = 3;
  string version = 4;
  string resource = 5;
  string subresource = 6;
  string name = 7;
  FieldSelectorAttributes fieldSelector = 8;
  LabelSelectorAttributes labelSelector = 9;
}

message FieldSelectorAttributes {
  string rawSelector = 1;
  repeated FieldSelectorRequirement requirements = 2;
}

message FieldSelectorRequirement {
  string key = 1 [(always) = true];
  string operator = 2 [(always) = true];
  repeated string values = 3;
}

message LabelSelectorAttributes {
  string rawSelector = 1;
  repeated meta.LabelSelectorRequirement requirements = 2;
}

message NonResourceAttributes {
  string path = 1;
  string verb = 2;
}

message SubjectAccessReviewStatus {
  bool allowed = 1 [(always) = true];
  string reason = 2;
  string evaluationError = 3;
  bool denied = 4;
}

message SelfSubjectRulesReview {
  meta.ObjectMeta metadata = 1;
  SelfSubjectRulesReviewSpec spec = 2;
  SubjectRulesReviewStatus status = 3;
}

message SelfSubjectRulesReviewSpec {
  string namespace = 1;
}

message SubjectRulesReviewStatus {
  repeated ResourceRule resourceRules = 1;
  repeated NonResourceRule nonResourceRules = 2;
  bool incomplete = 3 [(always) = true];
  string evaluationError = 4;
}

message ResourceRule {
  repeated string verbs = 1;
  repeated string apiGroups = 2;
  repeated string resources = 3;
  repeated string resourceNames = 4;
}

message NonResourceRule {
  repeated string verbs = 1;
  repeated string nonResourceURLs = 2;
}
`;

// policy/v1 and scheduling.k8s.io/v1: `kubectl create poddisruptionbudget|priorityclass`.
export const POLICY_PROTO = `
syntax = "proto3";

package policy;

message PodDisruptionBudget {
  meta.ObjectMeta metadata = 1;
  PodDisruptionBudgetSpec spec = 2;
  PodDisruptionBudgetStatus status = 3;
}

message PodDisruptionBudgetSpec {
  meta.IntOrString minAvailable = 1;
  meta.LabelSelector selector = 2;
  meta.IntOrString maxUnavailable = 3;
  optional string unhealthyPodEvictionPolicy = 4;
}

message PodDisruptionBudgetStatus {
  int64 observedGeneration = 1;
  map<string, meta.Time> disruptedPods = 2;
  int32 disruptionsAllowed = 3 [(always) = true];
  int32 currentHealthy = 4 [(always) = true];
  int32 desiredHealthy = 5 [(always) = true];
  int32 expectedPods = 6 [(always) = true];
  repeated meta.Condition conditions = 7;
}
`;

export const SCHEDULING_PROTO = `
syntax = "proto3";

package scheduling;

message PriorityClass {
  meta.ObjectMeta metadata = 1;
  int32 value = 2 [(always) = true];
  bool globalDefault = 3;
  string description = 4;
  optional string preemptionPolicy = 5;
}
`;
