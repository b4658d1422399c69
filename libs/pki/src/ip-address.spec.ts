import { canonicalIp, isIpAddress } from './ip-address';

describe('canonicalIp', () => {
  it('spells equal IPv6 addresses identically', () => {
    expect(canonicalIp('::1')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(canonicalIp('0:0:0:0:0:0:0:1')).toBe(canonicalIp('::1'));
    expect(canonicalIp('FE80::1:2')).toBe('fe80:0000:0000:0000:0000:0000:0001:0002');
    expect(canonicalIp('::')).toBe('0000:0000:0000:0000:0000:0000:0000:0000');
    expect(canonicalIp('2001:db8::')).toBe('2001:0db8:0000:0000:0000:0000:0000:0000');
  });

  it('folds an embedded IPv4 address into hex groups', () => {
    expect(canonicalIp('::ffff:10.0.0.1')).toBe('0000:0000:0000:0000:0000:ffff:0a00:0001');
  });

  it('keeps IPv4 as written', () => {
    expect(canonicalIp('127.0.0.1')).toBe('127.0.0.1');
  });

  it('rejects host names', () => {
    expect(() => canonicalIp('localhost')).toThrow(/not an IPv4 or IPv6 address/);
    expect(isIpAddress('localhost')).toBe(false);
    expect(isIpAddress('::1')).toBe(true);
  });
});
