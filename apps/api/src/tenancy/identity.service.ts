// Users, groups, personal API tokens, node credentials, service-account tokens and portal sessions:
// the only code that reads or writes those tables. Secrets are returned once, stored as hashes.
import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { IdentityDb, type CredentialRow } from '@flotilla/identity';
import type { Store } from '@flotilla/store';
import { newSecret, parseSecret, secretMatches, sha256 } from '../auth/secrets';
import type { UserInfo } from '../auth/user';
import { STORE } from '../tokens';
import { TENANCY_CONFIG } from './tenancy.tokens';
import type { TenancyConfig } from './tenancy-config';
import { NODES_GROUP } from '@flotilla/rbac';

export const USERNAME = /^[a-z0-9]([a-z0-9._@-]{0,61}[a-z0-9])?$/;
export const GROUPNAME = /^[a-z0-9]([a-z0-9:._-]{0,61}[a-z0-9])?$/;

/** argon2id with OWASP's minimum memory-hard parameters (19 MiB, 2 passes). */
const ARGON = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** A fixed hash verified for unknown users, so their answer takes as long as a wrong password. */
let dummyHash: Promise<string> | undefined;

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  groups: string[];
  createdAt: string;
}

export interface TokenView {
  id: string;
  name: string;
  kind: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  revoked: boolean;
}

export class IdentityError extends Error {
  constructor(
    readonly code: 400 | 404 | 409 | 422,
    message: string,
  ) {
    super(message);
  }
}

interface CachedAuth {
  user: UserInfo;
  until: number;
  secretHash: string;
  /** A service-account token's binding, checked on every use (also from the cache) so a deletion revokes it at once. */
  binding?: TokenBinding;
  /** A user's personal token, whose use is recorded. */
  personal?: boolean;
}

/** What a service-account token is bound to: its account's uid, and optionally a Pod's or Secret's. */
export interface TokenBinding {
  namespace: string;
  serviceAccount: string;
  serviceAccountUid: string;
  object?: { kind: 'Pod' | 'Secret'; name: string; uid: string };
}

const BOUND_RESOURCE = { Pod: 'core/pods', Secret: 'core/secrets' } as const;

/** How long a verified token is trusted without asking Postgres again (revocations in other API replicas take at most this long). */
const AUTH_CACHE_MS = 5_000;

/** How often a personal token's "last used" is written: at most once a minute per token, not once per request. */
const LAST_USED_EVERY_MS = 60_000;

@Injectable()
export class IdentityService {
  private readonly authCache = new Map<string, CachedAuth>();
  /** When each personal token's use was last written, so a busy kubectl costs one write a minute. */
  private readonly lastUseWritten = new Map<string, number>();

  constructor(
    @Inject(STORE) private readonly store: Store,
    @Inject(TENANCY_CONFIG) private readonly cfg: TenancyConfig,
    private readonly identityDb: IdentityDb,
  ) {}

  /** The Prisma client, for the admin paths only (see IdentityDb). */
  private get db() {
    return this.identityDb.prisma;
  }

  // ---- users -------------------------------------------------------------------------------------

  async createUser(username: string, password: string, opts: { displayName?: string; groups?: string[] } = {}): Promise<UserView> {
    if (!USERNAME.test(username) || username.startsWith('system:'))
      throw new IdentityError(422, `invalid username "${username}": lower-case letters, digits, ".", "_", "@", "-"`);
    checkPassword(password);
    const groups = opts.groups ?? [];
    for (const g of groups) if (!GROUPNAME.test(g)) throw new IdentityError(422, `invalid group name "${g}"`);
    const passwordHash = await argonHash(password, ARGON);
    const id = randomUUID();
    const unique = [...new Set(groups)].sort();
    // One statement (so one transaction) in plain SQL: the first admin is created at start-up, and this keeps the
    // Prisma client unloaded until someone administers users.
    const createdAt = await this.identityDb.insertUser({ id, username, displayName: opts.displayName ?? '', passwordHash, groups: unique });
    if (!createdAt) throw new IdentityError(409, `user "${username}" already exists`);
    return { id, username, displayName: opts.displayName ?? '', disabled: false, groups: unique, createdAt: createdAt.toISOString() };
  }

  async getUser(username: string): Promise<UserView> {
    const u = await this.db.user.findUnique({ where: { username }, include: { memberships: true } });
    if (!u) throw new IdentityError(404, `user "${username}" not found`);
    return view(u);
  }

  async userExists(username: string): Promise<boolean> {
    return (await this.db.user.count({ where: { username } })) > 0;
  }

  async listUsers(): Promise<UserView[]> {
    const us = await this.db.user.findMany({ include: { memberships: true }, orderBy: { username: 'asc' } });
    return us.map(view);
  }

