// Entry point of the flotilla/service-proxy container: listens on every port of one Service and forwards
// round-robin to its ready endpoints, following the config file the node agent rewrites (bind-mounted
// directory, replaced by rename, so a reader never sees half a file).
import { readFileSync, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseServiceProxyConfig, type ServiceProxyConfig } from './service-proxy-config';
import { ServiceProxy } from './service-proxy';

const file = process.env.FLOTILLA_PROXY_CONFIG || process.argv[2] || '/etc/flotilla/service-proxy/config.json';
const bind = process.env.FLOTILLA_PROXY_ADDRESS || '0.0.0.0';
const pollMs = Number(process.env.FLOTILLA_PROXY_POLL_MS || 1000);

function log(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, component: 'service-proxy', msg, ...fields })}\n`);
}

const proxy = new ServiceProxy(bind, {
  onBackendError: (b, e) => log('warn', 'backend unreachable', { backend: `${b.host}:${b.port}`, error: e.message }),
});
let lastText = '';
let lastStamp = '';
let applying: Promise<void> = Promise.resolve();

function stamp(): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

function reload(reason: string): void {
  applying = applying.then(async () => {
    const st = stamp();
    if (st === lastStamp && reason === 'poll') return;
    lastStamp = st;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      log('warn', 'cannot read config', { file, error: (e as Error).message });
      return;
    }
    if (text === lastText) return;
    let config: ServiceProxyConfig;
    try {
      config = parseServiceProxyConfig(text);
    } catch (e) {
      log('error', 'invalid config; keeping the previous one', { file, error: (e as Error).message });
      return;
    }
    lastText = text;
    const errors = await proxy.apply(config.listeners);
    for (const e of errors) log('error', 'cannot listen', { port: e.port, error: e.error.message });
    log('info', 'config applied', {
      service: config.service,
      reason,
      listeners: config.listeners.map((l) => `${l.port}→${l.backends.map((b) => `${b.host}:${b.port}`).join(',') || '(none)'}`),
    });
  });
}

reload('start');
// inotify on the directory sees the rename; the poll covers file systems where events do not arrive.
try {
  watch(dirname(file), (_ev, name) => {
    if (!name || name === basename(file)) reload('watch');
  });
} catch (e) {
  log('warn', 'cannot watch the config directory; polling only', { error: (e as Error).message });
}
setInterval(() => reload('poll'), pollMs).unref();
setInterval(() => undefined, 1 << 30); // keep the process alive with no listeners yet

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    void proxy.close(true).finally(() => process.exit(0));
  });
}
