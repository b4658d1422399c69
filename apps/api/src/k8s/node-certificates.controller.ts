// Certificates the API issues to node agents from the platform CA:
// - ingress hosts that have no TLS Secret: a short-lived leaf, only for hosts the cluster can show are in
//   use (a host named in some Ingress rule, or `<service>.<namespace>.<domain>` for an existing Service);
// - the agent's kubelet endpoint (exec, port-forward): a serving certificate naming the node, which the API
//   checks when it connects. A node gets one only for itself (its name comes from its credential).
import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { issueServingCert } from '@flotilla/pki';
import { nodeNameOf } from '@flotilla/rbac';
import type { Ingress } from '@flotilla/resources';
import type { Store } from '@flotilla/store';
import { adminAttrs, bodyOf, serve } from '../tenancy/endpoint';
import { STORE } from '../tokens';
import { PlatformCa } from '../tls';
import { RequestPipeline } from './pipeline';
import { badRequest, forbidden } from './status';

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
export const INGRESS_CERT_DAYS = 30;
export const KUBELET_CERT_DAYS = 30;

function isIp(s: string): boolean {
  return IPV4.test(s) || (s.includes(':') && /^[0-9a-f:.]+$/i.test(s));
}

@ApiTags('nodes')
@Controller('flotilla/v1/nodes')
export class NodeCertificatesController {
  constructor(
    private readonly pipeline: RequestPipeline,
    @Inject(STORE) private readonly store: Store,
    private readonly ca: PlatformCa,
  ) {}

  /** Is this host in use in the cluster: an Ingress rule host, or <service>.<namespace>.… of a Service? */
  private owned(host: string): boolean {
    for (const e of this.store.cache.list('networking.k8s.io/ingresses')) {
      if (((e.obj as unknown as Ingress).spec?.rules ?? []).some((r) => r.host === host)) return true;
    }
    const [svc, ns] = host.split('.');
    return Boolean(svc && ns && this.store.cache.get('core/services', ns, svc));
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
      const ca = this.ca.keyPair();
      const leaf = await issueServingCert(ca, { commonName: names[0], dnsNames: names, ipAddresses: [], validDays: INGRESS_CERT_DAYS });
      return { code: 201, body: { hosts: names, certPem: leaf.certPem, keyPem: leaf.keyPem, caPem: ca.certPem, validDays: INGRESS_CERT_DAYS } };
    });
  }

  @Post('kubelet-certificates')
  @ApiOperation({
    summary: "Issue the serving certificate of a node's kubelet endpoint (exec, port-forward); a node only for itself, an admin for any node",
  })
  @ApiBody({
    schema: { type: 'object', properties: { nodeName: { type: 'string' }, addresses: { type: 'array', items: { type: 'string' } } } },
  })
  kubelet(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serve(this.pipeline, req, reply, adminAttrs('create', 'kubeletcertificates'), async (user) => {
      const body = bodyOf(req);
      const own = nodeNameOf(user);
      const asked = typeof body.nodeName === 'string' ? body.nodeName : '';
      if (own && asked && asked !== own) throw forbidden(`node "${own}" may only get a kubelet certificate for itself, not for "${asked}"`);
      const node = own ?? asked;
      if (!NODE_NAME.test(node)) throw badRequest('nodeName is required and must be a valid node name');
      const addresses = body.addresses ?? [];
      if (!Array.isArray(addresses) || addresses.length > 8 || !addresses.every((a) => typeof a === 'string' && isIp(a))) {
        throw badRequest('addresses must be a list of at most 8 IP addresses');
      }
      const ips = [...new Set(addresses as string[])];
      const leaf = await issueServingCert(this.ca.keyPair(), {
        commonName: `system:node:${node}`,
        // The API checks the node name when it connects; a node named like an address is matched as one.
        dnsNames: isIp(node) ? [] : [node],
        ipAddresses: isIp(node) ? [...new Set([node, ...ips])] : ips,
        validDays: KUBELET_CERT_DAYS,
      });
      return { code: 201, body: { nodeName: node, certPem: leaf.certPem, keyPem: leaf.keyPem, validDays: KUBELET_CERT_DAYS } };
    });
  }
}
