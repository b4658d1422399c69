// Bearer secrets: `<prefix>_<id>_<secret>`, so a token is found by its id and checked against the
// SHA-256 of its secret (tokens are 256 random bits: a fast hash is right; passwords use argon2id).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type SecretPrefix = 'flt' | 'fls' | 'flj';

const FORMAT = /^(flt|fls|flj)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedSecret {
  prefix: SecretPrefix;
  id: string;
  secret: string;
}

export function newSecret(prefix: SecretPrefix): { token: string; id: string; hash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `${prefix}_${id}_${secret}`, id, hash: sha256(secret) };
}

export function parseSecret(token: string): ParsedSecret | undefined {
  const m = FORMAT.exec(token);
  return m ? { prefix: m[1] as SecretPrefix, id: m[2], secret: m[3] } : undefined;
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Constant-time comparison of a secret with a stored hex hash. */
export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
