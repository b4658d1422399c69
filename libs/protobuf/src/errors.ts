/** A request body that is not a Kubernetes protobuf object we can read; the API answers 400/415 with its message. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

/** An object that cannot be written as Kubernetes protobuf (unknown kind, or a field of the wrong JSON type). */
export class ProtobufEncodeError extends Error {
  override readonly name = 'ProtobufEncodeError';
}