  /** Disable (or enable) a user; disabling also ends their sessions and revokes their tokens. */
  async setDisabled(username: string, disabled: boolean): Promise<UserView> {
    const u = await this.db.user.findUnique({ where: { username } });
    if (!u) throw new IdentityError(404, `user "${username}" not found`);
    await this.db.$transaction([
      this.db.user.update({ where: { id: u.id }, data: { disabled } }),
      ...(disabled
        ? [
            this.db.session.updateMany({ where: { userId: u.id, revokedAt: null }, data: { revokedAt: new Date() } }),
            this.db.apiToken.updateMany({ where: { userId: u.id, revokedAt: null }, data: { revokedAt: new Date() } }),
          ]
        : []),
    ]);
    this.authCache.clear();
    return this.getUser(username);
  }

  async resetPassword(username: string, password: string): Promise<void> {
    checkPassword(password);
    const u = await this.db.user.findUnique({ where: { username } });
    if (!u) throw new IdentityError(404, `user "${username}" not found`);
    const passwordHash = await argonHash(password, ARGON);
    await this.db.$transaction([
      this.db.user.update({ where: { id: u.id }, data: { passwordHash } }),
      this.db.session.updateMany({ where: { userId: u.id, revokedAt: null }, data: { revokedAt: new Date() } }),
    ]);
    this.authCache.clear();
  }

  async deleteUser(username: string): Promise<void> {
    const r = await this.db.user.deleteMany({ where: { username } });
    if (r.count === 0) throw new IdentityError(404, `user "${username}" not found`);
    this.authCache.clear();
  }

  /** The user for a username and password, or undefined: unknown user and wrong password look alike. */
  async verifyPassword(username: string, password: string): Promise<UserView | undefined> {
    const u = USERNAME.test(username) ? await this.db.user.findUnique({ where: { username }, include: { memberships: true } }) : null;
    if (!u) {
      dummyHash ??= argonHash('not-a-password-of-anyone', ARGON);
      await argonVerify(await dummyHash, password).catch(() => false);
      return undefined;
    }
    const ok = await argonVerify(u.passwordHash, password).catch(() => false);
    return ok && !u.disabled ? view(u) : undefined;
  }

  // ---- groups ------------------------------------------------------------------------------------

  async createGroup(name: string, description = ''): Promise<{ name: string; description: string; members: string[] }> {
    if (!GROUPNAME.test(name) || name.startsWith('system:')) throw new IdentityError(422, `invalid group name "${name}"`);
    try {
      await this.db.group.create({ data: { name, description } });
    } catch (err) {
      if (/Unique constraint|P2002/.test((err as Error).message)) throw new IdentityError(409, `group "${name}" already exists`);
      throw err;
    }
    return { name, description, members: [] };
  }

  async listGroups(): Promise<{ name: string; description: string; members: string[] }[]> {
    const gs = await this.db.group.findMany({ include: { members: { include: { user: true } } }, orderBy: { name: 'asc' } });
    return gs.map((g) => ({ name: g.name, description: g.description, members: g.members.map((m) => m.user.username).sort() }));
  }

  async deleteGroup(name: string): Promise<void> {
    const r = await this.db.group.deleteMany({ where: { name } });
    if (r.count === 0) throw new IdentityError(404, `group "${name}" not found`);
    this.authCache.clear();
  }

  async addMember(group: string, username: string): Promise<void> {
    const [g, u] = await Promise.all([this.db.group.findUnique({ where: { name: group } }), this.db.user.findUnique({ where: { username } })]);
    if (!g) throw new IdentityError(404, `group "${group}" not found`);
    if (!u) throw new IdentityError(404, `user "${username}" not found`);
    await this.db.groupMember.upsert({
      where: { groupName_userId: { groupName: group, userId: u.id } },
      create: { groupName: group, userId: u.id },
      update: {},
    });
    this.authCache.clear();
  }

  async removeMember(group: string, username: string): Promise<void> {
    const u = await this.db.user.findUnique({ where: { username } });
    const r = u ? await this.db.groupMember.deleteMany({ where: { groupName: group, userId: u.id } }) : { count: 0 };
    if (r.count === 0) throw new IdentityError(404, `user "${username}" is not a member of group "${group}"`);
    this.authCache.clear();
  }

  // ---- tokens ------------------------------------------------------------------------------------

