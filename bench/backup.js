// Platform backup benchmark (issue 24): for N objects (default 10,000: ConfigMaps and encrypted Secrets
// written through the API), the time and size of a Flotilla backup and of its verified restore, with a raw
// pg_dump, a raw pg_restore and a raw restic run of the same dump side by side in one run.
// BENCH_BACKUP_OBJECTS=N changes the count. Run it on a quiet machine: every figure is wall time.
const { execFileSync, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, writeFileSync, mkdirSync, rmSync, statSync } = require('node:fs');
const { tmpdir, cpus, loadavg } = require('node:os');
const { dirname, join } = require('node:path');
const { Client } = require('pg');
const { prepare, startApi, request, progress, agentFor, ROOT } = require('./support');

const OBJECTS = Number(process.env.BENCH_BACKUP_OBJECTS || 10000);
const DB = 'flotilla_bench_backup';

function timed(fn) {
  const t = process.hrtime.bigint();
  const out = fn();
  return { ms: Number((process.hrtime.bigint() - t) / 1_000_000n), out };
}

function must(r, what) {
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr || r.stdout}`);
  return r;
}

async function seed(api) {
  agentFor(api);
  await request(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-backup' } });
  const secrets = Math.round(OBJECTS / 10);
  const objs = Array.from({ length: OBJECTS }, (_, i) =>
    i < secrets
      ? { kind: 'secrets', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}` }, stringData: { password: randomBytes(16).toString('hex') } } }
      : {
          kind: 'configmaps',
          body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `c-${i}`, labels: { shard: String(i % 10) } },
            data: { value: randomBytes(256).toString('base64') },
          },
        },
  );
  for (let i = 0; i < objs.length; i += 32) {
    const rs = await Promise.all(objs.slice(i, i + 32).map((o) => request(api, 'POST', `/api/v1/namespaces/bench-backup/${o.kind}`, o.body)));
    const bad = rs.find((r) => r.status !== 201);
    if (bad) throw new Error(`seeding failed: ${bad.status} ${bad.body}`);
    if (i % 2000 === 0) progress(`seeded ${i + 32}/${OBJECTS} objects`);
  }
}

