#!/usr/bin/env node
// flotilla-backup: platform backups by hand (scripts/backup.sh, scripts/restore.sh wrap it).
//   backup                 back up, then restore into a scratch database and check it
//   verify [snapshot]      check a snapshot again (default: the newest)
//   list                   the snapshots in the repository
//   restore <snapshot>     disaster recovery: database, PKI and configuration from a snapshot
// Configuration: FLOTILLA_BACKUP_REPOSITORY, FLOTILLA_BACKUP_PASSWORD(_FILE), DATABASE_URL (README "Backups").
import { Store } from '@flotilla/store';
import { eventAlert } from './alerts';
import { ConfigError } from '@flotilla/log';
import { BackupConfigError, loadBackupConfig, redactRepository, type BackupConfig } from './config';
import { backup, list, restore, verifyExisting, type Alert, type BackupOutcome } from './platform';

const USAGE = 'usage: flotilla-backup backup | verify [snapshot] | list | restore <snapshot>';

function say(line: string): void {
  process.stdout.write(`==> ${line}\n`);
}

/** The Event is written through the store; opened only when there is something to announce. */
function lazyAlert(config: BackupConfig): { alert: Alert; close: () => Promise<void> } {
  let store: Store | undefined;
  return {
    alert: async (reason, message) => {
      store ??= await Store.open({ databaseUrl: config.databaseUrl, ringSize: 0, log: () => undefined });
      await eventAlert(store)(reason, message);
      say(`raised a Warning Event ${reason} in namespace default (kubectl get events -n default)`);
    },
    close: async () => {
      await store?.close();
    },
  };
}

function report(o: BackupOutcome): number {
  if (o.result === 'verified') {
    say(`done: snapshot ${o.snapshot?.slice(0, 8)} verified in ${(o.durationMs / 1000).toFixed(1)}s`);
    return o.retentionError ? 3 : 0;
  }
  process.stderr.write(`error: ${o.result}: ${o.error}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, arg] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return cmd ? 0 : 2;
  }
  const config = loadBackupConfig();
  if (!config.repository) throw new BackupConfigError('FLOTILLA_BACKUP_REPOSITORY is not set: set it to a directory, sftp:… or s3:… (README "Backups")');
  switch (cmd) {
    case 'backup': {
      const a = lazyAlert(config);
      try {
        return report(await backup(config, say, a.alert));
      } finally {
        await a.close();
      }
    }
    case 'verify': {
      const snapshot = arg ?? (await list(config)).at(-1)?.id;
      if (!snapshot) throw new Error(`no snapshots in ${redactRepository(config.repository)}: run scripts/backup.sh first`);
      const a = lazyAlert(config);
      try {
        return report(await verifyExisting(config, snapshot, say, a.alert));
      } finally {
        await a.close();
      }
    }
    case 'list': {
      const snaps = await list(config);
      if (!snaps.length) say(`no snapshots in ${redactRepository(config.repository)}`);
      for (const s of snaps) process.stdout.write(`${s.short_id}  ${s.time}  ${s.hostname}\n`);
      return 0;
    }
    case 'restore': {
      if (!arg) throw new BackupConfigError(`restore needs a snapshot id (scripts/backup.sh list shows them; "latest" takes the newest)\n${USAGE}`);
      await restore(config, arg, say);
      return 0;
    }
    default:
      process.stderr.write(`unknown command "${cmd}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
