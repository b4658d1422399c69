import { cidrRange, freeSubnet } from './subnets';

describe('namespace subnets', () => {
  it('reads IPv4 CIDRs and refuses anything else', () => {
    expect(cidrRange('10.244.0.0/16')).toEqual([0x0af40000, 0x0af4ffff]);
    expect(cidrRange('10.244.3.7/24')).toEqual([0x0af40300, 0x0af403ff]);
    expect(cidrRange('fd00::/64')).toBeUndefined();
    expect(cidrRange('10.0.0.300/8')).toBeUndefined();
  });

  it('hands out the first /24 no network overlaps, skipping on request', () => {
    expect(freeSubnet('10.244.0.0/16', [])).toBe('10.244.0.0/24');
    expect(freeSubnet('10.244.0.0/16', ['10.244.0.0/24', '10.244.1.0/24', '172.17.0.0/16', 'fd00::/64'])).toBe('10.244.2.0/24');
    expect(freeSubnet('10.244.0.0/16', ['10.244.0.0/23'], 1)).toBe('10.244.3.0/24');
    // A wider network inside the pool takes every /24 it covers.
    expect(freeSubnet('10.244.0.0/22', ['10.244.0.0/22'])).toBeUndefined();
    expect(freeSubnet('10.244.0.0/16', ['10.0.0.0/8'])).toBeUndefined();
  });
});
