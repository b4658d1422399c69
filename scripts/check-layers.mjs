#!/usr/bin/env node
// The workspace's layering, checked: apps depend on libs, libs never on an app, apps never on each other,
// every `@flotilla/*` import is declared in the importing package's package.json (turbo builds in the order
// those declarations give, and a type resolves from the dependency's dist/), and the declared graph has no
// cycle. `--order` prints the packages' dependency layers; `--write-order` puts them into ARCHITECTURE.md.
//
// Usage: node scripts/check-layers.mjs [--order | --write-order] [--root DIR]
// The checker first runs itself against small broken trees (each must be refused), so a checker that
// stopped seeing imports fails here instead of passing every tree.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.next', '.turbo', 'generated', 'coverage']);
// TypeScript's own pre-processor finds imports, re-exports, require() and import() and skips comments and strings.
const ts = createRequire(import.meta.url)('typescript');

/** The workspace packages: name, directory, lib or app, and their declared `@flotilla/*` dependencies. */
function readPackages(root) {
  const pkgs = [];
  for (const area of ['libs', 'apps']) {
    let names = [];
    try {
      names = readdirSync(join(root, area));
    } catch {
      continue;
    }
    for (const dir of names.sort()) {
      const file = join(root, area, dir, 'package.json');
      let json;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      const declared = Object.keys({ ...json.dependencies, ...json.devDependencies, ...json.peerDependencies }).filter((d) => d.startsWith('@flotilla/'));
      pkgs.push({ name: json.name, dir: join(root, area, dir), kind: area === 'libs' ? 'lib' : 'app', declared });
    }
  }
  return pkgs;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) yield* sourceFiles(join(dir, entry.name));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) yield join(dir, entry.name);
  }
}

function importsOf(file) {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** Every problem with the tree at `root`, as sentences; empty when the layering holds. */
export function checkLayers(root) {
  const pkgs = readPackages(root);
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const problems = [];
  const rel = (f) => relative(root, f).split(sep).join('/');

  for (const p of pkgs) {
    for (const d of p.declared) {
      const dep = byName.get(d);
      if (!dep) problems.push(`${p.name} declares ${d}, which is no package of this workspace`);
      else if (dep.kind === 'app')
        problems.push(
          `${p.name} (a ${p.kind}) declares a dependency on the app ${d}: ${p.kind === 'lib' ? 'libs never depend on apps' : 'apps never depend on each other'}`,
        );
    }
    for (const file of sourceFiles(p.dir)) {
      for (const spec of importsOf(file)) {
        if (spec.startsWith('@flotilla/')) {
          const target = spec.split('/').slice(0, 2).join('/');
          const dep = byName.get(target);
          if (!dep || dep === p) continue;
          if (dep.kind === 'app')
            problems.push(`${rel(file)} imports ${spec}: ${p.kind === 'lib' ? 'a lib never imports an app' : 'an app never imports another app'}`);
          else if (!p.declared.includes(target))
            problems.push(`${rel(file)} imports ${target}, which ${p.name}'s package.json does not declare (turbo would not build it first)`);
        } else if (spec.startsWith('.')) {
          const to = resolve(dirname(file), spec);
          if (to === p.dir || to.startsWith(p.dir + sep)) continue;
          const other = pkgs.find((q) => to === q.dir || to.startsWith(q.dir + sep));
          if (other) problems.push(`${rel(file)} reaches into ${other.name} by a relative path (${spec}): import ${other.name} instead`);
          else if (p.kind === 'lib' && rel(to).startsWith('apps/')) problems.push(`${rel(file)} imports from apps/ (${spec}): a lib never imports an app`);
        }
      }
    }
  }
  const cycle = findCycle(pkgs, byName);
  if (cycle) problems.push(`the declared dependencies form a cycle: ${cycle.join(' → ')}`);
  return problems;
}

function findCycle(pkgs, byName) {
  const state = new Map(); // name → 'open' | 'done'
  const stack = [];
  const visit = (name) => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'open') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'open');
    stack.push(name);
    for (const d of byName.get(name)?.declared ?? []) {
      if (!byName.has(d)) continue;
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const p of pkgs) {
    const c = visit(p.name);
    if (c) return c;
  }
  return undefined;
}

/** Layers of the declared graph: layer 0 depends on no workspace package, layer n only on layers below n. */
export function layers(root) {
  const pkgs = readPackages(root);
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const depth = new Map();
  const depthOf = (name, seen = new Set()) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 0; // a cycle: reported by checkLayers
    seen.add(name);
    const deps = (byName.get(name)?.declared ?? []).filter((d) => byName.has(d));
    const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((x) => depthOf(x, seen)));
    depth.set(name, d);
    return d;
  };
  const out = [];
  for (const p of pkgs) {
    const d = depthOf(p.name);
    (out[d] ??= []).push(p);
  }
  return out.map((ps) => ps ?? []);
}

