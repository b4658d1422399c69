export { loadBackupConfig, redactRepository, BackupConfigError, type BackupConfig, type Retention } from './config';
export {
  backup,
  verify,
  verifyExisting,
  restore,
  list,
  stage,
  MANIFEST,
  DUMP,
  type BackupOutcome,
  type VerifyReport,
  type Alert,
  type Progress,
} from './platform';
export { Restic, TAG, type ResticSnapshot, type ResticSummary } from './restic';
export { eventAlert, ALERT_NAMESPACE, ALERT_COMPONENT } from './alerts';
export { backupStatus, backupRunsQuery, type BackupStatus, type SqlQuery } from './status';
export { startBackupSchedule, type BackupSchedule, type ScheduleLog } from './schedule';
export type { Manifest } from './manifest';
