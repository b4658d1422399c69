// apimachinery messages shared by every kind: the runtime.Unknown envelope, ObjectMeta, selectors and
// the special scalars (Time, Quantity, IntOrString) that have their own JSON forms. See libs/protobuf/README.md for
// the conventions (`optional` = Go pointer, `(always)`, `(inline)`).
export const META_PROTO = `
syntax = "proto3";

package runtime;

message TypeMeta {
  string apiVersion = 1;
  string kind = 2;
}

// The body after the 4 magic bytes "k8s\\0".
message Unknown {
  TypeMeta typeMeta = 1;
  bytes raw = 2;
  string contentEncoding = 3;
  string contentType = 4;
}

// JSON: the raw bytes, which are themselves JSON.
message RawExtension {
  bytes raw = 1;
}
`;

export const APIMACHINERY_PROTO = `
syntax = "proto3";

package meta;

// JSON: RFC 3339 string with seconds precision; an empty message is the zero time (omitted).
message Time {
  int64 seconds = 1;
  int32 nanos = 2;
}

// JSON: RFC 3339 string with microseconds.
message MicroTime {
  int64 seconds = 1;
  int32 nanos = 2;
}

// JSON: a string such as "500m" or "1Gi".
message Quantity {
  string string = 1;
}

// JSON: a number (type 0) or a string (type 1).
message IntOrString {
  int64 type = 1;
  int32 intVal = 2;
  string strVal = 3;
}

// JSON: the raw bytes, which are a JSON object.
message FieldsV1 {
  bytes Raw = 1;
}

message ObjectMeta {
  string name = 1;
  string generateName = 2;
  string namespace = 3;
  string selfLink = 4;
  string uid = 5;
  string resourceVersion = 6;
  int64 generation = 7;
  Time creationTimestamp = 8;
  Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10;
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13;
  repeated string finalizers = 14;
  repeated ManagedFieldsEntry managedFields = 17;
}

message OwnerReference {
  string kind = 1 [(always) = true];
  string name = 3 [(always) = true];
  string uid = 4 [(always) = true];
  string apiVersion = 5 [(always) = true];
  optional bool controller = 6;
  optional bool blockOwnerDeletion = 7;
}

message ManagedFieldsEntry {
  string manager = 1;
  string operation = 2;
  string apiVersion = 3;
  Time time = 4;
  string fieldsType = 6;
  FieldsV1 fieldsV1 = 7;
  string subresource = 8;
}

message ListMeta {
  string selfLink = 1;
  string resourceVersion = 2;
  string continue = 3;
  optional int64 remainingItemCount = 4;
}

message LabelSelector {
  map<string, string> matchLabels = 1;
  repeated LabelSelectorRequirement matchExpressions = 2;
}

message LabelSelectorRequirement {
  string key = 1 [(always) = true];
  string operator = 2 [(always) = true];
  repeated string values = 3;
}

message Condition {
  string type = 1 [(always) = true];
  string status = 2 [(always) = true];
  int64 observedGeneration = 3;
  Time lastTransitionTime = 4;
  string reason = 5 [(always) = true];
  string message = 6 [(always) = true];
}
`;
