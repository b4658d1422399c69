#!/usr/bin/env node
// Fixture-capture tool: a fake API server on 127.0.0.1 that saves every POST body kubectl sends.
//
//   node libs/protobuf/scripts/capture-fixtures.js <outDir> [port]
//   kubectl --server http://127.0.0.1:<port> create namespace demo
//
// Each POST body is written to <outDir>/<n>-<last path segment>.bin and logged with its
// Content-Type. It answers /version with minor "32" (the gcloud dispatcher then runs kubectl 1.32),
// /api and /apis with a minimal legacy discovery, and any POST with 201 and a small JSON object.
// Clear ~/.kube/cache after changing what it answers. Stop it with Ctrl-C or by its pid.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const outDir = process.argv[2];
const port = Number(process.argv[3] ?? 18080);
if (!outDir) {
  console.error('usage: capture-fixtures.js <outDir> [port]');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
let count = 0;

const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const DISCOVERY = {
  '/api/v1': [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs, shortNames: ['po'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs, shortNames: ['svc'] },
  ],
  '/apis/apps/v1': [
    { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs },
    { name: 'deployments/scale', singularName: '', namespaced: true, kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  ],
};

// Reads apiVersion and kind from the `k8s\0` envelope (runtime.Unknown field 1 = TypeMeta{1, 2}) so the
// reply carries the kind kubectl expects back; a JSON reply to a protobuf request is fine for kubectl.
function envelopeTypeMeta(body) {
  const meta = { apiVersion: 'v1', kind: 'Status' };
  if (body.length < 4 || body.readUInt32BE(0) !== 0x6b387300) return meta;
  const fields = (buf) => {
    const out = new Map();
    let i = 0;
    const varint = () => {
      let v = 0;
      for (let shift = 0; i < buf.length && shift < 35; shift += 7) {
        const b = buf[i++];
        v += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
      return v;
    };
    while (i < buf.length) {
      const tag = varint();
      if ((tag & 7) !== 2) break;
      const len = varint();
      out.set(tag >>> 3, buf.subarray(i, i + len));
      i += len;
    }
    return out;
  };
  const typeMeta = fields(body.subarray(4)).get(1);
  if (!typeMeta) return meta;
  const tm = fields(typeMeta);
  return { apiVersion: String(tm.get(1) ?? 'v1'), kind: String(tm.get(2) ?? 'Status') };
}

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      console.log(req.method, req.url, req.headers['content-type'] ?? '');
      if (url.pathname === '/version') {
        return reply(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.4' });
      }
      if (url.pathname === '/api') {
        return reply(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      }
      if (url.pathname === '/apis') {
        const apps = { groupVersion: 'apps/v1', version: 'v1' };
        return reply(res, 200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: [{ name: 'apps', versions: [apps], preferredVersion: apps }],
        });
      }
      // Just enough legacy discovery for `create role --resource=…` and `auth can-i` to resolve names.
      const resources = DISCOVERY[url.pathname];
      if (resources) {
        const groupVersion = url.pathname.replace(/^\/apis?\//, '');
        return reply(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources });
      }
      if (req.method === 'POST') {
        count += 1;
        const file = path.join(outDir, `${count}-${url.pathname.split('/').pop()}.bin`);
        fs.writeFileSync(file, Buffer.concat(chunks));
        console.log('  saved', file);
        // Enough for every typed create, `create token`, `auth can-i` and `auth whoami` to exit 0.
        return reply(res, 201, {
          ...envelopeTypeMeta(Buffer.concat(chunks)),
          metadata: { name: 'x' },
          status: { token: 'captured', allowed: true, userInfo: { username: 'captured' } },
        });
      }
      return reply(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 });
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`capturing on http://127.0.0.1:${port} into ${outDir}`));