/** The layers as ARCHITECTURE.md shows them, one line per layer and kind of package. */
export function orderText(root) {
  const lines = [];
  const short = (name) => name.replace('@flotilla/', '');
  for (const [i, ps] of layers(root).entries()) {
    for (const kind of ['lib', 'app']) {
      const these = ps.filter((p) => p.kind === kind);
      if (these.length === 0) continue;
      const described = these.map((p) => `${short(p.name)}${p.declared.length ? ` (→ ${p.declared.map(short).join(', ')})` : ''}`);
      lines.push(`${i}  ${kind === 'app' ? 'apps' : 'libs'}: ${described.join('; ')}`);
    }
  }
  return lines.join('\n') + '\n';
}

// ARCHITECTURE.md keeps the generated order between these markers, inside a fenced block.
const BEGIN = '<!-- layers:begin (node scripts/check-layers.mjs --write-order) -->';
const END = '<!-- layers:end -->';

/** ARCHITECTURE.md with its order block regenerated, or undefined when the file or its markers are missing. */
function documentWithOrder(root) {
  let doc;
  try {
    doc = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
  } catch {
    return undefined;
  }
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return undefined;
  const fence = '`'.repeat(3);
  return { doc, updated: `${doc.slice(0, a)}${BEGIN}\n\n${fence}\n${orderText(root)}${fence}\n\n${doc.slice(b)}` };
}

// ---- self-test: each broken tree must be refused, the sound one accepted --------------------------------

function writeTree(files) {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof text === 'string' ? text : JSON.stringify(text));
  }
  return root;
}

function selfTest() {
  const pkg = (name, deps = []) => ({ name, dependencies: Object.fromEntries(deps.map((d) => [d, '*'])) });
  const sound = {
    'libs/a/package.json': pkg('@flotilla/a'),
    'libs/a/src/index.ts': "export const a = 1; // from '@flotilla/api' in a comment is no import\n",
    'libs/b/package.json': pkg('@flotilla/b', ['@flotilla/a']),
    'libs/b/src/index.ts': "import { a } from '@flotilla/a';\nimport type { X } from '@flotilla/a/types';\nexport const b = a;\n",
    'apps/api/package.json': pkg('@flotilla/api', ['@flotilla/b']),
    'apps/api/src/main.ts': "import { b } from '@flotilla/b';\n",
  };
  const cases = [
    ['the sound tree', {}, null],
    ['a lib importing an app', { 'libs/a/src/bad.ts': "import { x } from '@flotilla/api';\n" }, /a lib never imports an app/],
    [
      'an import after a string that looks like a comment',
      { 'libs/a/src/bad.ts': "const glob = 'src/*';\nimport { x } from '@flotilla/api';\n" },
      /a lib never imports an app/,
    ],
    ['a lib requiring an app by a relative path', { 'libs/a/src/bad.ts': "const m = require('../../../apps/api/src/main');\n" }, /relative path/],
    ['a lib declaring an app', { 'libs/a/package.json': pkg('@flotilla/a', ['@flotilla/api']) }, /libs never depend on apps/],
    [
      'an app importing another app',
      { 'apps/portal/package.json': pkg('@flotilla/portal'), 'apps/portal/lib/x.ts': "export { y } from '@flotilla/api';\n" },
      /never imports another app/,
    ],
    ['an undeclared import', { 'libs/a/src/bad.ts': "import type { B } from '@flotilla/b';\n" }, /does not declare/],
    ['a cycle', { 'libs/a/package.json': pkg('@flotilla/a', ['@flotilla/b']), 'libs/a/src/c.ts': "import '@flotilla/b';\n" }, /cycle/],
  ];
  const failures = [];
  for (const [what, change, expected] of cases) {
    const root = writeTree({ ...sound, ...change });
    try {
      const problems = checkLayers(root);
      if (expected === null && problems.length) failures.push(`${what}: refused (${problems.join('; ')})`);
      if (expected !== null && !problems.some((p) => expected.test(p))) failures.push(`${what}: not refused (${problems.join('; ') || 'no problem found'})`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return failures;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rootArg = args.indexOf('--root');
  const root = resolve(rootArg >= 0 ? args[rootArg + 1] : join(dirname(fileURLToPath(import.meta.url)), '..'));
  if (!statSync(root).isDirectory()) throw new Error(`${root} is not a directory`);
  if (args.includes('--order')) {
    process.stdout.write(orderText(root));
    process.exit(0);
  }
  if (args.includes('--write-order')) {
    const d = documentWithOrder(root);
    if (!d) throw new Error(`ARCHITECTURE.md or its markers (${BEGIN} … ${END}) are missing`);
    writeFileSync(join(root, 'ARCHITECTURE.md'), d.updated);
    process.exit(0);
  }
  const broken = selfTest();
  if (broken.length) {
    console.error(`check-layers: the checker itself is broken:\n  ${broken.join('\n  ')}`);
    process.exit(2);
  }
  const problems = checkLayers(root);
  if (problems.length) {
    console.error(`check-layers: ${problems.length} layering problem(s) (ARCHITECTURE.md, "Libraries"):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  // After a merge that adds a package the document lags: said, not failed, since the layering itself holds.
  const d = documentWithOrder(root);
  if (d && d.updated !== d.doc) console.warn('check-layers: the dependency order in ARCHITECTURE.md is stale: node scripts/check-layers.mjs --write-order');
  console.log(`check-layers: ${readPackages(root).length} packages, layering holds`);
}
