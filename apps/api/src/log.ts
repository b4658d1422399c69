// The API's logs: one JSON object per line on standard output, in the controller's and the agent's shape
// ({"level":"info","time":"<ISO>","component":"api","msg":…, fields…}), whether the line comes from our own
// code, from Nest (through NestJsonLogger) or from Fastify's pino (through pinoOptions).
import type { LoggerService } from '@nestjs/common';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<string, number> = { trace: 0, debug: 0, info: 1, warn: 2, error: 3, fatal: 3 };

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), component: 'api', msg, ...fields })}\n`);
}

/** Fastify's logger options giving its lines the same level names, ISO times and component. */
export function pinoOptions(level: string): Record<string, unknown> {
  return {
    level,
    base: { component: 'api' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label }) },
  };
}

/**
 * Nest's logger. Its start-up chatter (every mapped route) is debug; warnings and errors always show. A message
 * that is an object is written as fields (`{ msg, reqId, error }`).
 */
export class NestJsonLogger implements LoggerService {
  constructor(private readonly threshold: string) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }

  private emit(level: Level, message: unknown, rest: unknown[]): void {
    if (ORDER[level] < (ORDER[this.threshold] ?? 1)) return;
    // Nest passes (message, ...params, context): a trailing string is the context, an earlier one a stack.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields = message !== null && typeof message === 'object' ? { ...(message as Record<string, unknown>) } : { msg: String(message) };
    const { msg, ...other } = fields as { msg?: unknown };
    log(level, typeof msg === 'string' ? msg : JSON.stringify(msg ?? ''), { ...(context ? { context } : {}), ...other, ...(stack ? { stack } : {}) });
  }
}
