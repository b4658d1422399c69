// Verification opens Secrets with the keys in the backup (the store's envelope, libs/store/src/secret-envelope.ts):
// a backup whose keys do not match its Secrets restores a platform that cannot read them.
import type { KubeObject } from '@flotilla/resources';
import { envelopeKeyId, openSecret as open, parseEncryptionKeys } from '@flotilla/store';
import type { EncryptionKey } from '@flotilla/store';

export type Key = EncryptionKey;

/** FLOTILLA_ENCRYPTION_KEYS: "<id>:<base64 32 bytes>[,…]". */
export function parseKeys(raw: string | undefined): Key[] {
  return parseEncryptionKeys(raw);
}

export interface StoredSecret {
  metadata: { namespace?: string; name?: string };
  encryptedData?: unknown;
}

/** 'plain' for a Secret stored before encryption was on; throws when it cannot be opened. */
export function openSecret(stored: StoredSecret, keys: Key[]): 'decrypted' | 'plain' {
  const obj = stored as unknown as KubeObject;
  const id = envelopeKeyId(obj);
  if (id === undefined) return 'plain';
  const where = `Secret ${stored.metadata.namespace}/${stored.metadata.name}`;
  if (!keys.some((k) => k.id === id)) throw new Error(`${where} is encrypted with key "${id}", which the backed-up configuration does not hold`);
  try {
    open(obj, keys);
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
