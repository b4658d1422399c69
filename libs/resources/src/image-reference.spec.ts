import { imageReferenceError, parseImageReference } from './image-reference';

describe('parseImageReference', () => {
  it.each([
    ['busybox', { path: 'busybox' }],
    ['flotilla/busybox:1', { path: 'flotilla/busybox', tag: '1' }],
    ['localhost:5000/a/b:v1.2-x', { domain: 'localhost:5000', path: 'a/b', tag: 'v1.2-x' }],
    ['registry.example.com/team/app', { domain: 'registry.example.com', path: 'team/app' }],
    ['a__b/c-d.e_f', { path: 'a__b/c-d.e_f' }],
    [`x@sha256:${'a'.repeat(64)}`, { path: 'x', digest: `sha256:${'a'.repeat(64)}` }],
    ['[::1]:5000/x:latest', { domain: '[::1]:5000', path: 'x', tag: 'latest' }],
  ])('accepts %s', (input, ref) => {
    expect(parseImageReference(input)).toEqual({ ok: true, ref: expect.objectContaining(ref) });
  });

  it.each([
    '../../etc/passwd',
    '..//127.0.0.1:18999/probe',
    'a/../../b',
    'a/./b',
    'Busybox',
    'UPPER/x',
    '%2e%2e/x',
    'a'.repeat(300),
    'has space',
    'new\nline',
    'nul\u0000x',
    'x?y=1',
    'x#frag',
    '/abs',
    'trailing/',
    'a//b',
    ':tag',
    'x:',
    'x:-bad',
    `x:${'t'.repeat(129)}`,
    'x@sha256:zz',
    'x@md5',
    'exa mple.com/x',
    'host:port/x',
    '-x',
    'x-',
    'ünïcode',
    '',
  ])('refuses %j', (input) => {
    const r = parseImageReference(input);
    expect(r.ok).toBe(false);
    expect(imageReferenceError(input)).toMatch(/^invalid image reference: /);
  });

  it('refuses non-strings without throwing', () => {
    for (const v of [null, undefined, 1, {}, [], true]) expect(parseImageReference(v).ok).toBe(false);
  });

  it('accepts the longest allowed name and refuses one more character', () => {
    expect(parseImageReference('a'.repeat(255)).ok).toBe(true);
    expect(parseImageReference('a'.repeat(256)).ok).toBe(false);
  });
});
