import { closeSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  bindOpened,
  expandSubPathExpr,
  isProjectedVersionDir,
  mountPointsUnder,
  mountSubPath,
  openSubPath,
  removeSubPathBinds,
  subPathBindOwners,
  subPathComponents,
} from './subpath';
import { pvcVolumeName } from './labels';

describe('subPath text', () => {
  it('refuses absolute paths and ".." lexically', () => {
    expect(subPathComponents('/etc')).toMatch(/relative/);
    expect(subPathComponents('a/../../b')).toMatch(/\.\./);
    expect(subPathComponents('a/./b')).toEqual(['a', 'b']);
    expect(subPathComponents('a..b')).toEqual(['a..b']);
  });

  it('expands subPathExpr from the environment, unknown variables to nothing, and checks the result', () => {
    const env = new Map([
      ['POD_NAME', 'web-1'],
      ['UP', '..'],
      ['ABS', '/etc'],
    ]);
    expect(expandSubPathExpr('logs/$(POD_NAME)', env)).toEqual(['logs', 'web-1']);
    expect(expandSubPathExpr('$(NOPE)x/$(POD_NAME)', env)).toEqual(['x', 'web-1']);
    expect(expandSubPathExpr('$$(POD_NAME)', env)).toEqual(['$(POD_NAME)']);
    expect(expandSubPathExpr('$(UP)/$(UP)/etc', env)).toMatch(/expands to "\.\.\/\.\.\/etc": must not contain "\.\."/);
    expect(expandSubPathExpr('$(ABS)', env)).toMatch(/must be relative/);
    expect(expandSubPathExpr('$(NOPE)', env)).toMatch(/names no path/);
  });

  it('takes the sub-path from subPath or subPathExpr, never both', () => {
    const env = new Map([['N', 'p']]);
    expect(mountSubPath({}, env)).toBeUndefined();
    expect(mountSubPath({ subPath: 'a//b/' }, env)).toBe('a/b');
    expect(mountSubPath({ subPathExpr: 'x/$(N)' }, env)).toBe('x/p');
    expect(() => mountSubPath({ subPath: 'a', subPathExpr: '$(N)' }, env)).toThrow(/mutually exclusive/);
    expect(() => mountSubPath({ subPath: '../x' }, env)).toThrow(/\.\./);
  });

  it('finds the mount points at and below a directory in mountinfo, latest first', () => {
    const info = [
      '22 1 8:1 / / rw - ext4 /dev/sda1 rw',
      '40 22 8:1 /var/v/a /data/sp/uid1/c/0 rw - ext4 /dev/sda1 rw',
      '41 22 8:1 /var/v/b /data/sp/uid1/c/1 rw - ext4 /dev/sda1 rw',
      '42 22 8:1 /var/v/c /data/sp-other/x rw - ext4 /dev/sda1 rw',
      '43 22 8:1 /var/v/d /data/sp/uid\\0402/c/0 rw - ext4 /dev/sda1 rw',
    ].join('\n');
    expect(mountPointsUnder(info, '/data/sp/')).toEqual(['/data/sp/uid 2/c/0', '/data/sp/uid1/c/1', '/data/sp/uid1/c/0']);
    expect(mountPointsUnder(info, '/data/sp/uid1/c/0')).toEqual(['/data/sp/uid1/c/0']);
  });
});

