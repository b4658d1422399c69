import { randomBytes } from 'node:crypto';
import type { KubeObject } from '@flotilla/resources';
import { SecretEncryption } from './secret-encryption';
import { parseEncryptionKeys } from './tenancy-config';

const secret = (name = 's'): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'a' },
    type: 'Opaque',
    data: { password: Buffer.from('hunter2').toString('base64') },
  }) as KubeObject;
const key = () => randomBytes(32).toString('base64');

describe('Secret encryption at rest', () => {
  const [k1, k2] = [key(), key()];

  it('stores no plaintext and reads back the same object', () => {
    const enc = new SecretEncryption(parseEncryptionKeys(`k1:${k1}`));
    const stored = enc.toStorage(secret());
    expect(JSON.stringify(stored)).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(stored).not.toHaveProperty('data');
    expect(enc.keyIdOf(stored)).toBe('k1');
    expect(enc.fromStorage(stored)).toEqual(secret());
  });

  it('decrypts with any configured key and encrypts with the first (rotation)', () => {
    const old = new SecretEncryption(parseEncryptionKeys(`k1:${k1}`));
    const rotated = new SecretEncryption(parseEncryptionKeys(`k2:${k2},k1:${k1}`));
    const stored = old.toStorage(secret());
    expect(rotated.fromStorage(stored)).toEqual(secret());
    expect(rotated.keyIdOf(rotated.toStorage(secret()))).toBe('k2');
    const without = new SecretEncryption(parseEncryptionKeys(`k2:${k2}`));
    expect(() => without.decrypt(stored)).toThrow(/key "k1"/);
    // Still served (sealed, without data) and never re-encrypted empty.
    expect(without.fromStorage(stored)).toEqual(stored);
    expect(without.toStorage(without.fromStorage(stored))).toEqual(stored);
  });

  it('refuses a ciphertext moved to another Secret', () => {
    const enc = new SecretEncryption(parseEncryptionKeys(`k1:${k1}`));
    const stored = enc.toStorage(secret('one'));
    expect(() => enc.decrypt({ ...stored, metadata: { ...stored.metadata, name: 'two' } })).toThrow();
  });

  it('passes through Secrets written before encryption was on', () => {
    expect(new SecretEncryption(parseEncryptionKeys(`k1:${k1}`)).fromStorage(secret())).toEqual(secret());
  });

  it('rejects malformed key lists', () => {
    expect(() => parseEncryptionKeys('k1:short')).toThrow(/32 bytes/);
    expect(() => parseEncryptionKeys(`bad id:${k1}`)).toThrow();
  });
});
