// Secrets at rest: a Secret is stored with its `data`, its `stringData` and kubectl's last-applied
// configuration (which repeats them in clear) sealed in one AES-256-GCM envelope (`encryptedData`), bound to the
// Secret's namespace/name as associated data so a ciphertext cannot be moved to another Secret. The format,
// `k8s:enc:aesgcm:v1:<key id>:base64(iv 12 | tag 16 | ciphertext)`, is read by the API and by the backup
// verifier, so it lives here once.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KubeObject } from '@flotilla/resources';

export const SECRET_ENVELOPE_PREFIX = 'k8s:enc:aesgcm:v1:';

/** kubectl apply keeps the whole applied manifest here, Secret values included. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export class SecretDecryptError extends Error {}

export class EncryptionKeysError extends Error {}

/** FLOTILLA_ENCRYPTION_KEYS: `<id>:<base64 32-byte key>[,…]`; the first encrypts, all decrypt. */
export function parseEncryptionKeys(raw: string | undefined): EncryptionKey[] {
  if (!raw) return [];
  const keys: EncryptionKey[] = [];
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf(':');
    const id = i > 0 ? part.slice(0, i) : '';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id))
      throw new EncryptionKeysError('FLOTILLA_ENCRYPTION_KEYS: each entry is <id>:<base64 32-byte key>, id of [A-Za-z0-9_-]');
    const key = Buffer.from(part.slice(i + 1), 'base64');
    if (key.length !== 32) throw new EncryptionKeysError(`FLOTILLA_ENCRYPTION_KEYS: key "${id}" must be 32 bytes (base64), got ${key.length}`);
    if (keys.some((k) => k.id === id)) throw new EncryptionKeysError(`FLOTILLA_ENCRYPTION_KEYS: key id "${id}" appears twice`);
    keys.push({ id, key });
  }
  return keys;
}

/** The id of the key a stored Secret was sealed with; undefined when it is stored in plain text. */
export function envelopeKeyId(stored: KubeObject): string | undefined {
  const env = (stored as { encryptedData?: unknown }).encryptedData;
  if (typeof env !== 'string' || !env.startsWith(SECRET_ENVELOPE_PREFIX)) return undefined;
  return env.slice(SECRET_ENVELOPE_PREFIX.length).split(':')[0];
}

interface Sealed {
  data?: unknown;
  stringData?: unknown;
  lastApplied?: string;
}

/** The Secret as stored: its values (and the last-applied copy of them) sealed with `key`. */
export function sealSecret(obj: KubeObject, key: EncryptionKey): KubeObject {
  const { data, stringData, ...rest } = obj as KubeObject & { data?: unknown; stringData?: unknown };
  const plain: Sealed = { data, stringData };
  const annotations = obj.metadata.annotations;
  let metadata = obj.metadata;
  if (annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: lastApplied, ...others } = annotations;
    plain.lastApplied = lastApplied;
    metadata = { ...obj.metadata, annotations: others };
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad(obj));
  const ct = Buffer.concat([cipher.update(Buffer.from(JSON.stringify(plain))), cipher.final()]);
  const envelope = `${SECRET_ENVELOPE_PREFIX}${key.id}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  return { ...rest, metadata, encryptedData: envelope } as KubeObject;
}

/**
 * The readable Secret, or the stored one when it was written before encryption was on. Throws
 * SecretDecryptError when its key is not among `keys`, and GCM's error when the envelope was tampered with or
 * moved to another Secret.
 */
export function openSecret(stored: KubeObject, keys: EncryptionKey[]): KubeObject {
  const id = envelopeKeyId(stored);
  if (id === undefined) return stored;
  const key = keys.find((k) => k.id === id);
  if (!key) throw new SecretDecryptError(`Secret ${stored.metadata.namespace}/${stored.metadata.name} is encrypted with key "${id}", which is not configured`);
  const { encryptedData, ...rest } = stored as KubeObject & { encryptedData: string };
  const raw = Buffer.from(encryptedData.slice(SECRET_ENVELOPE_PREFIX.length + id.length + 1), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(0, 12));
  decipher.setAAD(aad(stored));
  decipher.setAuthTag(raw.subarray(12, 28));
  const plain = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString()) as Sealed;
  const out: Record<string, unknown> = { ...rest };
  if (plain.data !== undefined) out.data = plain.data;
  if (plain.stringData !== undefined) out.stringData = plain.stringData;
  if (plain.lastApplied !== undefined) {
    out.metadata = { ...stored.metadata, annotations: { ...stored.metadata.annotations, [LAST_APPLIED]: plain.lastApplied } };
  }
  return out as KubeObject;
}

function aad(obj: KubeObject): Buffer {
  return Buffer.from(`core/secrets/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`);
}
