// The identity and audit tables (users, groups, API tokens, sessions, join tokens, audit events): their own
// pool, apart from the object store's, and the Prisma client for the admin paths. Prisma's WASM query
// compiler costs a process 40–110 MB once it first runs, so the client is made on first use and nothing on
// a hot path goes through it: credential checks, the first user at start-up and audit inserts are plain SQL.
// Its modules are loaded on first use too: they took 90–230 ms of every API start, on a crashed API's way back.
import type { PrismaPg as PrismaPgAdapter } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import type { PrismaClient, AuditEvent } from './generated/prisma/client';

export type Prisma = PrismaClient;
export type { AuditEvent };

export interface IdentityDbOptions {
  databaseUrl: string;
  /** Connections this pool may open (default 5: admin traffic, uncached credential checks, audit batches). */
  maxConnections?: number;
}

/** A token's or session's row joined with its user; the user columns are null for a token of no user. */
export interface CredentialRow {
  secret_hash: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  user_id: string | null;
  username: string | null;
  disabled: boolean | null;
  groups: string[];
}

export interface TokenCredential<B> extends CredentialRow {
  id: string;
  kind: string;
  subject: string;
  bound_to: B | null;
}

export interface SessionCredential extends CredentialRow {
  csrf_hash: string;
}

/** One audit record as stored (audit_events' columns); a field a request did not fill is null. */
export interface AuditRow {
  time: string;
  request_id: string | null;
  username: string | null;
  groups: string[];
  source_ip: string | null;
  user_agent: string | null;
  verb: string | null;
  api_group: string | null;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  code: number;
  decision: string;
  reason: string | null;
}

/** One request's audit record as the API takes it; a field the request did not fill is left out. */
export interface AuditRecord {
  requestId: string;
  username: string;
  groups: string[];
  sourceIp: string;
  userAgent?: string;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  code: number;
  decision: 'allowed' | 'denied' | 'error';
  reason?: string;
}

/**
 * One stored audit record as the admin audit endpoint answers it (the portal reads this): the id and time as
 * strings, since JSON has no bigint or date, and an optional field as null.
 */
export interface AuditEntry extends Omit<AuditRecord, 'userAgent' | 'reason' | 'decision'> {
  id: string;
  time: string;
  userAgent: string | null;
  decision: string;
  reason: string | null;
}

/** What an admin filters the audit log by; every field is optional. */
export interface AuditFilter {
  username?: string;
  namespace?: string;
  verb?: string;
  resource?: string;
  decision?: string;
  since?: Date;
  until?: Date;
  /** Only records older than this id (the page before). */
  beforeId?: bigint;
  limit: number;
}

const AUDIT_COLUMNS =
  'time, request_id, username, groups, source_ip, user_agent, verb, api_group, resource, subresource, namespace, name, code, decision, reason';

export class IdentityDb {
  private readonly pool: Pool;
  private client?: PrismaClient;

