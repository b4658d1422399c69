// Kubernetes JSON → plain object for protobufjs, the inverse of to-json.ts. Zero values of plain
// scalars are left out (the Go decoder reads absent and zero alike); `optional` and `(always)` ones are kept.
import * as protobuf from 'protobufjs';
import { ProtobufEncodeError } from './errors';

type Fields = Record<string, unknown>;

export function messageFromJson(type: protobuf.Type, json: unknown, path: string): Fields {
  if (!isPlainObject(json)) throw new ProtobufEncodeError(`${path}: expected an object`);
  const out: Fields = {};
  for (const field of type.fieldsArray) {
    const fieldPath = path ? `${path}.${field.name}` : field.name;
    if (field.options?.['(inline)'] === true && field.resolvedType instanceof protobuf.Type) {
      const inline = messageFromJson(field.resolvedType, json, path);
      if (Object.keys(inline).length > 0) out[field.name] = inline;
      continue;
    }
    const value = Object.prototype.hasOwnProperty.call(json, field.name) ? json[field.name] : undefined;
    if (value === undefined || value === null) continue;
    if (field.map) {
      if (!isPlainObject(value)) throw new ProtobufEncodeError(`${fieldPath}: expected an object`);
      const map: Fields = {};
      for (const [key, item] of Object.entries(value)) {
        if (item !== null) map[key] = valueFromJson(field, item, `${fieldPath}.${key}`);
      }
      out[field.name] = map;
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new ProtobufEncodeError(`${fieldPath}: expected a list`);
      out[field.name] = value.map((item, index) => valueFromJson(field, item, `${fieldPath}[${index}]`));
    } else {
      const converted = valueFromJson(field, value, fieldPath);
      const keepZero = field.options?.['proto3_optional'] === true || field.options?.['(always)'] === true || field.resolvedType instanceof protobuf.Type;
      if (keepZero || !isZero(converted)) out[field.name] = converted;
    }
  }
  return out;
}

function valueFromJson(field: protobuf.Field, value: unknown, path: string): unknown {
  const type = field.resolvedType;
  if (type instanceof protobuf.Type) return specialFromJson(type, value, path) ?? messageFromJson(type, value, path);
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw new ProtobufEncodeError(`${path}: expected a string`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new ProtobufEncodeError(`${path}: expected a boolean`);
      return value;
    case 'bytes':
      if (typeof value !== 'string') throw new ProtobufEncodeError(`${path}: expected a base64 string`);
      return Buffer.from(value, 'base64');
    default:
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new ProtobufEncodeError(`${path}: expected an integer`);
      return value;
  }
}

function specialFromJson(type: protobuf.Type, value: unknown, path: string): Fields | undefined {
  switch (type.fullName) {
    case '.meta.Time':
    case '.meta.MicroTime': {
      const millis = typeof value === 'string' ? Date.parse(value) : NaN;
      if (Number.isNaN(millis)) throw new ProtobufEncodeError(`${path}: expected an RFC 3339 time`);
      const fraction = /\.(\d+)/.exec(String(value))?.[1] ?? '';
      const nanos = type.fullName === '.meta.MicroTime' ? Number(fraction.padEnd(9, '0').slice(0, 9)) : 0;
      return { seconds: Math.floor(millis / 1000), nanos };
    }
    case '.meta.Quantity':
      if (typeof value !== 'string' && typeof value !== 'number') throw new ProtobufEncodeError(`${path}: expected a quantity`);
      return { string: String(value) };
    case '.meta.IntOrString':
      if (typeof value === 'number' && Number.isInteger(value)) return { type: 0, intVal: value };
      if (typeof value === 'string') return { type: 1, strVal: value };
      throw new ProtobufEncodeError(`${path}: expected an integer or a string`);
    case '.meta.FieldsV1':
      return { Raw: Buffer.from(JSON.stringify(value)) };
    case '.runtime.RawExtension':
      return { raw: Buffer.from(JSON.stringify(value)) };
    case '.authentication.ExtraValue':
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        throw new ProtobufEncodeError(`${path}: expected a list of strings`);
      }
      return { items: value };
    default:
      return undefined;
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || (value instanceof Uint8Array && value.length === 0);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
