// The Endpoints kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { endpointIpProblem } from '../../endpoint-ip';
import { FieldErrors } from '../../field-errors';
import { isValidPortNum, PORT_RANGE_MESSAGE } from '../../names';
import { asArr, asObj, asStr, type Rec } from '../../pod-validation';
import { arr, childPath, enumOf, indexPath, int, obj, str } from '../../schema';
import { kindSchema, objectReference } from '../../schemas';
import { a, ageCol, nameCol, o, s } from '../../table-columns';
import type { KubeObject } from '../../types';
import type { KindModule } from '../kind-module';

const endpointAddress = obj({ ip: str('The IP of this endpoint.'), hostname: str(), nodeName: str(), targetRef: objectReference });

const endpoints = kindSchema('', 'Endpoints', 'Endpoints is a collection of endpoints that implement the actual service.', {
  subsets: arr(
    obj({
      addresses: arr(endpointAddress, 'IP addresses which offer the related ports that are marked as ready.', { listType: 'atomic' }),
      notReadyAddresses: arr(endpointAddress, 'IP addresses which offer the related ports but are not currently marked as ready.', { listType: 'atomic' }),
      ports: arr(
        obj({ name: str(), port: int(), protocol: enumOf(['SCTP', 'TCP', 'UDP']), appProtocol: str() }),
        'Port numbers available on the related IP addresses.',
        { listType: 'atomic' },
      ),
    }),
    'The set of all endpoints is the union of all subsets.',
    { listType: 'atomic' },
  ),
});

function validateEndpoints(errs: FieldErrors, obj: Rec): void {
  asArr(obj.subsets).forEach((sv, i) => {
    const sp = indexPath('subsets', i);
    const s = asObj(sv);
    if (!s) return;
    for (const list of ['addresses', 'notReadyAddresses']) {
      asArr(s[list]).forEach((av, j) => {
        const a = asObj(av);
        if (!a) return;
        const ipPath = childPath(indexPath(childPath(sp, list), j), 'ip');
        const ip = asStr(a.ip);
        if (!ip) {
          errs.required(ipPath);
          return;
        }
        const problem = endpointIpProblem(ip);
        if (problem) errs.invalid(ipPath, ip, problem);
      });
    }
    asArr(s.ports).forEach((pv, j) => {
      const p = asObj(pv);
      const pp = indexPath(childPath(sp, 'ports'), j);
      if (!p) return;
      if (typeof p.port === 'number' && !isValidPortNum(p.port)) errs.invalid(childPath(pp, 'port'), p.port, PORT_RANGE_MESSAGE);
      if (p.port === undefined || p.port === null) errs.required(childPath(pp, 'port'));
    });
  });
}

function endpointsCell(x: KubeObject): string {
  const list: string[] = [];
  let count = 0;
  for (const sub of a(x.subsets).map(o)) {
    const ports = a(sub.ports).map(o);
    for (const addr of a(sub.addresses).map(o)) {
      if (ports.length === 0) {
        count++;
        if (list.length < 3) list.push(s(addr.ip));
        continue;
      }
      for (const p of ports) {
        count++;
        if (list.length < 3) list.push(`${s(addr.ip)}:${String(p.port ?? '')}`);
      }
    }
  }
  if (count === 0) return '<none>';
  return count > list.length ? `${list.join(',')} + ${count - list.length} more...` : list.join(',');
}

export const endpointsKind: KindModule = {
  resource: { kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'], hasSpec: false },
  schema: endpoints,
  validate: (e, o) => validateEndpoints(e, o),
  columns: [nameCol, { name: 'Endpoints', description: 'Endpoints of the service.', cell: endpointsCell }, ageCol],
};
