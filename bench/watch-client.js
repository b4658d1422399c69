// A watcher in its own process: prints, for each event, now − the sender's timestamp in the object.
// Usage: node watch-client.js <url> <token> <caFile|-> <path>; stops after `count` events or 60 s.
const https = require('node:https');
const http = require('node:http');
const { readFileSync } = require('node:fs');
const { eachLine } = require('./support');

const [url, token, caFile, path, countArg] = process.argv.slice(2);
const count = Number(countArg);
const mod = url.startsWith('https') ? https : http;
const latencies = [];
const req = mod.request(new URL(path, url), { headers: { authorization: `Bearer ${token}` }, ca: caFile !== '-' ? readFileSync(caFile) : undefined }, (res) => {
  process.stdout.write('READY\n');
  res.on(
    'data',
    eachLine((line) => {
      const sent = Number(JSON.parse(line).object?.data?.sentAt);
      if (sent) latencies.push(Date.now() - sent);
      if (latencies.length >= count) finish();
    }),
  );
});
req.end();
function finish() {
  process.stdout.write(`${JSON.stringify(latencies)}\n`);
  process.exit(0);
}
setTimeout(finish, 60_000).unref();
