// Decoded protobufjs message → Kubernetes JSON, following the Go JSON encoding of k8s.io/api types.
//
// Wire presence tells us what the Go client had set: gogo-protobuf writes every non-pointer field
// (even when zero) and a pointer field only when non-nil. So, per the schema conventions in libs/protobuf/README.md:
// - `optional` scalar (a Go pointer): emitted whenever present, even 0/false/"".
// - plain scalar (Go value with omitempty): emitted only when non-zero; `(always)` fields
//   (Go value without omitempty) are emitted even when zero.
// - message: emitted whenever present (Go writes value structs even when empty); `(inline)` ones are
//   merged into the parent (Go embedded structs). Lists and maps: emitted when non-empty.
import * as protobuf from 'protobufjs';
import { ProtobufDecodeError } from './errors';
import type { JsonObject, JsonValue } from './types';

type Fields = Record<string, unknown>;

const has = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

export function messageToJson(type: protobuf.Type, message: Fields): JsonObject {
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    if (!has(message, field.name)) continue;
    const value = message[field.name];
    if (field.map) {
      const entries = Object.keys(value as object);
      if (entries.length === 0) continue;
      const map: JsonObject = {};
      for (const key of entries) map[key] = valueToJson(field, (value as Fields)[key]) ?? null;
      out[field.name] = map;
    } else if (field.repeated) {
      const list = value as unknown[];
      if (list.length === 0) continue;
      out[field.name] = list.map((item) => valueToJson(field, item) ?? null);
    } else if (field.resolvedType instanceof protobuf.Type) {
      const json = valueToJson(field, value);
      if (json === undefined) continue;
      if (field.options?.['(inline)'] === true && isObject(json)) Object.assign(out, json);
      else out[field.name] = json;
    } else {
      const explicit = field.options?.['proto3_optional'] === true || field.options?.['(always)'] === true;
      if (!explicit && isZero(value)) continue;
      const json = valueToJson(field, value);
      if (json !== undefined) out[field.name] = json;
    }
  }
  return out;
}

/** One value of a field (a list element or map value for repeated/map fields). */
function valueToJson(field: protobuf.Field, value: unknown): JsonValue | undefined {
  const type = field.resolvedType;
  if (type instanceof protobuf.Type) {
    return SPECIAL_TYPES.has(type.fullName) ? specialToJson(type, value as Fields) : messageToJson(type, value as Fields);
  }
  if (field.type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  if (isLong(value)) return value.toNumber();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new ProtobufDecodeError(`field ${field.name} has an unexpected value`);
}

const SPECIAL_TYPES = new Set([
  '.meta.Time',
  '.meta.MicroTime',
  '.meta.Quantity',
  '.meta.IntOrString',
  '.meta.FieldsV1',
  '.runtime.RawExtension',
  '.authentication.ExtraValue',
]);

/** Messages whose JSON form is not an object; undefined means "omit". */
function specialToJson(type: protobuf.Type, message: Fields): JsonValue | undefined {
  switch (type.fullName) {
    case '.meta.Time':
      return timeToJson(message, false);
    case '.meta.MicroTime':
      return timeToJson(message, true);
    case '.meta.Quantity':
      return typeof message['string'] === 'string' && message['string'] !== '' ? message['string'] : '0';
    case '.meta.IntOrString':
      return toNumber(message['type']) === 1 ? String(message['strVal'] ?? '') : toNumber(message['intVal']);
    case '.meta.FieldsV1':
      return rawJson(message['Raw'], 'fieldsV1');
    case '.runtime.RawExtension':
      return rawJson(message['raw'], 'raw extension');
    case '.authentication.ExtraValue':
      return [...((message['items'] as string[] | undefined) ?? [])];
    default:
      throw new ProtobufDecodeError(`no JSON form for ${type.fullName}`);
  }
}

/** Go's zero time is sent as an empty message and means "unset": omit it. */
function timeToJson(message: Fields, micro: boolean): string | undefined {
  if (!has(message, 'seconds') && !has(message, 'nanos')) return undefined;
  const seconds = toNumber(message['seconds']);
  const nanos = toNumber(message['nanos']);
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(date.getTime()) || year < 0 || year > 9999 || nanos < 0 || nanos > 999_999_999) {
    throw new ProtobufDecodeError(`timestamp out of range: ${seconds}s ${nanos}ns`);
  }
  const text = date.toISOString().slice(0, 19);
  return micro ? `${text}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${text}Z`;
}

function rawJson(raw: unknown, what: string): JsonValue | undefined {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8')) as JsonValue;
  } catch {
    throw new ProtobufDecodeError(`${what} is not valid JSON`);
  }
}

interface LongLike {
  toNumber(): number;
  isZero(): boolean;
}

function isLong(value: unknown): value is LongLike {
  return typeof value === 'object' && value !== null && typeof (value as LongLike).toNumber === 'function';
}

function toNumber(value: unknown): number {
  if (isLong(value)) return value.toNumber();
  return typeof value === 'number' ? value : 0;
}

function isZero(value: unknown): boolean {
  if (value === '' || value === 0 || value === false || value === undefined || value === null) return true;
  if (isLong(value)) return value.isZero();
  return value instanceof Uint8Array && value.length === 0;
}

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