  constructor(opts: IdentityDbOptions) {
    this.pool = new Pool({ connectionString: opts.databaseUrl, max: opts.maxConnections ?? 5 });
    // An idle client that loses its connection (Postgres restarted) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  /** The Prisma client (users, groups, tokens, sessions, audit), made on first use. */
  get prisma(): PrismaClient {
    if (!this.client) {
      // Synchronous on purpose (callers use the client at once); CommonJS loads each module once.
      const { PrismaPg } = require('@prisma/adapter-pg') as { PrismaPg: typeof PrismaPgAdapter };
      const { PrismaClient: Client } = require('./generated/prisma/client') as { PrismaClient: typeof PrismaClient };
      this.client = new Client({ adapter: new PrismaPg(this.pool) });
    }
    return this.client;
  }

  async close(): Promise<void> {
    await this.client?.$disconnect();
    await this.pool.end().catch(() => undefined);
  }

  private async sql<T>(text: string, ...params: unknown[]): Promise<T[]> {
    return (await this.pool.query(text, params)).rows as T[];
  }

  /** Whether any user exists (the first admin is created only when none does). */
  async hasUsers(): Promise<boolean> {
    return (await this.sql('SELECT 1 FROM users LIMIT 1')).length > 0;
  }

  /** Whether this username is taken (checked before hashing a password that would only be refused). */
  async userExists(username: string): Promise<boolean> {
    return (await this.sql('SELECT 1 FROM users WHERE username = $1', username)).length > 0;
  }

  /**
   * Creates a user with its groups (made when missing) and memberships in one statement, so one transaction;
   * resolves to its creation time, or undefined when the username is taken.
   */
  async insertUser(u: { id: string; username: string; displayName: string; passwordHash: string; groups: string[] }): Promise<Date | undefined> {
    try {
      const rows = await this.sql<{ created_at: Date }>(
        `WITH u AS (INSERT INTO users (id, username, display_name, password_hash) VALUES ($1, $2, $3, $4) RETURNING created_at),
              g AS (INSERT INTO groups (name) SELECT unnest($5::text[]) ON CONFLICT (name) DO NOTHING),
              m AS (INSERT INTO group_members (group_name, user_id) SELECT unnest($5::text[]), $1::uuid)
         SELECT created_at FROM u`,
        u.id,
        u.username,
        u.displayName,
        u.passwordHash,
        u.groups,
      );
      return rows[0].created_at;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return undefined;
      throw err;
    }
  }

  /** An API token with its user and the user's groups, in one round trip (every request missing the cache asks). */
  async tokenCredential<B>(id: string): Promise<TokenCredential<B> | undefined> {
    return this.credential<TokenCredential<B>>('api_tokens', id, 'c.id, c.kind, c.subject, c.bound_to');
  }

  /** Records when an API token was last used (hot path: plain SQL, no Prisma client loaded for it). */
  async touchToken(id: string, at: Date): Promise<void> {
    await this.sql('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', id, at);
  }

  /** A portal session with its user and the user's groups, in one round trip. */
  async sessionCredential(id: string): Promise<SessionCredential | undefined> {
    return this.credential<SessionCredential>('sessions', id, 'c.csrf_hash');
  }

  private async credential<T extends CredentialRow>(table: 'api_tokens' | 'sessions', id: string, columns: string): Promise<T | undefined> {
    const rows = await this.sql<T>(
      `SELECT c.secret_hash, c.expires_at, c.revoked_at, ${columns}, u.id AS user_id, u.username, u.disabled,
              ARRAY(SELECT m.group_name FROM group_members m WHERE m.user_id = u.id) AS groups
         FROM ${table} c LEFT JOIN users u ON u.id = c.user_id WHERE c.id = $1`,
      id,
    );
    return rows[0];
  }

  /** Appends audit records in one statement (all or none). */
  async insertAuditEvents(rows: AuditRow[]): Promise<void> {
    await this.sql(
      `INSERT INTO audit_events (${AUDIT_COLUMNS}) SELECT ${AUDIT_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(time timestamptz, request_id text,
       username text, groups text[], source_ip text, user_agent text, verb text, api_group text, resource text, subresource text, namespace text,
       name text, code int, decision text, reason text)`,
      JSON.stringify(rows),
    );
  }

  /** Audit records matching `f`, newest first, at most `f.limit`. */
  async findAuditEvents(f: AuditFilter): Promise<AuditEvent[]> {
    return this.prisma.auditEvent.findMany({
      where: {
        ...(f.username ? { username: f.username } : {}),
        ...(f.namespace ? { namespace: f.namespace } : {}),
        ...(f.verb ? { verb: f.verb } : {}),
        ...(f.resource ? { resource: f.resource } : {}),
        ...(f.decision ? { decision: f.decision } : {}),
        ...(f.since || f.until ? { time: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } } : {}),
        ...(f.beforeId !== undefined ? { id: { lt: f.beforeId } } : {}),
      },
      orderBy: { id: 'desc' },
      take: f.limit,
    });
  }
}