async function main() {
  const { databaseUrl, redisUrl } = prepare(DB);
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-backup-'));
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const api = await startApi({ databaseUrl, redisUrl, env: { FLOTILLA_ENCRYPTION_KEYS: keys } });
  const scratch = new URL(databaseUrl);
  scratch.pathname = '/flotilla_bench_backup_raw';
  const admin = new Client({ connectionString: databaseUrl });
  try {
    await seed(api);
    const dataDir = join(work, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    execFileSync('cp', ['-r', dirname(api.caFile), join(dataDir, 'pki')]);
    writeFileSync(join(dataDir, 'env'), `FLOTILLA_ENCRYPTION_KEYS=${keys}\n`, { mode: 0o600 });
    writeFileSync(join(work, 'password'), randomBytes(18).toString('base64'), { mode: 0o600 });
    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      FLOTILLA_DATA_DIR: dataDir,
      FLOTILLA_BACKUP_PASSWORD_FILE: join(work, 'password'),
      RESTIC_CACHE_DIR: join(work, 'cache'),
    };

    progress('raw pg_dump');
    const dumpFile = join(work, 'raw.dump');
    const dump = timed(() => must(spawnSync('pg_dump', ['--format=custom', `--file=${dumpFile}`, `--dbname=${databaseUrl}`], { encoding: 'utf8' }), 'pg_dump'));
    progress('raw pg_restore into a scratch database');
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS flotilla_bench_backup_raw WITH (FORCE)');
    await admin.query('CREATE DATABASE flotilla_bench_backup_raw');
    const restore = timed(() =>
      must(spawnSync('pg_restore', ['--no-owner', '--no-privileges', `--dbname=${scratch}`, dumpFile], { encoding: 'utf8' }), 'pg_restore'),
    );
    await admin.query('DROP DATABASE IF EXISTS flotilla_bench_backup_raw WITH (FORCE)');
    progress('raw restic backup of the same dump');
    const rawRepo = { ...env, RESTIC_REPOSITORY: join(work, 'raw-repo'), RESTIC_PASSWORD_FILE: join(work, 'password') };
    must(spawnSync('restic', ['init'], { env: rawRepo, encoding: 'utf8' }), 'restic init');
    const restic = timed(() => must(spawnSync('restic', ['backup', '--json', dumpFile], { env: rawRepo, encoding: 'utf8' }), 'restic backup'));
    const resticSummary = JSON.parse(restic.out.stdout.split('\n').find((l) => l.includes('"summary"')));

    progress('Flotilla backup (pg_dump + PKI + configuration through restic, then a verified restore)');
    const flotilla = timed(() =>
      must(
        spawnSync(process.execPath, [join(ROOT, 'libs/backup/dist/cli.js'), 'backup'], {
          env: { ...env, FLOTILLA_BACKUP_REPOSITORY: join(work, 'repo') },
          encoding: 'utf8',
        }),
        'flotilla backup',
      ),
    );
    const run = (await admin.query("SELECT duration_ms, report FROM backup_runs WHERE result = 'verified' ORDER BY id DESC LIMIT 1")).rows[0];
    if (!run) throw new Error(`the Flotilla backup did not verify:\n${flotilla.out.stdout}`);
    const v = run.report.verify;
    const result = {
      date: new Date().toISOString(),
      machine: `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the end`,
      objects: OBJECTS,
      rawPgDump: { ms: dump.ms, bytes: statSync(dumpFile).size },
      rawPgRestore: { ms: restore.ms },
      rawRestic: { ms: restic.ms, dataAddedBytes: resticSummary.data_added },
      flotilla: {
        totalMs: flotilla.ms,
        verifyMs: v.durationMs,
        bytesProcessed: run.report.summary.total_bytes_processed,
        dataAddedBytes: run.report.summary.data_added,
        secretsDecrypted: v.secretsDecrypted,
        sampled: v.sampled,
      },
    };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/backup.json'), `${JSON.stringify(result, null, 2)}\n`);
    const kb = (b) => `${(b / 1024).toFixed(0)} kB`;
    const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
    const md = [
      '# Platform backup benchmark',
      '',
      `${result.date} · ${result.machine} · ${OBJECTS} objects (${Math.round(OBJECTS / 10)} of them encrypted Secrets) written through the API.`,
      '',
      '| step | time | size |',
      '|---|---|---|',
      `| raw \`pg_dump --format=custom\` | ${s(dump.ms)} | ${kb(result.rawPgDump.bytes)} |`,
      `| raw \`pg_restore\` into an empty database | ${s(restore.ms)} | |`,
      `| raw \`restic backup\` of that dump (new repository) | ${s(restic.ms)} | ${kb(result.rawRestic.dataAddedBytes)} stored |`,
      `| Flotilla backup, all of it (\`scripts/backup.sh\`: dump + PKI + configuration through restic, retention, verified restore) | ${s(flotilla.ms)} | ${kb(result.flotilla.dataAddedBytes)} stored of ${kb(result.flotilla.bytesProcessed)} |`,
      `| of which the verified restore (restic restore, pg_restore into a scratch database, ${v.sampled} objects byte for byte, ${v.secretsDecrypted} Secrets decrypted) | ${s(v.durationMs)} | |`,
      '',
    ].join('\n');
    writeFileSync(join(ROOT, 'bench/results/backup.md'), md);
    process.stdout.write(md);
  } finally {
    api.stop();
    await admin.end().catch(() => undefined);
    const a = new Client({ connectionString: databaseUrl.replace(/\/[^/]*$/, '/postgres') });
    await a.connect().catch(() => undefined);
    await a.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
    await a.query('DROP DATABASE IF EXISTS flotilla_bench_backup_raw WITH (FORCE)').catch(() => undefined);
    await a.end().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

module.exports = { main };
