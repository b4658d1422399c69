// Secrets at rest through the store's envelope (libs/store/src/secret-envelope.ts). The first configured key
// encrypts; every key decrypts (rotation: add the new key first, restart, rewrite all Secrets, then drop the
// old key).
import type { KubeObject } from '@flotilla/resources';
import type { EncryptionKey, ValueTransformer } from '@flotilla/store';
import { envelopeKeyId, openSecret, sealSecret } from '@flotilla/store';
import { log } from '../log';

export { SecretDecryptError } from '@flotilla/store';

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
    return envelopeKeyId(stored);
  }

  toStorage(obj: KubeObject): KubeObject {
    const key = this.keys[0];
    if (!key) return obj;
    // A Secret that could not be decrypted (its key is gone) is written back as it was, never re-encrypted empty.
    if (envelopeKeyId(obj) !== undefined) return obj;
    return sealSecret(obj, key);
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
        log.error('cannot decrypt Secret', {
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
    return openSecret(stored, this.keys);
  }
}
