// One JSON line per log record on stderr, filtered by FLOTILLA_LOG_LEVEL.
export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(component: string, level: Level): Logger {
  const write = (l: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[l] < RANK[level]) return;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: l, component, msg, ...fields }) + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
