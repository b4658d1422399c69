#!/usr/bin/env node
// `npm run bench -- <suite>`: runs a benchmark suite and writes bench/results/<suite>.{md,json}.
const suites = { api: './api.js', pods: './pods.js', scheduler: './scheduler.js', scale: './scale.js', backup: './backup.js', restart: './restart.js' };
const name = process.argv[2];
if (!suites[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(suites).join('|')}>`);
  process.exit(2);
}
require(suites[name])
  .main(process.argv.slice(3))
  .catch((err) => {
    console.error(`bench ${name} failed: ${err.stack || err}`);
    process.exit(1);
  });
