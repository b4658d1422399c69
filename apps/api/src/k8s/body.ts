// Decodes request bodies by Content-Type: JSON, YAML, Kubernetes protobuf, and the four patch types.
import { decodeKubeProtobuf } from '@flotilla/protobuf';
import { parse as parseYaml } from 'yaml';
import { badRequest, ApiError } from './status';
import { assertCleanBody, utf8Body } from './text';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function patchTypeOf(contentType: string | undefined): PatchType {
  const t = PATCH_TYPES[mediaType(contentType)];
  if (!t) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`,
    );
  }
  return t;
}

/** JSON.parse without prototype-polluting keys; bytes must be UTF-8, and no string may hold text Postgres cannot store. */
export function parseJson(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : utf8Body(body);
  let v: unknown;
  try {
    v = JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v));
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
  assertCleanBody(v);
  return v;
}

/** Decodes an object body (create, update). `undefined` body = empty. */
export function decodeBody(body: Buffer | undefined, contentType: string | undefined): unknown {
  const buf = body ?? Buffer.alloc(0);
  if (buf.length === 0) return undefined;
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') {
    let v: unknown;
    try {
      v = decodeKubeProtobuf(buf);
    } catch (err) {
      throw badRequest(`the body of the request could not be decoded as protobuf: ${(err as Error).message}`);
    }
    assertCleanBody(v);
    return v;
  }
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return parseYamlOrJson(utf8Body(buf));
  if (type === '' || type === 'application/json' || type === '*/*' || type.endsWith('+json')) return parseJson(buf);
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
  );
}

function parseYamlOrJson(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(text);
  let v: unknown;
  try {
    // One document, plain data only: no custom tags, bounded aliases (billion-laughs).
    v = parseYaml(text, { maxAliasCount: 100, customTags: [], uniqueKeys: true });
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as YAML: ${(err as Error).message}`);
  }
  assertCleanBody(v);
  return v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