describe('subPath opening', () => {
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

  it('creates a missing plain sub-directory inside the volume', () => {
    const o = openSubPath(root, 'a/b', { create: true, projected: false });
    closeSync(o.fd);
    expect(o.isDirectory).toBe(true);
    expect(existsSync(path.join(root, 'a/b'))).toBe(true);
  });

  it('refuses a direct link, a link in an intermediate component and a chain, creating nothing outside', () => {
    symlinkSync(outside, path.join(root, 'esc'));
    symlinkSync(path.join(root, 'esc'), path.join(root, 'chain'));
    mkdirSync(path.join(root, 'a'));
    symlinkSync(outside, path.join(root, 'a', 'esc'));
    writeFileSync(path.join(root, 'file'), 'x');
    expect(() => openSubPath(root, 'esc', { create: true, projected: false })).toThrow(/symlink/);
    expect(() => openSubPath(root, 'chain', { create: true, projected: false })).toThrow(/symlink/);
    expect(() => openSubPath(root, 'a/esc/b', { create: true, projected: false })).toThrow(/symlink/);
    expect(() => openSubPath(root, 'file/b', { create: true, projected: false })).toThrow(/not a directory/);
    expect(() => openSubPath(root, 'none', { create: false, projected: false })).toThrow(/does not exist/);
    expect(existsSync(path.join(outside, 'b'))).toBe(false);
  });

  it('follows only a projected volume ..data link that names a version directory', () => {
    mkdirSync(path.join(root, '..vabc123'));
    writeFileSync(path.join(root, '..vabc123', 'key'), 'v');
    symlinkSync('..vabc123', path.join(root, '..data'));
    const o = openSubPath(root, 'key', { create: false, projected: true });
    closeSync(o.fd);
    expect(o.isDirectory).toBe(false);
    rmSync(path.join(root, '..data'));
    symlinkSync(outside, path.join(root, '..data'));
    expect(() => openSubPath(root, 'key', { create: false, projected: true })).toThrow(/version directory/);
    expect(isProjectedVersionDir('../x')).toBe(false);
  });

  it('refuses, with the reason, when the bind mount cannot be made (never falls back to the path)', async () => {
    const binds = mkdtempSync(path.join(tmpdir(), 'binds-'));
    try {
      // A descriptor that is not open: mount finds nothing at /proc/<pid>/fd/<fd>, as it would lack the right to mount.
      await expect(bindOpened({ fd: 999_999, isDirectory: true }, path.join(binds, 'u', 'c', '0'))).rejects.toThrow(/cannot be bound safely.*mount failed/);
      expect(mountPointsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), binds)).toEqual([]);
    } finally {
      rmSync(binds, { recursive: true, force: true });
    }
  });

  // The agent runs as root on the node; so do these tests (bind mounts need CAP_SYS_ADMIN).
  it('binds what was opened, not a link swapped in after the check, and unmounts it all again', async () => {
    const binds = mkdtempSync(path.join(tmpdir(), 'binds-'));
    try {
      mkdirSync(path.join(root, 'd'));
      writeFileSync(path.join(root, 'd', 'mine'), 'volume');
      writeFileSync(path.join(outside, 'mine'), 'host');
      const dir = openSubPath(root, 'd', { create: false, projected: false });
      // The swap: d becomes a link to the host between the check and the bind.
      renameSync(path.join(root, 'd'), path.join(root, 'd-old'));
      symlinkSync(outside, path.join(root, 'd'));
      const target = path.join(binds, 'uid1', 'c', '0');
      try {
        await bindOpened(dir, target);
      } finally {
        closeSync(dir.fd);
      }
      expect(readFileSync(path.join(target, 'mine'), 'utf8')).toBe('volume');
      // A file is bound the same way; binding again replaces the earlier mount instead of stacking on it.
      const file = openSubPath(root, 'd-old/mine', { create: false, projected: false });
      const fileTarget = path.join(binds, 'uid1', 'c', '1');
      try {
        await bindOpened(file, fileTarget);
        await bindOpened(file, fileTarget);
      } finally {
        closeSync(file.fd);
      }
      expect(readFileSync(fileTarget, 'utf8')).toBe('volume');
      expect(mountPointsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), binds)).toHaveLength(2);
      expect(subPathBindOwners(binds)).toEqual(['uid1']);
      await removeSubPathBinds(path.join(binds, 'uid1'));
      expect(mountPointsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), binds)).toEqual([]);
      expect(existsSync(path.join(binds, 'uid1'))).toBe(false);
      expect(readFileSync(path.join(outside, 'mine'), 'utf8')).toBe('host');
    } finally {
      await removeSubPathBinds(binds);
    }
  });
});

describe('pvcVolumeName', () => {
  it('is injective where the "-" separator collided', () => {
    expect(pvcVolumeName('a', 'x-data')).not.toBe(pvcVolumeName('a-x', 'data'));
  });
});
