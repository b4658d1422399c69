// Verification opens Secrets with the keys in the backup: a backup whose keys do not match its Secrets
// restores a platform that cannot read them. The envelope is apps/api's (tenancy/secret-encryption.ts):
// `k8s:enc:aesgcm:v1:<key id>:base64(iv 12 | tag 16 | ciphertext)`, AAD "core/secrets/<namespace>/<name>".
import { createDecipheriv } from 'node:crypto';

const PREFIX = 'k8s:enc:aesgcm:v1:';

export interface Key {
  id: string;
  key: Buffer;
}

/** FLOTILLA_ENCRYPTION_KEYS: "<id>:<base64 32 bytes>[,…]". */
export function parseKeys(raw: string | undefined): Key[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((part) => {
      const i = part.indexOf(':');
      return { id: part.slice(0, i), key: Buffer.from(part.slice(i + 1), 'base64') };
    });
}

export interface StoredSecret {
  metadata: { namespace?: string; name?: string };
  encryptedData?: unknown;
}

/** 'plain' for a Secret stored before encryption was on; throws when it cannot be opened. */
export function openSecret(stored: StoredSecret, keys: Key[]): 'decrypted' | 'plain' {
  const env = stored.encryptedData;
  if (typeof env !== 'string' || !env.startsWith(PREFIX)) return 'plain';
  const rest = env.slice(PREFIX.length);
  const id = rest.slice(0, rest.indexOf(':'));
  const key = keys.find((k) => k.id === id);
  const where = `Secret ${stored.metadata.namespace}/${stored.metadata.name}`;
  if (!key) throw new Error(`${where} is encrypted with key "${id}", which the backed-up configuration does not hold`);
  const raw = Buffer.from(rest.slice(id.length + 1), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(`core/secrets/${stored.metadata.namespace ?? ''}/${stored.metadata.name ?? ''}`));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString());
  } catch (err) {
    throw new Error(`${where} does not decrypt with key "${id}": ${(err as Error).message}`);
  }
  return 'decrypted';
}

/** KEY=value lines of an env file (the format scripts/up.sh writes; quotes are not interpreted). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}
