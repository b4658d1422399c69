// Key rotation for Secrets at rest: re-encrypts every stored Secret (objects and the change log)
// with the current first key, in place and without new resource versions (the data is unchanged).
import { Inject, Injectable } from '@nestjs/common';
import type { Store } from '@flotilla/store';
import { STORE } from '../tokens';
import { SecretEncryption } from './secret-encryption';
import { SECRET_ENCRYPTION } from './tenancy.tokens';

@Injectable()
export class SecretRewriter {
  constructor(
    @Inject(STORE) private readonly store: Store,
    @Inject(SECRET_ENCRYPTION) private readonly enc: SecretEncryption,
  ) {}

  /** Re-encrypts every Secret (or those of one namespace); a Secret it cannot decrypt fails the whole rewrite. */
  async rewriteAll(namespace?: string): Promise<{ keyId: string | null; objects: number; changes: number }> {
    const target = this.enc.primaryKeyId;
    const { objects, changes } = await this.store.rewriteAtRest(
      'core/secrets',
      (stored) => {
        if (this.enc.keyIdOf(stored) === target) return undefined;
        const plain = this.enc.decrypt(stored);
        return this.enc.enabled ? this.enc.toStorage(plain) : plain;
      },
      { namespace },
    );
    return { keyId: target ?? null, objects, changes };
  }
}
