// The Ingress kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { isDNS1035Label, isDNS1123Subdomain, isPortName, isValidPortNum, PORT_RANGE_MESSAGE } from '../../names';
import { asArr, asObj, asStr, type Rec } from '../../pod-validation';
import { any, arr, childPath, doc, enumOf, indexPath, int, named, obj, str, strings } from '../../schema';
import { kindSchema } from '../../schemas';
import { a, ageCol, nameCol, o, orNone, s } from '../../table-columns';
import type { KubeObject } from '../../types';
import type { KindModule } from '../kind-module';

const ingressBackend = named('io.k8s.api.networking.v1.IngressBackend', 'The endpoint of a backend service.', {
  service: obj(
    {
      name: str('The referenced service. The service must exist in the same namespace as the Ingress object.'),
      port: obj(
        { name: str('The name of the port on the Service.'), number: int('The numerical port number on the Service.') },
        'Port of the referenced service.',
      ),
    },
    'References a service as a backend.',
  ),
  resource: obj({ apiGroup: str(), kind: str(), name: str() }, 'An ObjectRef to another Kubernetes resource in the namespace of the Ingress object.'),
});

const ingress = kindSchema(
  'networking.k8s.io',
  'Ingress',
  'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.',
  {
    spec: obj(
      {
        ingressClassName: str('The name of an IngressClass cluster resource.'),
        defaultBackend: doc(ingressBackend, "The backend that should handle requests that don't match any rule."),
        tls: arr(
          obj({ hosts: strings('Hosts included in the TLS certificate.'), secretName: str('The name of the secret used to terminate TLS traffic.') }),
          'TLS configuration.',
          { listType: 'atomic' },
        ),
        rules: arr(
          obj({
            host: str('The fully qualified domain name of a network host, as defined by RFC 3986.'),
            http: obj({
              paths: arr(
                obj({
                  path: str('Matched against the path of an incoming request.'),
                  pathType: enumOf(['Exact', 'ImplementationSpecific', 'Prefix'], 'How a path match is interpreted.'),
                  backend: doc(ingressBackend, 'Where matching traffic will be sent.'),
                }),
                'A collection of paths that map requests to backends.',
                { listType: 'atomic' },
              ),
            }),
          }),
          'A list of host rules used to configure the Ingress.',
          { listType: 'atomic' },
        ),
      },
      'Spec is the desired state of the Ingress.',
    ),
    status: obj(
      {
        loadBalancer: obj({
          ingress: arr(obj({ ip: str(), hostname: str(), ports: arr(any(), undefined, { listType: 'atomic' }) }), undefined, { listType: 'atomic' }),
        }),
      },
      'The current state of the Ingress.',
    ),
  },
);

function validateIngressBackend(errs: FieldErrors, bv: unknown, path: string): void {
  const b = asObj(bv);
  if (!b) {
    errs.required(path);
    return;
  }
  const svc = asObj(b.service);
  const res = asObj(b.resource);
  if (svc && res) errs.invalid(path, '', 'cannot set both resource and service backends');
  if (!svc && !res) errs.invalid(path, '', 'resource or service backend is required');
  if (svc) {
    const name = asStr(svc.name);
    if (!name) errs.required(childPath(path, 'service.name'));
    else errs.check(childPath(path, 'service.name'), name, isDNS1035Label(name));
    const port = asObj(svc.port);
    const pn = asStr(port?.name);
    const num = port?.number;
    if (pn && typeof num === 'number' && num !== 0) errs.invalid(childPath(path, 'service.port'), '', 'cannot set both port name & port number');
    else if (pn) errs.check(childPath(path, 'service.port.name'), pn, isPortName(pn));
    else if (typeof num === 'number' && num !== 0) {
      if (!isValidPortNum(num)) errs.invalid(childPath(path, 'service.port.number'), num, PORT_RANGE_MESSAGE);
    } else errs.required(childPath(path, 'service.port'), 'port name or number is required');
  }
  if (res) {
    if (!asStr(res.kind)) errs.required(childPath(path, 'resource.kind'));
    if (!asStr(res.name)) errs.required(childPath(path, 'resource.name'));
  }
}

function validateIngress(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  const rules = asArr(spec.rules);
  if (rules.length === 0 && (spec.defaultBackend === undefined || spec.defaultBackend === null))
    errs.invalid('spec', '', 'either `defaultBackend` or `rules` must be specified');
  if (spec.defaultBackend !== undefined && spec.defaultBackend !== null) validateIngressBackend(errs, spec.defaultBackend, 'spec.defaultBackend');
  rules.forEach((rv, i) => {
    const rp = indexPath('spec.rules', i);
    const r = asObj(rv);
    if (!r) return;
    const host = asStr(r.host);
    if (host) {
      const h = host.startsWith('*.') ? host.slice(2) : host;
      errs.check(childPath(rp, 'host'), host, isDNS1123Subdomain(h));
    }
    const http = asObj(r.http);
    if (!http) return;
    const paths = asArr(http.paths);
    if (paths.length === 0) errs.required(childPath(rp, 'http.paths'));
    paths.forEach((pv, j) => {
      const pp = indexPath(childPath(rp, 'http.paths'), j);
      const p = asObj(pv);
      if (!p) return;
      const pathType = p.pathType;
      if (pathType === undefined || pathType === null || pathType === '') errs.required(childPath(pp, 'pathType'), 'pathType must be specified');
      const path = asStr(p.path);
      if ((pathType === 'Prefix' || pathType === 'Exact') && (!path || !path.startsWith('/')))
        errs.invalid(childPath(pp, 'path'), path ?? '', 'must be an absolute path');
      validateIngressBackend(errs, p.backend, childPath(pp, 'backend'));
    });
  });
  asArr(spec.tls).forEach((tv, i) => {
    const t = asObj(tv);
    if (!t) return;
    asArr(t.hosts).forEach((h, j) => {
      if (typeof h === 'string')
        errs.check(indexPath(childPath(indexPath('spec.tls', i), 'hosts'), j), h, isDNS1123Subdomain(h.startsWith('*.') ? h.slice(2) : h));
    });
  });
}

function ingressHosts(x: KubeObject): string {
  const hosts = a(o(x.spec).rules)
    .map((r) => s(o(r).host))
    .filter(Boolean);
  if (hosts.length === 0) return '*';
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',');
}

export const ingressKind: KindModule = {
  resource: { group: 'networking.k8s.io', kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], subresources: ['status'] },
  schema: ingress,
  validate: (e, o) => validateIngress(e, o),
  columns: [
    nameCol,
    { name: 'Class', description: 'The name of the IngressClass cluster resource.', cell: (x) => orNone(s(o(x.spec).ingressClassName)) },
    { name: 'Hosts', description: 'Hosts that incoming requests are matched against before the ingress rule', cell: ingressHosts },
    {
      name: 'Address',
      description: 'Address is a list containing ingress points for the load-balancer',
      cell: (x) =>
        a(o(o(x.status).loadBalancer).ingress)
          .map((i) => s(o(i).ip) || s(o(i).hostname))
          .filter(Boolean)
          .join(','),
    },
    { name: 'Ports', description: 'Ports of TLS configurations that open', cell: (x) => (a(o(x.spec).tls).length ? '80, 443' : '80') },
    ageCol,
  ],
  protobuf: 'networking.Ingress',
};
