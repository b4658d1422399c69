// prisma/schema.prisma is the model and prisma/migrations/ the SQL that makes it: this fails when the
// migrated database and the model disagree on a table, column, type or nullability.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ROOT, testDatabaseUrl } from './support/env';

interface Field {
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  nativeType?: string;
}

const SCALARS = new Set(['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes']);

function parseSchema(text: string): Map<string, Field[]> {
  const models = new Map<string, Field[]>();
  const enums = new Set([...text.matchAll(/^enum\s+(\w+)\s*\{/gm)].map((m) => m[1]));
  for (const m of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const body = m[2];
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? m[1];
    const fields: Field[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      const f = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!f || line.startsWith('@@')) continue;
      const [, name, type, list, optional, rest] = f;
      if (!SCALARS.has(type) && !enums.has(type)) continue; // relation fields have no column
      fields.push({
        column: /@map\("([^"]+)"\)/.exec(rest)?.[1] ?? name,
        type,
        list: Boolean(list),
        optional: Boolean(optional),
        nativeType: /@db\.(\w+)/.exec(rest)?.[1],
      });
    }
    models.set(table, fields);
  }
  return models;
}

function expectedPgType(f: Field): string[] {
  if (f.list) return ['ARRAY'];
  switch (f.type) {
    case 'String':
      return f.nativeType === 'Uuid' ? ['uuid'] : f.nativeType === 'VarChar' ? ['character varying'] : ['text'];
    case 'Int':
      return ['integer'];
    case 'BigInt':
      return ['bigint'];
    case 'Float':
      return ['double precision'];
    case 'Boolean':
      return ['boolean'];
    case 'DateTime':
      return f.nativeType === 'Timestamptz' ? ['timestamp with time zone'] : ['timestamp without time zone'];
    case 'Json':
      return ['jsonb'];
    case 'Bytes':
      return ['bytea'];
    default:
      return ['USER-DEFINED'];
  }
}

describe('schema drift', () => {
  it('has every model and field of prisma/schema.prisma in the migrated database, and nothing else', async () => {
    const models = parseSchema(readFileSync(join(ROOT, 'prisma/schema.prisma'), 'utf8'));
    expect(models.size).toBeGreaterThan(0);
    const db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    try {
      const { rows } = await db.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'",
      );
      const tables = new Map<string, typeof rows>();
      for (const r of rows) tables.set(r.table_name, [...(tables.get(r.table_name) ?? []), r]);
      expect([...tables.keys()].sort()).toEqual([...models.keys()].sort());
      for (const [table, fields] of models) {
        const cols = tables.get(table) ?? [];
        expect(cols.map((c) => c.column_name).sort()).toEqual(fields.map((f) => f.column).sort());
        for (const f of fields) {
          const col = cols.find((c) => c.column_name === f.column);
          const typeMatches = expectedPgType(f).includes(col?.data_type ?? '');
          expect({ table, column: f.column, type: col?.data_type, typeMatches }).toEqual({ table, column: f.column, type: col?.data_type, typeMatches: true });
          // Prisma makes scalar lists nullable in SQL; every other required field is NOT NULL.
          if (!f.list) expect({ table, column: f.column, nullable: col?.is_nullable === 'YES' }).toEqual({ table, column: f.column, nullable: f.optional });
        }
      }
    } finally {
      await db.end();
    }
  });
});
