// Wires the API: configuration, store, Redis, authentication/authorisation, audit, routes.
import { DynamicModule, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { backupRunsQuery, backupStatus } from '@flotilla/backup';
import { IdentityDb } from '@flotilla/identity';
import type { Store } from '@flotilla/store';
import { AuditService } from './audit/audit.service';
import { BootstrapTokenAuthenticator, CompositeAuthenticator } from './auth/authn';
import { RbacAuthorizer } from './auth/authz';
import { MutationRateLimiter } from './auth/rate-limit';
import type { Config } from './config';
import { PlatformCa } from './tls';
import { HealthController, REDIS } from './health/health.controller';
import { ComponentsService } from './health/components.service';
import { Metrics } from './health/metrics';
import { DiscoveryController } from './k8s/discovery.controller';
import { RequestPipeline } from './k8s/pipeline';
import { NodeCertificatesController } from './k8s/node-certificates.controller';
import { ResourceController } from './k8s/resource.controller';
import { KubeletClient } from './k8s/kubelet-client';
import { resourceProviders } from './k8s/resource.service';
import { TenancyAdmission } from './k8s/admission';
import { AdminController } from './tenancy/admin.controller';
import { AuditQueryService } from './tenancy/audit-query.service';
import { SessionAuthenticator, TokenAuthenticator } from './tenancy/authenticators';
import { IdentityService } from './tenancy/identity.service';
import { LoginLimiter } from './tenancy/login-limiter';
import { QuotaStatusService } from './tenancy/quota-status.service';
import { ReviewController } from './tenancy/review.controller';
import { SecretEncryption } from './tenancy/secret-encryption';
import { SecretRewriter } from './tenancy/secret-rewriter';
import { SeedService } from './tenancy/seed.service';
import { SessionController } from './tenancy/session.controller';
import { loadTenancyConfig, TenancyConfig } from './tenancy/tenancy-config';
import { SECRET_ENCRYPTION, TENANCY_CONFIG } from './tenancy/tenancy.tokens';
import { AUTHENTICATOR, AUTHORIZER, CONFIG, RATE_LIMITER, STORE } from './tokens';

export interface AppDeps {
  config: Config;
  store: Store;
  /** Users, tokens, sessions and the audit log. */
  identityDb: IdentityDb;
  redis: Redis;
  /** Defaults to loadTenancyConfig() from the environment. */
  tenancy?: TenancyConfig;
  /** Must be the transformer the store was opened with. */
  encryption?: SecretEncryption;
}

@Module({})
export class AppModule {
  static register(deps: AppDeps): DynamicModule {
    const tenancy = deps.tenancy ?? loadTenancyConfig();
    const encryption = deps.encryption ?? new SecretEncryption(tenancy.encryptionKeys);
    const publicOrigin = new URL(deps.config.publicUrl).origin;
    const backupRuns = backupRunsQuery(deps.config.databaseUrl);
    return {
      module: AppModule,
      // Tenancy's static routes (token, reviews, /flotilla/v1) are registered before the catch-all resource routes.
      controllers: [
        HealthController,
        DiscoveryController,
        ReviewController,
        SessionController,
        AdminController,
        NodeCertificatesController,
        ResourceController,
      ],
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: STORE, useValue: deps.store },
        { provide: IdentityDb, useValue: deps.identityDb },
        { provide: REDIS, useValue: deps.redis },
        ComponentsService,
        { provide: TENANCY_CONFIG, useValue: tenancy },
        { provide: SECRET_ENCRYPTION, useValue: encryption },
        { provide: PlatformCa, useValue: new PlatformCa(deps.config) },
        IdentityService,
        {
          provide: AUTHENTICATOR,
          inject: [IdentityService],
          useFactory: (identity: IdentityService) =>
            new CompositeAuthenticator([
              new BootstrapTokenAuthenticator(deps.config.bootstrapToken),
              new TokenAuthenticator(identity),
              new SessionAuthenticator(identity, publicOrigin),
            ]),
        },
        { provide: AUTHORIZER, useValue: new RbacAuthorizer(deps.store) },
        { provide: RATE_LIMITER, useValue: new MutationRateLimiter(tenancy.mutationRate, tenancy.mutationBurst) },
        { provide: LoginLimiter, useValue: new LoginLimiter(deps.redis, tenancy.loginMaxAttempts, tenancy.loginWindowSeconds) },
        TenancyAdmission,
        AuditQueryService,
        SecretRewriter,
        SeedService,
        QuotaStatusService,
        { provide: Metrics, useFactory: () => new Metrics(deps.store.commitStats, () => backupStatus(backupRuns)) },
        AuditService,
        RequestPipeline,
        ...resourceProviders,
        KubeletClient,
      ],
    };
  }
}
