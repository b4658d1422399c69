// Helpers shared by this library's specs: temporary directories and running openssl/kubectl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTempDir(): {
  dir: string;
  file: (name: string, content: string) => string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-pki-'));
  return {
    dir,
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a command, returning stdout; stdin optional. Throws with stderr when it exits non-zero. */
export function run(command: string, args: string[], input?: Buffer | string): Buffer {
  return execFileSync(command, args, {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
