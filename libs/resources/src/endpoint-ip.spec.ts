import { endpointIpProblem } from './endpoint-ip';
import { resourceFor } from './registry';
import { validateObject } from './validation';

describe('endpointIpProblem', () => {
  it.each(['10.88.0.5', '172.20.3.4', '192.168.1.10', '2001:db8::1', 'fd00::5'])('accepts the pod-network address %s', (ip) => {
    expect(endpointIpProblem(ip)).toBeUndefined();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.1.2.3', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['localhost', 'valid IP'],
    ['10.0.0.256', 'valid IP'],
    ['', 'valid IP'],
  ])('refuses %s (%s)', (ip, word) => {
    expect(endpointIpProblem(ip)).toContain(word);
  });
});

describe('validateObject: Endpoints addresses', () => {
  const type = resourceFor('', 'v1', 'endpoints')!;
  const endpoints = (ip: string, list = 'addresses'): unknown => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'team-a' },
    subsets: [{ [list]: [{ ip: '10.88.0.5' }, { ip }], ports: [{ port: 80 }] }],
  });

  it('accepts pod addresses', () => {
    expect(validateObject(type, endpoints('10.88.0.6'))).toEqual([]);
  });

  it('names the field of a loopback address', () => {
    const errs = validateObject(type, endpoints('127.0.0.1'));
    expect(errs).toEqual([expect.objectContaining({ field: 'subsets[0].addresses[1].ip', reason: 'FieldValueInvalid' })]);
  });

  it('checks notReadyAddresses too', () => {
    const errs = validateObject(type, endpoints('169.254.169.254', 'notReadyAddresses'));
    expect(errs.map((e) => e.field)).toEqual(['subsets[0].notReadyAddresses[1].ip']);
  });
});
