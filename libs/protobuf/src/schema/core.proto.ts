// core/v1: the kinds served under /api/v1 and the PodSpec that every workload embeds.
export const CORE_PROTO = `
syntax = "proto3";

package core;

message Namespace {
  meta.ObjectMeta metadata = 1;
  NamespaceSpec spec = 2;
  NamespaceStatus status = 3;
}

message NamespaceSpec {
  repeated string finalizers = 1;
}

message NamespaceStatus {
  string phase = 1;
  repeated NamespaceCondition conditions = 2;
}

message NamespaceCondition {
  string type = 1 [(always) = true];
  string status = 2 [(always) = true];
  meta.Time lastTransitionTime = 4;
  string reason = 5;
  string message = 6;
}

message ConfigMap {
  meta.ObjectMeta metadata = 1;
  map<string, string> data = 2;
  map<string, bytes> binaryData = 3;
  optional bool immutable = 4;
}

message Secret {
  meta.ObjectMeta metadata = 1;
  map<string, bytes> data = 2;
  string type = 3;
  map<string, string> stringData = 4;
  optional bool immutable = 5;
}

message ServiceAccount {
  meta.ObjectMeta metadata = 1;
  repeated ObjectReference secrets = 2;
  repeated LocalObjectReference imagePullSecrets = 3;
  optional bool automountServiceAccountToken = 4;
}

message ObjectReference {
  string kind = 1;
  string namespace = 2;
  string name = 3;
  string uid = 4;
  string apiVersion = 5;
  string resourceVersion = 6;
  string fieldPath = 7;
}

message LocalObjectReference {
  string name = 1;
}

message TypedLocalObjectReference {
  optional string apiGroup = 1;
  string kind = 2 [(always) = true];
  string name = 3 [(always) = true];
}

message ResourceQuota {
  meta.ObjectMeta metadata = 1;
  ResourceQuotaSpec spec = 2;
  ResourceQuotaStatus status = 3;
}

message ResourceQuotaSpec {
  map<string, meta.Quantity> hard = 1;
  repeated string scopes = 2;
  ScopeSelector scopeSelector = 3;
}

message ScopeSelector {
  repeated ScopedResourceSelectorRequirement matchExpressions = 1;
}

message ScopedResourceSelectorRequirement {
  string scopeName = 1 [(always) = true];
  string operator = 2 [(always) = true];
  repeated string values = 3;
}

message ResourceQuotaStatus {
  map<string, meta.Quantity> hard = 1;
  map<string, meta.Quantity> used = 2;
}

message Service {
  meta.ObjectMeta metadata = 1;
  ServiceSpec spec = 2;
  ServiceStatus status = 3;
}

message ServiceSpec {
  repeated ServicePort ports = 1;
  map<string, string> selector = 2;
  string clusterIP = 3;
  string type = 4;
  repeated string externalIPs = 5;
  string sessionAffinity = 7;
  string loadBalancerIP = 8;
  repeated string loadBalancerSourceRanges = 9;
  string externalName = 10;
  string externalTrafficPolicy = 11;
  int32 healthCheckNodePort = 12;
  bool publishNotReadyAddresses = 13;
  SessionAffinityConfig sessionAffinityConfig = 14;
  optional string ipFamilyPolicy = 17;
  repeated string clusterIPs = 18;
  repeated string ipFamilies = 19;
  optional bool allocateLoadBalancerNodePorts = 20;
  optional string loadBalancerClass = 21;
  optional string internalTrafficPolicy = 22;
  optional string trafficDistribution = 23;
}

message ServicePort {
  string name = 1;
  string protocol = 2;
  int32 port = 3 [(always) = true];
  meta.IntOrString targetPort = 4;
  int32 nodePort = 5;
  optional string appProtocol = 6;
}

message SessionAffinityConfig {
  ClientIPConfig clientIP = 1;
}

message ClientIPConfig {
  optional int32 timeoutSeconds = 1;
}

message ServiceStatus {
  LoadBalancerStatus loadBalancer = 1;
  repeated meta.Condition conditions = 2;
}

message LoadBalancerStatus {
  repeated LoadBalancerIngress ingress = 1;
}

message LoadBalancerIngress {
  string ip = 1;
  string hostname = 2;
  optional string ipMode = 3;
  repeated PortStatus ports = 4;
}

message PortStatus {
  int32 port = 1 [(always) = true];
  string protocol = 2 [(always) = true];
  optional string error = 3;
}

message Pod {
  meta.ObjectMeta metadata = 1;
  PodSpec spec = 2;
  PodStatus status = 3;
}

message PodTemplateSpec {
  meta.ObjectMeta metadata = 1;
  PodSpec spec = 2;
}

message PodSpec {
  repeated Volume volumes = 1;
  repeated Container containers = 2;
  string restartPolicy = 3;
  optional int64 terminationGracePeriodSeconds = 4;
  optional int64 activeDeadlineSeconds = 5;
  string dnsPolicy = 6;
  map<string, string> nodeSelector = 7;
  string serviceAccountName = 8;
  string serviceAccount = 9;
  string nodeName = 10;
  bool hostNetwork = 11;
  bool hostPID = 12;
  bool hostIPC = 13;
  PodSecurityContext securityContext = 14;
  repeated LocalObjectReference imagePullSecrets = 15;
  string hostname = 16;
  string subdomain = 17;
  Affinity affinity = 18;
  string schedulerName = 19;
  repeated Container initContainers = 20;
  optional bool automountServiceAccountToken = 21;
  repeated Toleration tolerations = 22;
  repeated HostAlias hostAliases = 23;
  string priorityClassName = 24;
  optional int32 priority = 25;
  PodDNSConfig dnsConfig = 26;
  optional bool shareProcessNamespace = 27;
  repeated PodReadinessGate readinessGates = 28;
  optional string runtimeClassName = 29;
  optional bool enableServiceLinks = 30;
  optional string preemptionPolicy = 31;
  map<string, meta.Quantity> overhead = 32;
  repeated TopologySpreadConstraint topologySpreadConstraints = 33;
  optional bool setHostnameAsFQDN = 35;
  PodOS os = 36;
  optional bool hostUsers = 37;
  repeated PodSchedulingGate schedulingGates = 38;
  repeated PodResourceClaim resourceClaims = 39;
  ResourceRequirements resources = 40;
}

message Container {
  string name = 1 [(always) = true];
  string image = 2;
  repeated string command = 3;
  repeated string args = 4;
  string workingDir = 5;
  repeated ContainerPort ports = 6;
  repeated EnvVar env = 7;
  ResourceRequirements resources = 8;
  repeated VolumeMount volumeMounts = 9;
  Probe livenessProbe = 10;
  Probe readinessProbe = 11;
  Lifecycle lifecycle = 12;
  string terminationMessagePath = 13;
  string imagePullPolicy = 14;
  SecurityContext securityContext = 15;
  bool stdin = 16;
  bool stdinOnce = 17;
  bool tty = 18;
  repeated EnvFromSource envFrom = 19;
  string terminationMessagePolicy = 20;
  repeated VolumeDevice volumeDevices = 21;
  Probe startupProbe = 22;
  repeated ContainerResizePolicy resizePolicy = 23;
  optional string restartPolicy = 24;
}

message ContainerPort {
  string name = 1;
  int32 hostPort = 2;
  int32 containerPort = 3 [(always) = true];
  string protocol = 4;
  string hostIP = 5;
}

message EnvVar {
  string name = 1 [(always) = true];
  string value = 2;
  EnvVarSource valueFrom = 3;
}

message EnvVarSource {
  ObjectFieldSelector fieldRef = 1;
  ResourceFieldSelector resourceFieldRef = 2;
  ConfigMapKeySelector configMapKeyRef = 3;
  SecretKeySelector secretKeyRef = 4;
}

message ObjectFieldSelector {
  string apiVersion = 1;
  string fieldPath = 2 [(always) = true];
}

message ResourceFieldSelector {
  string containerName = 1;
  string resource = 2 [(always) = true];
  meta.Quantity divisor = 3;
}

message ConfigMapKeySelector {
  LocalObjectReference localObjectReference = 1 [(inline) = true];
  string key = 2 [(always) = true];
  optional bool optional = 3;
}

message SecretKeySelector {
  LocalObjectReference localObjectReference = 1 [(inline) = true];
  string key = 2 [(always) = true];
  optional bool optional = 3;
}

message EnvFromSource {
  string prefix = 1;
  ConfigMapEnvSource configMapRef = 2;
  SecretEnvSource secretRef = 3;
}

message ConfigMapEnvSource {
  LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional bool optional = 2;
}

message SecretEnvSource {
  LocalObjectReference localObjectReference = 1 [(inline) = true];
  optional bool optional = 2;
}

message ResourceRequirements {
  map<string, meta.Quantity> limits = 1;
  map<string, meta.Quantity> requests = 2;
  repeated ResourceClaim claims = 3;
}

message ResourceClaim {
  string name = 1 [(always) = true];
  string request = 2;
}

message ContainerResizePolicy {
  string resourceName = 1 [(always) = true];
  string restartPolicy = 2 [(always) = true];
}

message VolumeMount {
  string name = 1 [(always) = true];
  bool readOnly = 2;
  string mountPath = 3 [(always) = true];
  string subPath = 4;
  optional string mountPropagation = 5;
  string subPathExpr = 6;
  optional string recursiveReadOnly = 7;
}

message VolumeDevice {
  string name = 1 [(always) = true];
  string devicePath = 2 [(always) = true];
}

message Probe {
  ProbeHandler handler = 1 [(inline) = true];
  int32 initialDelaySeconds = 2;
  int32 timeoutSeconds = 3;
  int32 periodSeconds = 4;
  int32 successThreshold = 5;
  int32 failureThreshold = 6;
  optional int64 terminationGracePeriodSeconds = 7;
}

message ProbeHandler {
  ExecAction exec = 1;
  HTTPGetAction httpGet = 2;
  TCPSocketAction tcpSocket = 3;
  GRPCAction grpc = 4;
}

message ExecAction {
  repeated string command = 1;
}

message HTTPGetAction {
  string path = 1;
  meta.IntOrString port = 2;
  string host = 3;
  string scheme = 4;
  repeated HTTPHeader httpHeaders = 5;
}

message HTTPHeader {
  string name = 1 [(always) = true];
  string value = 2 [(always) = true];
}

message TCPSocketAction {
  meta.IntOrString port = 1;
  string host = 2;
}

message GRPCAction {
  int32 port = 1 [(always) = true];
  optional string service = 2;
}

message Lifecycle {
  LifecycleHandler postStart = 1;
  LifecycleHandler preStop = 2;
}

message LifecycleHandler {
  ExecAction exec = 1;
  HTTPGetAction httpGet = 2;
  TCPSocketAction tcpSocket = 3;
  SleepAction sleep = 4;
}

message SleepAction {
  int64 seconds = 1 [(always) = true];
}

message SecurityContext {
  Capabilities capabilities = 1;
  optional bool privileged = 2;
  SELinuxOptions seLinuxOptions = 3;
  optional int64 runAsUser = 4;
  optional bool runAsNonRoot = 5;
  optional bool readOnlyRootFilesystem = 6;
  optional bool allowPrivilegeEscalation = 7;
  optional int64 runAsGroup = 8;
  optional string procMount = 9;
  WindowsSecurityContextOptions windowsOptions = 10;
  SeccompProfile seccompProfile = 11;
  AppArmorProfile appArmorProfile = 12;
}

message Capabilities {
  repeated string add = 1;
  repeated string drop = 2;
}

message SELinuxOptions {
  string user = 1;
  string role = 2;
  string type = 3;
  string level = 4;
}

message WindowsSecurityContextOptions {
  optional string gmsaCredentialSpecName = 1;
  optional string gmsaCredentialSpec = 2;
  optional string runAsUserName = 3;
  optional bool hostProcess = 4;
}

message SeccompProfile {
  string type = 1 [(always) = true];
  optional string localhostProfile = 2;
}

message AppArmorProfile {
  string type = 1 [(always) = true];
  optional string localhostProfile = 2;
}

message PodSecurityContext {
  SELinuxOptions seLinuxOptions = 1;
  optional int64 runAsUser = 2;
  optional bool runAsNonRoot = 3;
  repeated int64 supplementalGroups = 4 [packed = false];
  optional int64 fsGroup = 5;
  optional int64 runAsGroup = 6;
  repeated Sysctl sysctls = 7;
  WindowsSecurityContextOptions windowsOptions = 8;
  optional string fsGroupChangePolicy = 9;
  SeccompProfile seccompProfile = 10;
  AppArmorProfile appArmorProfile = 11;
  optional string supplementalGroupsPolicy = 12;
  optional string seLinuxChangePolicy = 13;
}

message Sysctl {
  string name = 1 [(always) = true];
  string value = 2 [(always) = true];
}

message Volume {
  string name = 1 [(always) = true];
  VolumeSource volumeSource = 2 [(inline) = true];
}

// Only the sources a Docker host can serve; the cloud and legacy ones are left out on purpose.
message VolumeSource {
  HostPathVolumeSource hostPath = 1;
  EmptyDirVolumeSource emptyDir = 2;
  SecretVolumeSource secret = 6;
  NFSVolumeSource nfs = 7;
  PersistentVolumeClaimVolumeSource persistentVolumeClaim = 10;
  DownwardAPIVolumeSource downwardAPI = 16;
  ConfigMapVolumeSource configMap = 19;
  ProjectedVolumeSource projected = 26;
  CSIVolumeSource csi = 28;
  ImageVolumeSource image = 30;
}

message HostPathVolumeSource {
  string path = 1 [(always) = true];
  optional string type = 2;
}

message EmptyDirVolumeSource {
  string medium = 1;
  meta.Quantity sizeLimit = 2;
}

message SecretVolumeSource {
  string secretName = 1;
  repeated KeyToPath items = 2;
  optional int32 defaultMode = 3;
  optional bool optional = 4;
}

message NFSVolumeSource {
  string server = 1 [(always) = true];
  string path = 2 [(always) = true];
  bool readOnly = 3;
}

message PersistentVolumeClaimVolumeSource {
  string claimName = 1 [(always) = true];
  bool readOnly = 2;
}

message DownwardAPIVolumeSource {
  repeated DownwardAPIVolumeFile items = 1;
  optional int32 defaultMode = 2;
}

message DownwardAPIVolumeFile {
  string path = 1 [(always) = true];
  ObjectFieldSelector fieldRef = 2;
  ResourceFieldSelector resourceFieldRef = 3;
  optional int32 mode = 4;
}

message ConfigMapVolumeSource {
  LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional int32 defaultMode = 3;
  optional bool optional = 4;
}

message KeyToPath {
  string key = 1 [(always) = true];
  string path = 2 [(always) = true];
  optional int32 mode = 3;
}

message ProjectedVolumeSource {
  repeated VolumeProjection sources = 1;
  optional int32 defaultMode = 2;
}

message VolumeProjection {
  SecretProjection secret = 1;
  DownwardAPIProjection downwardAPI = 2;
  ConfigMapProjection configMap = 3;
  ServiceAccountTokenProjection serviceAccountToken = 4;
}

message SecretProjection {
  LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional bool optional = 4;
}

message ConfigMapProjection {
  LocalObjectReference localObjectReference = 1 [(inline) = true];
  repeated KeyToPath items = 2;
  optional bool optional = 4;
}

message DownwardAPIProjection {
  repeated DownwardAPIVolumeFile items = 1;
}

message ServiceAccountTokenProjection {
  string audience = 1;
  optional int64 expirationSeconds = 2;
  string path = 3 [(always) = true];
}

message CSIVolumeSource {
  string driver = 1 [(always) = true];
  optional bool readOnly = 2;
  optional string fsType = 3;
  map<string, string> volumeAttributes = 4;
  LocalObjectReference nodePublishSecretRef = 5;
}

message ImageVolumeSource {
  string reference = 1;
  string pullPolicy = 2;
}

message Toleration {
  string key = 1;
  string operator = 2;
  string value = 3;
  string effect = 4;
  optional int64 tolerationSeconds = 5;
}

message Affinity {
  NodeAffinity nodeAffinity = 1;
  PodAffinity podAffinity = 2;
  PodAntiAffinity podAntiAffinity = 3;
}

message NodeAffinity {
  NodeSelector requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated PreferredSchedulingTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message NodeSelector {
  repeated NodeSelectorTerm nodeSelectorTerms = 1;
}

message NodeSelectorTerm {
  repeated NodeSelectorRequirement matchExpressions = 1;
  repeated NodeSelectorRequirement matchFields = 2;
}

message NodeSelectorRequirement {
  string key = 1 [(always) = true];
  string operator = 2 [(always) = true];
  repeated string values = 3;
}

message PreferredSchedulingTerm {
  int32 weight = 1 [(always) = true];
  NodeSelectorTerm preference = 2;
}

message PodAffinity {
  repeated PodAffinityTerm requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated WeightedPodAffinityTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message PodAntiAffinity {
  repeated PodAffinityTerm requiredDuringSchedulingIgnoredDuringExecution = 1;
  repeated WeightedPodAffinityTerm preferredDuringSchedulingIgnoredDuringExecution = 2;
}

message PodAffinityTerm {
  meta.LabelSelector labelSelector = 1;
  repeated string namespaces = 2;
  string topologyKey = 3 [(always) = true];
  meta.LabelSelector namespaceSelector = 4;
  repeated string matchLabelKeys = 5;
  repeated string mismatchLabelKeys = 6;
}

message WeightedPodAffinityTerm {
  int32 weight = 1 [(always) = true];
  PodAffinityTerm podAffinityTerm = 2;
}

message HostAlias {
  string ip = 1 [(always) = true];
  repeated string hostnames = 2;
}

message PodDNSConfig {
  repeated string nameservers = 1;
  repeated string searches = 2;
  repeated PodDNSConfigOption options = 3;
}

message PodDNSConfigOption {
  string name = 1;
  optional string value = 2;
}

message PodReadinessGate {
  string conditionType = 1 [(always) = true];
}

message TopologySpreadConstraint {
  int32 maxSkew = 1 [(always) = true];
  string topologyKey = 2 [(always) = true];
  string whenUnsatisfiable = 3 [(always) = true];
  meta.LabelSelector labelSelector = 4;
  optional int32 minDomains = 5;
  optional string nodeAffinityPolicy = 6;
  optional string nodeTaintsPolicy = 7;
  repeated string matchLabelKeys = 8;
}

message PodOS {
  string name = 1 [(always) = true];
}

message PodSchedulingGate {
  string name = 1 [(always) = true];
}

message PodResourceClaim {
  string name = 1 [(always) = true];
  optional string resourceClaimName = 3;
  optional string resourceClaimTemplateName = 4;
}

// Enough status for a protobuf-first client to read a Pod's phase and addresses.
message PodStatus {
  string phase = 1;
  repeated PodCondition conditions = 2;
  string message = 3;
  string reason = 4;
  string hostIP = 5;
  string podIP = 6;
  meta.Time startTime = 7;
  string qosClass = 9;
  string nominatedNodeName = 11;
  repeated PodIP podIPs = 12;
  repeated HostIP hostIPs = 16;
}

message PodCondition {
  string type = 1 [(always) = true];
  string status = 2 [(always) = true];
  meta.Time lastProbeTime = 3;
  meta.Time lastTransitionTime = 4;
  string reason = 5;
  string message = 6;
}

message PodIP {
  string ip = 1 [(always) = true];
}

message HostIP {
  string ip = 1 [(always) = true];
}
`;
