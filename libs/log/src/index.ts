// The one log format and stream of every Flotilla process: a JSON object per line on standard output,
// {"time":"<ISO 8601>","level":"info","component":"controller","msg":…, fields…}, filtered by FLOTILLA_LOG_LEVEL.
import { ConfigError } from './env';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

export function isLevel(s: string): s is Level {
  return (LEVELS as readonly string[]).includes(s);
}

/** Whether a record at `level` is written when the threshold is `threshold`. */
export function enabled(level: Level, threshold: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(threshold);
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger for `component`; `fields` may name another component for one line (`{ component: 'audit' }`). */
export function createLogger(component: string, threshold: Level, out: NodeJS.WritableStream = process.stdout): Logger {
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (!enabled(level, threshold)) return;
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level, component, msg, ...fields })}\n`);
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

/** FLOTILLA_LOG_LEVEL's value, 'info' when unset; anything else is thrown as `fail(message)`. */
export function logLevelOf(raw: string | undefined, fail: (message: string) => Error = (m) => new ConfigError(m)): Level {
  const level = raw ?? 'info';
  if (!isLevel(level)) throw fail(`FLOTILLA_LOG_LEVEL must be debug, info, warn or error, got "${level}"`);
  return level;
}

export { ConfigError, flag, int, num, oneOf, required, seconds, text, url, type Bounds, type Env } from './env';
export { SUPPORTED_NODE_MAJOR, requireSupportedNode, unsupportedNode } from './node-version';
