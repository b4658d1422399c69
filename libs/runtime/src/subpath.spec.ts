import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isProjectedVersionDir, resolveSubPath, subPathComponents } from './subpath';
import { pvcVolumeName } from './labels';

describe('subPath resolution', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'vol-'));
    outside = mkdtempSync(path.join(tmpdir(), 'bait-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('refuses absolute paths and ".." lexically', () => {
    expect(subPathComponents('/etc')).toMatch(/relative/);
    expect(subPathComponents('a/../../b')).toMatch(/\.\./);
    expect(subPathComponents('a/./b')).toEqual(['a', 'b']);
  });

  it('creates a missing plain sub-directory inside the volume', () => {
    expect(resolveSubPath(root, 'a/b', { create: true, projected: false })).toBe(path.join(root, 'a/b'));
    expect(existsSync(path.join(root, 'a/b'))).toBe(true);
  });

  it('refuses a direct link, a link in an intermediate component and a chain, creating nothing outside', () => {
    symlinkSync(outside, path.join(root, 'esc'));
    symlinkSync(path.join(root, 'esc'), path.join(root, 'chain'));
    mkdirSync(path.join(root, 'a'));
    symlinkSync(outside, path.join(root, 'a', 'esc'));
    expect(() => resolveSubPath(root, 'esc', { create: true, projected: false })).toThrow(/symlink/);
    expect(() => resolveSubPath(root, 'chain', { create: true, projected: false })).toThrow(/symlink/);
    expect(() => resolveSubPath(root, 'a/esc/b', { create: true, projected: false })).toThrow(/symlink/);
    expect(existsSync(path.join(outside, 'b'))).toBe(false);
  });

  it('follows only a projected volume ..data link that names a version directory', () => {
    mkdirSync(path.join(root, '..vabc123'));
    writeFileSync(path.join(root, '..vabc123', 'key'), 'v');
    symlinkSync('..vabc123', path.join(root, '..data'));
    expect(resolveSubPath(root, 'key', { create: false, projected: true })).toBe(path.join(root, '..vabc123', 'key'));
    rmSync(path.join(root, '..data'));
    symlinkSync(outside, path.join(root, '..data'));
    expect(() => resolveSubPath(root, 'key', { create: false, projected: true })).toThrow(/version directory/);
    expect(isProjectedVersionDir('../x')).toBe(false);
  });
});

describe('pvcVolumeName', () => {
  it('is injective where the "-" separator collided', () => {
    expect(pvcVolumeName('a', 'x-data')).not.toBe(pvcVolumeName('a-x', 'data'));
  });
});
