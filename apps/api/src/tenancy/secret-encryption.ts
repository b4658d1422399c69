// Secrets at rest: the store keeps a Secret's `data` and `stringData` as one AES-256-GCM envelope
// (`encryptedData`), bound to the Secret's namespace/name as associated data so a ciphertext cannot be
// moved to another Secret. The first configured key encrypts; every key decrypts (rotation: add the
// new key first, restart, rewrite all Secrets, then drop the old key).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KubeObject } from '@flotilla/resources';
import type { ValueTransformer } from '@flotilla/store';
import { log } from '../log';
import type { EncryptionKey } from './tenancy-config';

const PREFIX = 'k8s:enc:aesgcm:v1:';

export class SecretDecryptError extends Error {}

export class SecretEncryption implements ValueTransformer {
  readonly resources = new Set(['core/secrets']);

  constructor(private readonly keys: EncryptionKey[]) {}

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get primaryKeyId(): string | undefined {
    return this.keys[0]?.id;
  }

  /** The id of the key an envelope was written with (undefined: plain text). */
  keyIdOf(stored: KubeObject): string | undefined {
    const env = (stored as { encryptedData?: unknown }).encryptedData;
    if (typeof env !== 'string' || !env.startsWith(PREFIX)) return undefined;
    return env.slice(PREFIX.length).split(':')[0];
  }

  toStorage(obj: KubeObject): KubeObject {
    const key = this.keys[0];
    if (!key) return obj;
    // A Secret that could not be decrypted (its key is gone) is written back as it was, never re-encrypted empty.
    if (this.keyIdOf(obj) !== undefined) return obj;
    const { data, stringData, ...rest } = obj as KubeObject & { data?: unknown; stringData?: unknown };
    const plain = Buffer.from(JSON.stringify({ data, stringData }));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.key, iv);
    cipher.setAAD(aad(obj));
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    const envelope = `${PREFIX}${key.id}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
    return { ...rest, encryptedData: envelope } as KubeObject;
  }

  /**
   * The readable Secret. One whose key is not configured stays sealed (no data, `encryptedData` kept)
   * instead of failing: the API keeps serving, and configuring the key again recovers it.
   */
  fromStorage(stored: KubeObject): KubeObject {
    try {
      return this.decrypt(stored);
    } catch (err) {
      if (!this.warned.has(String(stored.metadata.uid))) {
        this.warned.add(String(stored.metadata.uid));
        log('error', 'cannot decrypt Secret', {
          component: 'secrets',
          namespace: stored.metadata.namespace,
          name: stored.metadata.name,
          error: (err as Error).message,
        });
      }
      return stored;
    }
  }

  private readonly warned = new Set<string>();

  /** Decrypts or throws (SecretDecryptError for a missing key; a GCM error for tampering). */
  decrypt(stored: KubeObject): KubeObject {
    const id = this.keyIdOf(stored);
    if (id === undefined) return stored; // written before encryption was turned on
    const key = this.keys.find((k) => k.id === id);
    if (!key)
      throw new SecretDecryptError(`Secret ${stored.metadata.namespace}/${stored.metadata.name} is encrypted with key "${id}", which is not configured`);
    const { encryptedData, ...rest } = stored as KubeObject & { encryptedData: string };
    const raw = Buffer.from(encryptedData.slice(PREFIX.length + id.length + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(0, 12));
    decipher.setAAD(aad(stored));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString()) as { data?: unknown; stringData?: unknown };
    const out: Record<string, unknown> = { ...rest };
    if (plain.data !== undefined) out.data = plain.data;
    if (plain.stringData !== undefined) out.stringData = plain.stringData;
    return out as KubeObject;
  }
}

function aad(obj: KubeObject): Buffer {
  return Buffer.from(`core/secrets/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`);
}
