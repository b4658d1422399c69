export { decodeKubeProtobuf, encodeKubeProtobuf, findUndeclaredFields } from './codec';
export { ProtobufDecodeError, ProtobufEncodeError } from './errors';
export { protobufKinds } from './schema';
export type { JsonObject, JsonValue, KubeObject, KubeObjectLike } from './types';

/** Content-Type of Kubernetes protobuf bodies. */
export const KUBE_PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
