import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MAX_FS_GROUP_DEPTH, applyFsGroup, fsGroupMode } from './fsgroup';
import { emptyDirDriverOpts } from './volumes';

// The walk changes owners, which only root may do: the agent runs as root, and so do these tests.
const GID = 2000;

describe('fsGroup modes (kubelet masks)', () => {
  it('adds group rw, and x plus setgid on directories; read-only volumes get group r only', () => {
    expect(fsGroupMode(0o100644, false, false)).toBe(0o664);
    expect(fsGroupMode(0o40755, true, false)).toBe(0o2775);
    expect(fsGroupMode(0o100600, false, true)).toBe(0o640);
    expect(fsGroupMode(0o41777, true, false)).toBe(0o3777);
  });
});

describe('applyFsGroup on a real directory tree', () => {
  let dir: string;
  let vol: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fsgroup-'));
    vol = path.join(dir, 'vol');
    outside = path.join(dir, 'bait');
    mkdirSync(vol, { mode: 0o755 });
    mkdirSync(outside, { mode: 0o700 });
    writeFileSync(path.join(outside, 'key'), 'secret', { mode: 0o600 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes files and directories group-owned, setgid on directories, and follows no link out of the volume', async () => {
    mkdirSync(path.join(vol, 'a/b'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(vol, 'a/b/f'), 'x', { mode: 0o600 });
    symlinkSync(outside, path.join(vol, 'to-dir'));
    symlinkSync(path.join(outside, 'key'), path.join(vol, 'a/to-file'));
    const before = { dir: statSync(outside), key: statSync(path.join(outside, 'key')) };

    const res = await applyFsGroup(vol, GID);

    expect(res.walked).toBe(true);
    for (const d of [vol, path.join(vol, 'a'), path.join(vol, 'a/b')]) {
      const st = statSync(d);
      expect(st.gid).toBe(GID);
      expect(st.mode & 0o2070).toBe(0o2070);
    }
    const f = statSync(path.join(vol, 'a/b/f'));
    expect([f.gid, f.mode & 0o7777]).toEqual([GID, 0o660]);
    // The links themselves carry the group; what they point at is untouched.
    expect(lstatSync(path.join(vol, 'to-dir')).gid).toBe(GID);
    expect(lstatSync(path.join(vol, 'a/to-file')).gid).toBe(GID);
    for (const [p, was] of [
      [outside, before.dir],
      [path.join(outside, 'key'), before.key],
    ] as const) {
      const now = statSync(p);
      expect([now.uid, now.gid, now.mode]).toEqual([was.uid, was.gid, was.mode]);
    }
  });

  it('refuses a root that is itself a link', async () => {
    const link = path.join(dir, 'link');
    symlinkSync(outside, link);
    await expect(applyFsGroup(link, GID)).rejects.toThrow();
    expect(statSync(outside).gid).not.toBe(GID);
  });

  it('OnRootMismatch skips the walk when the root already matches, Always walks', async () => {
    writeFileSync(path.join(vol, 'f'), 'x', { mode: 0o600 });
    chownSync(vol, 0, GID);
    chmodSync(vol, 0o2775);
    expect(await applyFsGroup(vol, GID, { policy: 'OnRootMismatch' })).toEqual({ walked: false, changed: 0 });
    expect(statSync(path.join(vol, 'f')).gid).not.toBe(GID);
    expect(await applyFsGroup(vol, GID, { policy: 'Always' })).toEqual({ walked: true, changed: 1 });
    expect(statSync(path.join(vol, 'f')).gid).toBe(GID);
  });

  it('read-only volumes (configMap, secret) get group read, not write', async () => {
    writeFileSync(path.join(vol, 'f'), 'x', { mode: 0o644 });
    await applyFsGroup(vol, GID, { readOnly: true });
    expect(statSync(path.join(vol, 'f')).mode & 0o7777).toBe(0o644);
    expect(statSync(vol).mode & 0o7777).toBe(0o2755);
  });

  it(`refuses a tree nested deeper than ${MAX_FS_GROUP_DEPTH} directories`, async () => {
    mkdirSync(path.join(vol, ...Array.from({ length: MAX_FS_GROUP_DEPTH + 1 }, () => 'd')), { recursive: true });
    await expect(applyFsGroup(vol, GID)).rejects.toThrow(/deeper than/);
  });
});

describe('memory emptyDir and fsGroup', () => {
  it('mounts the tmpfs with the group and setgid, as no walk can reach it before a container mounts it', () => {
    const v = { name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
    expect(emptyDirDriverOpts(v, 2000)).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'mode=3777,gid=2000,size=1048576' });
    expect(emptyDirDriverOpts(v)).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'mode=1777,size=1048576' });
  });
});
