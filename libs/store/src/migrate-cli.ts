#!/usr/bin/env node
// `npm run migrate`: applies pending migrations to DATABASE_URL.
import { resolve } from 'node:path';
import { migrate, migrationsDir } from './migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set: run scripts/setup.sh, or export DATABASE_URL=postgresql://user:pass@host:5432/db');
  process.exit(2);
}
const root = resolve(__dirname, '..', '..', '..');
migrate(url, migrationsDir(root), (l) => console.log(l))
  .then((r) => console.log(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already in place`))
  .catch((err: Error) => {
    console.error(`migration failed: ${err.message}`);
    process.exit(1);
  });
