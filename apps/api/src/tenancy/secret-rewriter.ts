// Key rotation for Secrets at rest: re-encrypts every stored Secret (objects and the change log)
// with the current first key, in place and without new resource versions (the data is unchanged).
import { Inject, Injectable } from '@nestjs/common';
import type { KubeObject } from '@flotilla/resources';
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
    const rewrite = (json: string): string | undefined => {
      const stored = JSON.parse(json) as KubeObject;
      if (this.enc.keyIdOf(stored) === target) return undefined;
      const plain = this.enc.decrypt(stored);
      return JSON.stringify(this.enc.enabled ? this.enc.toStorage(plain) : plain);
    };
    let objects = 0;
    let changes = 0;
    await this.store.db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ namespace: string; name: string; json: string }[]>(
          "SELECT namespace, name, body::text AS json FROM objects WHERE resource = 'core/secrets' AND ($1::text IS NULL OR namespace = $1) FOR UPDATE",
          namespace ?? null,
        );
        for (const r of rows) {
          const next = rewrite(r.json);
          if (!next) continue;
          await tx.$executeRawUnsafe(
            "UPDATE objects SET body = $1::jsonb WHERE resource = 'core/secrets' AND namespace = $2 AND name = $3",
            next,
            r.namespace,
            r.name,
          );
          objects++;
        }
        const log = await tx.$queryRawUnsafe<{ rv: string; json: string }[]>(
          "SELECT resource_version::text AS rv, object::text AS json FROM changes WHERE resource = 'core/secrets' AND ($1::text IS NULL OR namespace = $1) FOR UPDATE",
          namespace ?? null,
        );
        for (const r of log) {
          const next = rewrite(r.json);
          if (!next) continue;
          await tx.$executeRawUnsafe('UPDATE changes SET object = $1::jsonb WHERE resource_version = $2::bigint', next, r.rv);
          changes++;
        }
      },
      { timeout: 300_000, maxWait: 30_000 },
    );
    return { keyId: target ?? null, objects, changes };
  }
}
