export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * A Kubernetes object in its JSON form: what the same client would have sent as application/json.
 * Decoded from an untrusted body, so validate it like any request body before use.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject;
  [field: string]: JsonValue;
}

/** What `encodeKubeProtobuf` accepts: any object with apiVersion and kind, e.g. a stored KubeObject. */
export interface KubeObjectLike {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
}