  /** A personal API token; the returned `token` is the only time the secret exists in clear. */
  async createUserToken(userId: string, name: string, ttlSeconds?: number): Promise<TokenView & { token: string }> {
    if (!name || name.length > 100) throw new IdentityError(422, 'a token needs a name of 1 to 100 characters');
    const ttl = ttlSeconds ?? this.cfg.tokenDefaultTtlSeconds;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > this.cfg.tokenMaxTtlSeconds) {
      throw new IdentityError(422, `expirationSeconds must be between 60 and ${this.cfg.tokenMaxTtlSeconds}`);
    }
    return this.issue('user', name, { userId }, ttl);
  }

  async issue(
    kind: 'user' | 'node' | 'serviceaccount',
    name: string,
    who: { userId?: string; subject?: string; binding?: TokenBinding },
    ttlSeconds?: number,
  ): Promise<TokenView & { token: string }> {
    const s = newSecret('flt');
    const row = await this.db.apiToken.create({
      data: {
        id: s.id,
        kind,
        userId: who.userId,
        subject: who.subject ?? '',
        name,
        secretHash: s.hash,
        expiresAt: ttlSeconds ? new Date(Date.now() + ttlSeconds * 1000) : null,
        boundTo: who.binding ? { ...who.binding } : undefined,
      },
    });
    return { ...tokenView(row), token: s.token };
  }

  async listTokens(userId: string): Promise<TokenView[]> {
    const rows = await this.db.apiToken.findMany({ where: { userId, kind: 'user' }, orderBy: { createdAt: 'asc' } });
    return rows.map(tokenView);
  }

  async revokeToken(userId: string, id: string): Promise<void> {
    const r = await this.db.apiToken.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (r.count === 0) throw new IdentityError(404, `token "${id}" not found`);
    this.authCache.delete(id);
  }

  /** Revokes every credential of a node (a node removed from the cluster). */
  async revokeNode(nodeName: string): Promise<number> {
    const r = await this.db.apiToken.updateMany({
      where: { kind: 'node', subject: `system:node:${nodeName}`, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    this.authCache.clear();
    return r.count;
  }

  /** The user a bearer token stands for; undefined when it is not one of ours or not valid. */
  async authenticateToken(token: string, now = Date.now()): Promise<UserInfo | undefined> {
    const p = parseSecret(token);
    if (!p || p.prefix !== 'flt') return undefined;
    const key = p.id;
    const hit = this.authCache.get(key);
    if (hit && hit.until > now && secretMatches(p.secret, hit.secretHash)) {
      if (hit.binding && !(await this.bindingHolds(hit.binding))) return undefined;
      if (hit.personal) this.recordUse(key, now);
      return hit.user;
    }
    const row = await this.identityDb.tokenCredential<TokenBinding>(p.id);
    if (!row || row.revoked_at || (row.expires_at && row.expires_at.getTime() <= now) || !secretMatches(p.secret, row.secret_hash)) return undefined;
    let user: UserInfo;
    let binding: TokenBinding | undefined;
    if (row.kind === 'user') {
      if (!row.user_id || row.disabled) return undefined;
      user = userInfo(row);
    } else if (row.kind === 'node') {
      user = { username: row.subject, uid: `node:${row.id}`, groups: [NODES_GROUP, 'system:authenticated'] };
    } else if (row.kind === 'serviceaccount') {
      const [, , ns] = row.subject.split(':');
      // A token dies with the very account (and object) it was issued for; one without a binding predates bindings and is refused.
      binding = row.bound_to ?? undefined;
      if (!binding || !(await this.bindingHolds(binding))) return undefined;
      user = { username: row.subject, uid: `sa-token:${row.id}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] };
    } else return undefined;
    const until = Math.min(now + AUTH_CACHE_MS, row.expires_at?.getTime() ?? Infinity);
    if (this.authCache.size > 10_000) this.authCache.clear();
    this.authCache.set(key, { user, until, secretHash: row.secret_hash, binding, personal: row.kind === 'user' });
    if (row.kind === 'user') this.recordUse(key, now);
    return user;
  }

  /** Notes that a personal token was used (shown as "Last used"); never delays or fails the request. */
  private recordUse(id: string, now: number): void {
    if (now - (this.lastUseWritten.get(id) ?? 0) < LAST_USED_EVERY_MS) return;
    if (this.lastUseWritten.size > 10_000) this.lastUseWritten.clear();
    this.lastUseWritten.set(id, now);
    void this.identityDb.touchToken(id, new Date(now)).catch(() => this.lastUseWritten.delete(id));
  }

  /**
   * The bound account (and object) still exist with the uids the token was issued for. Read after a barrier
   * (one shared version query), so a deletion committed before this request revokes the token at once.
   */
  private async bindingHolds(b: TokenBinding): Promise<boolean> {
    await this.store.sync();
    const sa = this.store.cache.get('core/serviceaccounts', b.namespace, b.serviceAccount);
    if (!sa || sa.obj.metadata?.uid !== b.serviceAccountUid || sa.obj.metadata?.deletionTimestamp) return false;
    if (!b.object) return true;
    const o = this.store.cache.get(BOUND_RESOURCE[b.object.kind], b.namespace, b.object.name);
    return !!o && o.obj.metadata?.uid === b.object.uid && !o.obj.metadata?.deletionTimestamp;
  }

  // ---- sessions ----------------------------------------------------------------------------------

  async createSession(userId: string, sourceIp: string, userAgent: string): Promise<{ cookie: string; csrf: string; expiresAt: Date }> {
    const s = newSecret('fls');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.cfg.sessionTtlSeconds * 1000);
    await this.db.session.create({
      data: { id: s.id, userId, secretHash: s.hash, csrfHash: sha256(csrf), expiresAt, sourceIp, userAgent: userAgent.slice(0, 200) },
    });
    return { cookie: s.token, csrf, expiresAt };
  }

  /** The session's user, checking the CSRF token when asked; undefined for unknown/expired/revoked. */
  async authenticateSession(cookie: string, csrf: string | undefined, needCsrf: boolean): Promise<{ user: UserInfo; csrfOk: boolean } | undefined> {
    const p = parseSecret(cookie);
    if (!p || p.prefix !== 'fls') return undefined;
    const row = await this.identityDb.sessionCredential(p.id);
    if (!row?.user_id || row.revoked_at || row.expires_at!.getTime() <= Date.now() || row.disabled || !secretMatches(p.secret, row.secret_hash))
      return undefined;
    const csrfOk = !needCsrf || (csrf !== undefined && secretMatches(csrf, row.csrf_hash));
    return { user: userInfo(row), csrfOk };
  }

  async endSession(cookie: string): Promise<void> {
    const p = parseSecret(cookie);
    if (!p || p.prefix !== 'fls') return;
    await this.db.session.updateMany({ where: { id: p.id, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  async listSessions(userId: string): Promise<{ id: string; createdAt: string; expiresAt: string; sourceIp: string; userAgent: string }[]> {
    const rows = await this.db.session.findMany({ where: { userId, revokedAt: null, expiresAt: { gt: new Date() } }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      sourceIp: r.sourceIp,
      userAgent: r.userAgent,
    }));
  }

  async revokeSession(userId: string, id: string): Promise<void> {
    const r = await this.db.session.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (r.count === 0) throw new IdentityError(404, `session "${id}" not found`);
  }

  // ---- node join ---------------------------------------------------------------------------------

  async createJoinToken(createdBy: string, ttlSeconds = this.cfg.joinTokenTtlSeconds): Promise<{ token: string; id: string; expiresAt: string }> {
    const s = newSecret('flj');
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    await this.db.joinToken.create({ data: { id: s.id, secretHash: s.hash, createdBy, expiresAt } });
    return { token: s.token, id: s.id, expiresAt: expiresAt.toISOString() };
  }

  /** Exchanges a one-time join token for the node's own credential. */
  async joinNode(joinToken: string, nodeName: string): Promise<{ token: string; username: string }> {
    const p = parseSecret(joinToken);
    if (!p || p.prefix !== 'flj') return Promise.reject(new IdentityError(400, 'invalid join token'));
    // Marking the row used in the same statement that checks it makes the token single-use under races.
    const used = await this.db.joinToken.updateMany({
      where: { id: p.id, usedAt: null, expiresAt: { gt: new Date() }, secretHash: sha256(p.secret) },
      data: { usedAt: new Date(), nodeName },
    });
    if (used.count !== 1) throw new IdentityError(400, 'invalid join token');
    const username = `system:node:${nodeName}`;
    const t = await this.issue('node', `node ${nodeName}`, { subject: username });
    return { token: t.token, username };
  }
}

function checkPassword(p: string): void {
  if (typeof p !== 'string' || p.length < 12 || p.length > 1024) throw new IdentityError(422, 'a password needs 12 to 1024 characters');
}

interface UserRow {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  createdAt: Date;
  memberships: { groupName: string }[];
}

function view(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    disabled: u.disabled,
    groups: u.memberships.map((m) => m.groupName).sort(),
    createdAt: u.createdAt.toISOString(),
  };
}

function userInfo(u: CredentialRow): UserInfo {
  return { username: u.username!, uid: u.user_id!, groups: [...[...u.groups].sort(), 'system:authenticated'] };
}

function tokenView(r: {
  id: string;
  name: string;
  kind: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  revokedAt: Date | null;
}): TokenView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    expiresAt: r.expiresAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    revoked: r.revokedAt !== null,
  };
}
