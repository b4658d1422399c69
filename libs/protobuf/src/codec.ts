// The `k8s\0` + runtime.Unknown envelope around a kind's message (application/vnd.kubernetes.protobuf).
import * as protobuf from 'protobufjs';
import { ProtobufDecodeError, ProtobufEncodeError } from './errors';
import { messageFromJson } from './from-json';
import { kindType, messageType } from './schema';
import { messageToJson } from './to-json';
import type { JsonObject, KubeObject, KubeObjectLike } from './types';

const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

/**
 * Decodes a Kubernetes protobuf body into the JSON object the client meant. apiVersion and kind come
 * from the envelope. Throws ProtobufDecodeError, and nothing else, for any body it cannot read.
 */
export function decodeKubeProtobuf(body: Uint8Array): KubeObject {
  const { apiVersion, kind, raw } = openEnvelope(body);
  const type = kindType(apiVersion, kind);
  if (!type) throw new ProtobufDecodeError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const message = guard(`${kind} body`, () => type.decode(raw));
  const json = guard(`${kind} body`, () => messageToJson(type, message as unknown as Record<string, unknown>));
  const { metadata, ...rest } = json;
  return { apiVersion, kind, metadata: isObject(metadata) ? metadata : {}, ...rest };
}

/** Encodes a Kubernetes JSON object as a protobuf body (`k8s\0` envelope). Fields we do not declare are dropped. */
export function encodeKubeProtobuf(object: KubeObjectLike): Uint8Array {
  const { apiVersion, kind } = object;
  const type = typeof apiVersion === 'string' && typeof kind === 'string' ? kindType(apiVersion, kind) : undefined;
  if (!type) throw new ProtobufEncodeError(`no kind "${String(kind)}" is registered for version "${String(apiVersion)}"`);
  const raw = type.encode(type.fromObject(messageFromJson(type, object, ''))).finish();
  const unknown = messageType('runtime.Unknown');
  const envelope = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish();
  const body = new Uint8Array(MAGIC.length + envelope.length);
  body.set(MAGIC);
  body.set(envelope, MAGIC.length);
  return body;
}

/**
 * Paths of fields present in the body that our schema does not declare (and decoding drops),
 * e.g. `spec.template.spec.containers.restartPolicyRules#25`. For logging; throws like decode.
 */
export function findUndeclaredFields(body: Uint8Array): string[] {
  const { apiVersion, kind, raw } = openEnvelope(body);
  const type = kindType(apiVersion, kind);
  if (!type) throw new ProtobufDecodeError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const found: string[] = [];
  guard(`${kind} body`, () => walkFields(type, raw, '', found));
  return found;
}

function openEnvelope(body: Uint8Array): Envelope {
  if (!(body instanceof Uint8Array) || body.length < MAGIC.length || MAGIC.some((byte, i) => body[i] !== byte)) {
    throw new ProtobufDecodeError('not a Kubernetes protobuf body: missing the "k8s\\0" magic prefix');
  }
  const unknown = messageType('runtime.Unknown');
  const envelope = guard('envelope', () => unknown.decode(body.subarray(MAGIC.length))) as unknown as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
    contentEncoding?: string;
  };
  if (envelope.contentEncoding) {
    throw new ProtobufDecodeError(`unsupported contentEncoding "${envelope.contentEncoding}": send the object uncompressed`);
  }
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  if (!apiVersion || !kind) throw new ProtobufDecodeError('envelope has no apiVersion/kind (runtime.Unknown field 1)');
  return { apiVersion, kind, raw: envelope.raw ?? new Uint8Array() };
}

function walkFields(type: protobuf.Type, bytes: Uint8Array, path: string, found: string[]): void {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    const field = type.fieldsById[id];
    const fieldPath = field ? (path ? `${path}.${field.name}` : field.name) : `${path || '<root>'}#${id}`;
    if (!field) found.push(fieldPath);
    const nested = field?.resolvedType;
    if (field && wireType === 2 && field.map) {
      walkMapEntry(nested instanceof protobuf.Type ? nested : undefined, reader.bytes(), fieldPath, found);
    } else if (wireType === 2 && nested instanceof protobuf.Type) {
      walkFields(nested, reader.bytes(), fieldPath, found);
    } else {
      reader.skipType(wireType);
    }
  }
}

function walkMapEntry(valueType: protobuf.Type | undefined, bytes: Uint8Array, path: string, found: string[]): void {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 2 && (tag & 7) === 2 && valueType) walkFields(valueType, reader.bytes(), path, found);
    else if (tag >>> 3 === 1 || tag >>> 3 === 2) reader.skipType(tag & 7);
    else {
      found.push(`${path}#${tag >>> 3}`);
      reader.skipType(tag & 7);
    }
  }
}

/** Runs a protobufjs step, turning whatever it throws (RangeError, stack overflow…) into our error. */
function guard<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ProtobufDecodeError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProtobufDecodeError(`truncated or malformed protobuf in the ${what}: ${reason}`);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
