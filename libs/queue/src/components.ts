// Where each control-plane process says it started, so a crash loop is visible (the admin components view,
// GET /flotilla/v1/admin/components, flotilla_component_restarts_total) rather than silent. The supervisor
// (scripts/supervise.sh) hands a restarted process its restart count and the previous exit in the
// environment; systemd units do not, so there `restarts` stays what the starts counter says.
//
//   flotilla:components:<cluster>   a hash, field `<component>/<host>`, value a ComponentRecord as JSON
//
// <cluster> is the Postgres database (host:port/name) the processes share: several clusters (the test
// suites, a developer's second checkout) may share one Redis, and the database is what makes them one cluster.
//
// Node agents do not write here: they may only talk to the API, so they carry the same record in an
// annotation on their Node (COMPONENT_ANNOTATION), and the API merges both.

/** The hash of one cluster's records; `databaseUrl` names the cluster (see above). */
export function componentsKey(databaseUrl: string): string {
  let cluster = databaseUrl;
  try {
    const u = new URL(databaseUrl);
    cluster = `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    // Not a URL (a libpq keyword string): the whole string still names one database.
  }
  return `flotilla:components:${cluster}`;
}
export const COMPONENT_ANNOTATION = 'flotilla.dev/component-start';

export interface ComponentRecord {
  component: string;
  host: string;
  pid: number;
  startedAt: string;
  /** Times the supervisor restarted it after an exit it did not ask for. */
  restarts: number;
  /** Starts recorded for this component on this host since its record was created (includes the first). */
  starts: number;
  /** How the previous run ended, when the supervisor knows. */
  lastExit: { status: number; at: string } | null;
}

/** The subset of ioredis used here, so this library needs no Redis client of its own. */
export interface ComponentsRedis {
  hget(key: string, field: string): Promise<string | null>;
  hset(key: string, field: string, value: string): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
}

/** The start as the environment describes it: FLOTILLA_RESTARTS, FLOTILLA_LAST_EXIT_STATUS, FLOTILLA_LAST_EXIT_AT. */
export function componentStart(
  component: string,
  host: string,
  env: Record<string, string | undefined>,
  previous?: Pick<ComponentRecord, 'starts' | 'restarts'>,
  now = new Date(),
): ComponentRecord {
  const starts = (previous?.starts ?? 0) + 1;
  const given = Number(env.FLOTILLA_RESTARTS);
  const status = Number(env.FLOTILLA_LAST_EXIT_STATUS);
  return {
    component,
    host,
    pid: process.pid,
    startedAt: now.toISOString(),
    restarts: Number.isInteger(given) && given >= 0 && env.FLOTILLA_RESTARTS !== '' ? given : starts - 1,
    starts,
    lastExit: env.FLOTILLA_LAST_EXIT_STATUS && Number.isInteger(status) ? { status, at: env.FLOTILLA_LAST_EXIT_AT ?? '' } : null,
  };
}

/** Parses a stored record; undefined for anything that is not one (an old or foreign value). */
export function parseComponentRecord(text: string | null | undefined): ComponentRecord | undefined {
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as Partial<ComponentRecord>;
    if (typeof r.component !== 'string' || typeof r.host !== 'string' || typeof r.startedAt !== 'string') return undefined;
    return {
      component: r.component,
      host: r.host,
      pid: typeof r.pid === 'number' ? r.pid : 0,
      startedAt: r.startedAt,
      restarts: typeof r.restarts === 'number' ? r.restarts : 0,
      starts: typeof r.starts === 'number' ? r.starts : 1,
      lastExit: r.lastExit && typeof r.lastExit.status === 'number' ? { status: r.lastExit.status, at: String(r.lastExit.at ?? '') } : null,
    };
  } catch {
    return undefined;
  }
}

/** Records this process's start in Redis; returns the record written. */
export async function recordComponentStart(
  redis: ComponentsRedis,
  key: string,
  component: string,
  host: string,
  env: Record<string, string | undefined> = process.env,
): Promise<ComponentRecord> {
  const field = `${component}/${host}`;
  const previous = parseComponentRecord(await redis.hget(key, field));
  const record = componentStart(component, host, env, previous);
  await redis.hset(key, field, JSON.stringify(record));
  return record;
}

/** Every record in Redis, sorted by component then host. */
export async function listRecordedComponents(redis: ComponentsRedis, key: string): Promise<ComponentRecord[]> {
  const all = await redis.hgetall(key);
  return Object.values(all)
    .map(parseComponentRecord)
    .filter((r): r is ComponentRecord => r !== undefined)
    .sort((a, b) => a.component.localeCompare(b.component) || a.host.localeCompare(b.host));
}
