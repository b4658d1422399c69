// Start-up seeding, idempotent and safe with several API replicas: the default ClusterRoles and
// ClusterRoleBindings (created when missing, never overwritten), the kube-node-lease namespace, and
// the first admin — from FLOTILLA_ADMIN_USER/FLOTILLA_ADMIN_PASSWORD, or, when no user exists yet,
// `admin` with a generated password written to <data dir>/admin-password (0600), never logged.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ADMINS_GROUP, defaultClusterRoleBindings, defaultClusterRoles } from '@flotilla/rbac';
import { KubeObject, resourceFor, ResourceType } from '@flotilla/resources';
import { StoreError, type Store } from '@flotilla/store';
import type { Config } from '../config';
import { log } from '../log';
import { IdentityDb } from '@flotilla/identity';
import { CONFIG, STORE } from '../tokens';
import { IdentityError, IdentityService } from './identity.service';
import { TENANCY_CONFIG } from './tenancy.tokens';
import type { TenancyConfig } from './tenancy-config';

const RBAC = 'rbac.authorization.k8s.io';

const info = (msg: string, fields: Record<string, unknown> = {}) => log.info(msg, { component: 'tenancy', ...fields });

@Injectable()
export class SeedService implements OnApplicationBootstrap {
  constructor(
    @Inject(STORE) private readonly store: Store,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(TENANCY_CONFIG) private readonly cfg: TenancyConfig,
    private readonly identity: IdentityService,
    private readonly identityDb: IdentityDb,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.seedObjects();
    await this.seedAdmin();
  }

  /** Creates `obj` unless the cache has it; the caller synced the cache once for all of them. */
  private async ensure(t: ResourceType, obj: KubeObject): Promise<void> {
    if (await this.store.get(t, '', obj.metadata.name ?? '', { consistent: false })) return;
    try {
      await this.store.create(t, obj, '');
    } catch (err) {
      if (!(err instanceof StoreError && err.reason === 'AlreadyExists')) throw err;
    }
  }

  async seedObjects(): Promise<void> {
    const roles = resourceFor(RBAC, 'v1', 'clusterroles') as ResourceType;
    const bindings = resourceFor(RBAC, 'v1', 'clusterrolebindings') as ResourceType;
    // One read barrier for the whole check, not one per object: this runs before every start serves, and on a
    // restart everything is already there. A replica creating the same object meanwhile is AlreadyExists.
    await this.store.sync();
    for (const r of defaultClusterRoles()) await this.ensure(roles, r as unknown as KubeObject);
    for (const b of defaultClusterRoleBindings()) await this.ensure(bindings, b as unknown as KubeObject);
    // The namespaces every Kubernetes cluster has: kubectl defaults to `default`, agents renew their
    // leases in `kube-node-lease`.
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      await this.ensure(resourceFor('', 'v1', 'namespaces') as ResourceType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject);
    }
  }

  private async seedAdmin(): Promise<void> {
    let username = this.cfg.adminUser;
    let password = this.cfg.adminPassword;
    let generated = false;
    if (username && password) {
      // Every start has the configured admin after the first: argon2 would spend its 19 MiB and tens of
      // milliseconds on a hash the insert then refuses, on the restart path.
      if (await this.identityDb.userExists(username)) return;
    } else {
      if (await this.identityDb.hasUsers()) return;
      username = 'admin';
      password = randomBytes(18).toString('base64url');
      generated = true;
    }
    try {
      await this.identity.createUser(username, password, { displayName: 'Administrator', groups: [ADMINS_GROUP] });
    } catch (err) {
      if (err instanceof IdentityError && err.code === 409) return; // already there: leave its password alone
      throw err;
    }
    if (generated) {
      mkdirSync(this.config.dataDir, { recursive: true, mode: 0o700 });
      const file = join(this.config.dataDir, 'admin-password');
      writeFileSync(file, `${username}\n${password}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
      // Only where to find the password: logs are shipped and kept, the 0600 file is not.
      info('first admin created: its password is in the file (mode 0600)', { username, file });
    } else info('admin user created from FLOTILLA_ADMIN_USER', { username });
  }
}
