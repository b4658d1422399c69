// Certificates for ingress hosts that have no TLS Secret: a node's ingress asks, the API issues a
// short-lived leaf from the platform CA — only for hosts the cluster can show are in use: a host
// named in some Ingress rule, or `<service>.<namespace>.<domain>` for an existing Service.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { issueServingCert, KeyPairPem } from '@flotilla/pki';
import type { Ingress } from '@flotilla/resources';
import type { Store } from '@flotilla/store';
import type { Config } from '../config';
import { adminAttrs, bodyOf, serve } from '../tenancy/endpoint';
import { CONFIG, STORE } from '../tokens';
import { pkiDir } from '../tls';
import { RequestPipeline } from './pipeline';
import { badRequest } from './status';

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
export const INGRESS_CERT_DAYS = 30;

@ApiTags('nodes')
@Controller('flotilla/v1/nodes')
export class IngressCertificateController {
  private ca?: KeyPairPem;

  constructor(
    private readonly pipeline: RequestPipeline,
    @Inject(STORE) private readonly store: Store,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Is this host in use in the cluster: an Ingress rule host, or <service>.<namespace>.… of a Service? */
  private owned(host: string): boolean {
    for (const e of this.store.cache.list('networking.k8s.io/ingresses')) {
      if (((e.obj as unknown as Ingress).spec?.rules ?? []).some((r) => r.host === host)) return true;
    }
    const [svc, ns] = host.split('.');
    return Boolean(svc && ns && this.store.cache.get('core/services', ns, svc));
  }

  private caKeyPair(): KeyPairPem {
    if (!this.ca) {
      const dir = pkiDir(this.config);
      const certFile = this.config.caCertFile ?? join(dir, 'ca.crt');
      const keyFile = this.config.caKeyFile ?? join(dir, 'ca.key');
      this.ca = { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
    }
    return this.ca;
  }

  @Post('ingress-certificates')
  @ApiOperation({ summary: 'Issue a short-lived certificate from the platform CA for ingress hosts in use (nodes only)' })
  @ApiBody({ schema: { type: 'object', required: ['hosts'], properties: { hosts: { type: 'array', items: { type: 'string' } } } } })
  issue(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('create', 'ingresscertificates'), async () => {
      const hosts = bodyOf(req).hosts;
      if (!Array.isArray(hosts) || hosts.length === 0 || hosts.length > 100) throw badRequest('hosts must be a list of 1 to 100 host names');
      const names = [...new Set(hosts.map((h) => String(h).toLowerCase()))];
      const bad = names.filter((h) => !DNS_NAME.test(h));
      if (bad.length) throw badRequest(`not valid host names: ${bad.join(', ')}`);
      const unowned = names.filter((h) => !this.owned(h));
      if (unowned.length) throw badRequest(`no Ingress rule or Service uses ${unowned.join(', ')}; certificates are only issued for hosts in use`);
      const leaf = await issueServingCert(this.caKeyPair(), { commonName: names[0], dnsNames: names, ipAddresses: [], validDays: INGRESS_CERT_DAYS });
      return { code: 201, body: { hosts: names, certPem: leaf.certPem, keyPem: leaf.keyPem, caPem: this.caKeyPair().certPem, validDays: INGRESS_CERT_DAYS } };
    });
  }
}
