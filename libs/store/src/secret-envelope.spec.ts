import { randomBytes } from 'node:crypto';
import type { KubeObject } from '@flotilla/resources';
import { LAST_APPLIED, SecretDecryptError, envelopeKeyId, openSecret, parseEncryptionKeys, sealSecret } from './secret-envelope';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

function secret(name: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'team', uid: 'u1', annotations },
    type: 'Opaque',
    data: { password: Buffer.from('hunter2-data').toString('base64') },
    stringData: { token: 'hunter2-string' },
  } as KubeObject;
}

describe('the Secret envelope', () => {
  it('seals the values and kubectl’s last-applied copy of them, and opens them back', () => {
    const applied = JSON.stringify({ kind: 'Secret', stringData: { token: 'hunter2-applied' } });
    const plain = secret('db', { [LAST_APPLIED]: applied, team: 'a' });
    const stored = sealSecret(plain, k1);
    const text = JSON.stringify(stored);
    for (const clear of ['hunter2-data', Buffer.from('hunter2-data').toString('base64'), 'hunter2-string', 'hunter2-applied'])
      expect(text).not.toContain(clear);
    expect(stored.metadata.annotations).toEqual({ team: 'a' });
    expect(envelopeKeyId(stored)).toBe('k1');
    expect(openSecret(stored, [k2, k1])).toEqual(plain);
  });

  it('leaves a Secret without annotations without any', () => {
    const plain = secret('db');
    expect(openSecret(sealSecret(plain, k1), [k1])).toEqual(plain);
  });

  it('refuses an envelope moved to another Secret, a tampered one, and one whose key is gone', () => {
    const stored = sealSecret(secret('db'), k1);
    const moved = { ...stored, metadata: { ...stored.metadata, name: 'other' } } as KubeObject;
    expect(() => openSecret(moved, [k1])).toThrow();
    const env = (stored as unknown as { encryptedData: string }).encryptedData;
    const tampered = { ...stored, encryptedData: `${env.slice(0, -4)}AAAA` } as KubeObject;
    expect(() => openSecret(tampered, [k1])).toThrow();
    expect(() => openSecret(stored, [k2])).toThrow(SecretDecryptError);
  });

  it('reads a Secret stored before encryption was on as it is', () => {
    const plain = secret('old');
    expect(envelopeKeyId(plain)).toBeUndefined();
    expect(openSecret(plain, [k1])).toBe(plain);
  });

  it('parses keys and refuses bad ones by name', () => {
    expect(parseEncryptionKeys(`a:${k1.key.toString('base64')}, b:${k2.key.toString('base64')}`).map((k) => k.id)).toEqual(['a', 'b']);
    expect(() => parseEncryptionKeys('a:c2hvcnQ=')).toThrow(/key "a" must be 32 bytes/);
    expect(() => parseEncryptionKeys(`a:${k1.key.toString('base64')},a:${k2.key.toString('base64')}`)).toThrow(/appears twice/);
    expect(() => parseEncryptionKeys('no-colon')).toThrow(/<id>:<base64 32-byte key>/);
  });
});
