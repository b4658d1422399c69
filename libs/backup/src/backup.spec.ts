import { createCipheriv, randomBytes } from 'node:crypto';
import { BackupConfigError, loadBackupConfig, redactRepository } from './config';
import { openSecret, parseEnvFile, parseKeys } from './secrets';

const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/flotilla', FLOTILLA_DATA_DIR: '/srv/flotilla' };

describe('loadBackupConfig', () => {
  it('is off without a repository, daily with one', () => {
    expect(loadBackupConfig(base).scheduleSeconds).toBe(0);
    const c = loadBackupConfig({ ...base, FLOTILLA_BACKUP_REPOSITORY: '/backups', FLOTILLA_BACKUP_PASSWORD: 'pw' });
    expect(c.scheduleSeconds).toBe(86_400);
    expect(c.retention).toEqual({ daily: 7, weekly: 4, monthly: 6 });
  });

  it('refuses a repository without a password, both kinds of password, and bad numbers, naming the variable', () => {
    expect(() => loadBackupConfig({ ...base, FLOTILLA_BACKUP_REPOSITORY: '/backups' })).toThrow(/FLOTILLA_BACKUP_PASSWORD or FLOTILLA_BACKUP_PASSWORD_FILE/);
    expect(() => loadBackupConfig({ ...base, FLOTILLA_BACKUP_PASSWORD: 'a', FLOTILLA_BACKUP_PASSWORD_FILE: '/x' })).toThrow(BackupConfigError);
    expect(() =>
      loadBackupConfig({ ...base, FLOTILLA_BACKUP_REPOSITORY: '/b', FLOTILLA_BACKUP_PASSWORD: 'a', FLOTILLA_BACKUP_SCHEDULE_SECONDS: '10' }),
    ).toThrow(/FLOTILLA_BACKUP_SCHEDULE_SECONDS/);
    expect(() => loadBackupConfig({ ...base, FLOTILLA_BACKUP_KEEP_DAILY: '-1' })).toThrow(/FLOTILLA_BACKUP_KEEP_DAILY/);
    expect(() => loadBackupConfig({ ...base, FLOTILLA_BACKUP_REPOSITORY: '/b', FLOTILLA_BACKUP_PASSWORD_FILE: '/no/such/file' })).toThrow(/cannot read/);
    // A controller started without DATABASE_URL uses its default; so does its schedule.
    expect(loadBackupConfig({ FLOTILLA_DATA_DIR: '/x' }).databaseUrl).toBe('postgresql://flotilla:flotilla@127.0.0.1:5432/flotilla');
  });

  it('never shows credentials in a repository URL', () => {
    expect(redactRepository('rest:https://user:secret@host:8000/repo')).toBe('rest:https://***@host:8000/repo');
    expect(redactRepository('sftp:backup@host:/srv')).toBe('sftp:backup@host:/srv');
  });
});

describe('openSecret', () => {
  // The envelope apps/api writes (tenancy/secret-encryption.ts); test/backup.e2e.ts checks it against the real API.
  const key = randomBytes(32);
  const keys = parseKeys(`k1:${key.toString('base64')}`);
  function sealed(namespace: string, name: string, aadName = name): { metadata: { namespace: string; name: string }; encryptedData: string } {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`core/secrets/${namespace}/${aadName}`));
    const ct = Buffer.concat([cipher.update(JSON.stringify({ data: { a: 'Yg==' } })), cipher.final()]);
    return { metadata: { namespace, name }, encryptedData: `k8s:enc:aesgcm:v1:k1:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}` };
  }

  it('opens a Secret sealed with a backed-up key and tells a plain one apart', () => {
    expect(openSecret(sealed('ns', 's'), keys)).toBe('decrypted');
    expect(openSecret({ metadata: { namespace: 'ns', name: 's' } }, keys)).toBe('plain');
  });

  it('fails for a missing key and for a ciphertext moved to another Secret', () => {
    expect(() => openSecret(sealed('ns', 's'), [])).toThrow(/key "k1", which the backed-up configuration does not hold/);
    expect(() => openSecret(sealed('ns', 's', 'other'), keys)).toThrow(/does not decrypt/);
  });
});

it('parseEnvFile reads the KEY=value lines set-up writes', () => {
  expect(parseEnvFile('A=1\n# note\nB="two"\n\nC=x=y\n')).toEqual({ A: '1', B: 'two', C: 'x=y' });
});
