// The API server process: HTTPS by default, Kubernetes paths, the watch cache in memory.
import './compile-cache';
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { buildKubeconfig } from '@flotilla/pki';
import { requireSupportedNode } from '@flotilla/log';
import { componentsKey, recordComponentStart } from '@flotilla/queue';
import { IdentityDb } from '@flotilla/identity';
import { Store } from '@flotilla/store';
import { AppModule } from './app.module';
import { Config, ConfigError, loadConfig } from './config';
import { SecretEncryption } from './tenancy/secret-encryption';
import { loadTenancyConfig } from './tenancy/tenancy-config';
import { status } from './k8s/status';
import { routeUpgradesAsRequests } from './k8s/upgrade';
import { returnMemoryWhenIdle } from './memory-return';
import { log, NestJsonLogger, pinoOptions } from './log';
import { keepCertificateFresh, servingChain, servingMaterial } from './tls';

export async function startApi(config: Config): Promise<{ app: NestFastifyApplication; store: Store; redis: Redis; close: () => Promise<void> }> {
  const phases: Record<string, number> = { modules: Math.round(performance.now()) };
  let phaseAt = performance.now();
  const phase = (name: string) => {
    phases[name] = Math.round(performance.now() - phaseAt);
    phaseAt = performance.now();
  };
  const tenancy = loadTenancyConfig();
  // Secrets are encrypted in Postgres and plain in the watch cache (see tenancy/secret-encryption.ts).
  const encryption = new SecretEncryption(tenancy.encryptionKeys);
  if (!encryption.enabled) log.warn('FLOTILLA_ENCRYPTION_KEYS is not set: Secrets are stored in Postgres unencrypted');
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined); // readiness reports it; the API itself does not need Redis to serve
  // The serving material, the watch cache's snapshot and Redis are independent: fetched together, a restart
  // waits for the slowest of them rather than their sum.
  const [tls, store] = await Promise.all([
    config.tls === 'on' ? servingMaterial(config) : undefined,
    Store.open({
      databaseUrl: config.databaseUrl,
      ringSize: config.watchCacheSize,
      ringMaxBytes: config.watchCacheBytes,
      log: (msg, f) => log.warn(msg, f),
      transformer: encryption,
      groupCommit: config.groupCommit,
    }),
    redis.connect().catch((err: Error) => log.warn('Redis not reachable yet', { error: err.message })),
  ]);
  if (!tls)
    log.warn(
      'FLOTILLA_TLS=off-behind-proxy: serving plain HTTP. Only run this behind a proxy that terminates TLS; bearer tokens cross this hop in clear text.',
    );
  phase('open');
  // Users, tokens, sessions and audit: their own pool, apart from the object store's.
  const identityDb = new IdentityDb({ databaseUrl: config.databaseUrl });
  // Recorded when Redis answers, now or later: the API serves without Redis, and the start still counts.
  const recordStart = () =>
    void recordComponentStart(redis, componentsKey(config.databaseUrl), 'api', hostname()).catch((err: Error) =>
      log.warn('could not record this start', { error: err.message }),
    );
  if (redis.status === 'ready') recordStart();
  else redis.once('ready', recordStart);
  const adapter = new FastifyAdapter({
    // The chain includes the CA so a joining agent can pin it by hash (kubeadm's discovery model).
    https: tls ? { cert: servingChain(tls), key: tls.key, minVersion: 'TLSv1.2' } : undefined,
    logger: pinoOptions(config.logLevel),
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' }),
    bodyLimit: config.maxBodyBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 2048 },
    trustProxy: config.tls === 'off-behind-proxy',
    keepAliveTimeout: 75_000,
    // Watch streams would hold shutdown open for their whole timeout otherwise.
    forceCloseConnections: true,
    // A path Fastify cannot decode (`%ED%A0%80`, a lone surrogate in UTF-8) is a client error: answer it as a
    // Kubernetes Status like every other 400, not in Fastify's own error shape.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      const message = err.code === 'FST_ERR_BAD_URL' ? 'invalid path segment: the request path is not valid percent-encoded UTF-8' : err.message;
      void reply
        .code(code)
        .type('application/json')
        .send(status(code, code === 415 ? 'UnsupportedMediaType' : 'BadRequest', message));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register({ config, store, identityDb, redis, tenancy, encryption }), adapter, {
    bodyParser: false,
    logger: new NestJsonLogger(config.logLevel),
  });
  phase('nest');
  const fastify = app.getHttpAdapter().getInstance();
  // Bodies stay raw bytes: the handlers decode JSON, YAML, protobuf and patches by Content-Type.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.maxBodyBytes }, (_req, body, done) => done(null, body));
  // A body over the limit is refused before it is parsed, as a Kubernetes Status. One up to four times the
  // limit is read and dropped first, so the client, still sending, gets the answer instead of a broken pipe;
  // a larger one is answered at once and its connection closed.
  fastify.addHook('onRequest', (req, reply, done) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (!(length > config.maxBodyBytes)) return done();
    const answer = () =>
      void reply
        .code(413)
        .type('application/json')
        .send(
          status(
            413,
            'RequestEntityTooLarge',
            `the request body is too large: ${length} bytes, the limit is ${config.maxBodyBytes} bytes (FLOTILLA_MAX_BODY_BYTES)`,
          ),
        );
    if (length > 4 * config.maxBodyBytes) {
      reply.header('connection', 'close');
      return answer();
    }
    req.raw.on('error', () => undefined);
    req.raw.once('end', answer);
    req.raw.resume();
  });
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', String(req.id));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    if (tls) reply.header('strict-transport-security', 'max-age=31536000');
  });
  // OpenAPI for the non-Kubernetes endpoints, built on first request.
  let flotillaDoc: string | undefined;
  fastify.get('/openapi/flotilla.json', async (_req, reply) => {
    flotillaDoc ??= JSON.stringify(
      SwaggerModule.createDocument(
        app,
        new DocumentBuilder().setTitle('Flotilla platform API').setDescription('Endpoints beside the Kubernetes API').setVersion('0.1.0').build(),
      ),
    );
    reply.type('application/json').send(flotillaDoc);
  });
  app.enableShutdownHooks();
  routeUpgradesAsRequests(app.getHttpServer() as HttpServer);
  await app.listen(config.port, config.host);
  phase('listen');
  const timers: NodeJS.Timeout[] = [];
  if (tls) timers.push(keepCertificateFresh(app.getHttpServer() as HttpsServer, config, tls, (m) => log.info(m), config.tlsCheckSeconds * 1000));
  const compact = setInterval(() => {
    store.compact(config.changeLogRetentionSeconds).catch((err: Error) => log.warn('change-log compaction failed', { error: err.message }));
  }, 60_000);
  compact.unref();
  timers.push(compact);
  if (config.memoryReturnSeconds > 0)
    timers.push(
      returnMemoryWhenIdle(config.memoryReturnSeconds * 1000, (before, after) =>
        log.debug('idle: heap given back', { beforeMb: Math.round(before / 2 ** 20), afterMb: Math.round(after / 2 ** 20) }),
      ),
    );
  if (tls && config.bootstrapToken) writeAdminKubeconfig(config, tls.caCert);
  log.info('API listening', { url: config.publicUrl, tls: Boolean(tls), resourceVersion: store.cache.rv, startMs: phases });
  return {
    app,
    store,
    redis,
    close: async () => {
      for (const t of timers) clearInterval(t);
      store.cache.closeAll();
      await app.close();
      await store.close();
      await identityDb.close();
      redis.disconnect();
    },
  };
}

function writeAdminKubeconfig(config: Config, caCert: string): void {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(config.dataDir, 'admin.kubeconfig');
  writeFileSync(
    file,
    buildKubeconfig({
      server: config.publicUrl,
      caCertPem: caCert,
      user: 'admin',
      token: config.bootstrapToken as string,
      clusterName: 'flotilla',
      contextName: 'flotilla-admin',
    }),
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
}

if (require.main === module) {
  requireSupportedNode('api');
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      log.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  startApi(config)
    .then(({ close }) => {
      const stop = () => {
        log.info('shutting down');
        close().finally(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    })
    .catch((err: Error) => {
      log.error('API failed to start', { error: err.message, hint: 'check DATABASE_URL and that migrations ran (npm run migrate)' });
      process.exit(1);
    });
}
