// restic, the backup engine: encrypted, deduplicated, verified repositories on a directory, SFTP or S3.
// The password reaches restic through its environment only (RESTIC_PASSWORD / RESTIC_PASSWORD_FILE).
import type { BackupConfig, Retention } from './config';
import { CommandError, run } from './exec';

export interface ResticSummary {
  snapshot_id: string;
  files_new: number;
  files_changed: number;
  data_added: number;
  total_files_processed: number;
  total_bytes_processed: number;
  total_duration: number;
}

export interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  hostname: string;
  tags?: string[];
  paths: string[];
}

export const TAG = 'flotilla-platform';
/** A repository that cannot be reached answers within this; a hung SFTP or S3 target is a failure, not a wait. */
const TIMEOUT_MS = 30 * 60_000;

export class Restic {
  constructor(private readonly config: Pick<BackupConfig, 'repository' | 'password' | 'passwordFile'>) {
    if (!config.repository) throw new Error('no backup repository: set FLOTILLA_BACKUP_REPOSITORY (README "Backups")');
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, RESTIC_REPOSITORY: this.config.repository };
    delete env.RESTIC_PASSWORD;
    delete env.RESTIC_PASSWORD_FILE;
    if (this.config.password) env.RESTIC_PASSWORD = this.config.password;
    if (this.config.passwordFile) env.RESTIC_PASSWORD_FILE = this.config.passwordFile;
    return env;
  }

  private run(args: string[]) {
    return run('restic', args, { env: this.env(), timeoutMs: TIMEOUT_MS });
  }

  /** Creates the repository when there is none; any other failure (unreachable, wrong password) is thrown. */
  async ensureRepository(): Promise<'existing' | 'created'> {
    try {
      await this.run(['cat', 'config', '--no-lock']);
      return 'existing';
    } catch (err) {
      const text = err instanceof CommandError ? err.stderr : '';
      if (!/does not exist|Is there a repository|unable to open config file/i.test(text)) throw err;
    }
    await this.run(['init']);
    return 'created';
  }

  async backup(dir: string, host: string): Promise<ResticSummary> {
    // The directory is entered so paths in the snapshot are the staging's own, the same at every backup.
    const { stdout } = await run('restic', ['backup', '--json', '--tag', TAG, '--host', host, '.'], { env: this.env(), timeoutMs: TIMEOUT_MS, cwd: dir });
    const summary = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message_type?: string })
      .find((m) => m.message_type === 'summary');
    if (!summary) throw new Error(`restic backup printed no summary: ${stdout.slice(-500)}`);
    return summary as unknown as ResticSummary;
  }

  async snapshots(): Promise<ResticSnapshot[]> {
    const { stdout } = await this.run(['snapshots', '--json', '--tag', TAG]);
    return (JSON.parse(stdout) as ResticSnapshot[] | null) ?? [];
  }

  async restore(snapshot: string, target: string): Promise<void> {
    await this.run(['restore', snapshot, '--target', target]);
  }

  /** The repository's structure (index, trees, packs' headers); content is proven by the restore itself. */
  async check(): Promise<void> {
    await this.run(['check']);
  }

  async forget(keep: Retention, host: string): Promise<void> {
    await this.run([
      'forget',
      '--tag',
      TAG,
      '--host',
      host,
      '--keep-daily',
      String(keep.daily),
      '--keep-weekly',
      String(keep.weekly),
      '--keep-monthly',
      String(keep.monthly),
      '--prune',
    ]);
  }
}
