// networking.k8s.io/v1 Ingress.
export const NETWORKING_PROTO = `
syntax = "proto3";

package networking;

message Ingress {
  meta.ObjectMeta metadata = 1;
  IngressSpec spec = 2;
  IngressStatus status = 3;
}

message IngressSpec {
  IngressBackend defaultBackend = 1;
  repeated IngressTLS tls = 2;
  repeated IngressRule rules = 3;
  optional string ingressClassName = 4;
}

message IngressBackend {
  core.TypedLocalObjectReference resource = 3;
  IngressServiceBackend service = 4;
}

message IngressServiceBackend {
  string name = 1 [(always) = true];
  ServiceBackendPort port = 2;
}

message ServiceBackendPort {
  string name = 1;
  int32 number = 2;
}

message IngressTLS {
  repeated string hosts = 1;
  string secretName = 2;
}

message IngressRule {
  string host = 1;
  IngressRuleValue ingressRuleValue = 2 [(inline) = true];
}

message IngressRuleValue {
  HTTPIngressRuleValue http = 1;
}

message HTTPIngressRuleValue {
  repeated HTTPIngressPath paths = 1;
}

message HTTPIngressPath {
  string path = 1;
  IngressBackend backend = 2;
  optional string pathType = 3;
}

message IngressStatus {
  IngressLoadBalancerStatus loadBalancer = 1;
}

message IngressLoadBalancerStatus {
  repeated IngressLoadBalancerIngress ingress = 1;
}

message IngressLoadBalancerIngress {
  string ip = 1;
  string hostname = 2;
  repeated IngressPortStatus ports = 4;
}

message IngressPortStatus {
  int32 port = 1 [(always) = true];
  string protocol = 2 [(always) = true];
  optional string error = 3;
}
`;
