// The API's logs, in the format every Flotilla process writes (@flotilla/log), on standard output: our own
// lines, Nest's (through NestJsonLogger) and Fastify's pino (through pinoOptions).
import type { LoggerService } from '@nestjs/common';
import { createLogger, type Level, type Logger } from '@flotilla/log';

/** The API's own lines are always written: start-up, warnings and failures (request lines are pino's). */
export const log: Logger = createLogger('api', 'debug');

/** Fastify's logger options giving its lines the same level names, ISO times and component. */
export function pinoOptions(level: Level): Record<string, unknown> {
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
  private readonly out;

  constructor(threshold: Level) {
    this.out = createLogger('api', threshold);
  }

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
    // Nest passes (message, ...params, context): a trailing string is the context, an earlier one a stack.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields = message !== null && typeof message === 'object' ? { ...(message as Record<string, unknown>) } : { msg: String(message) };
    const { msg, ...other } = fields as { msg?: unknown };
    this.out[level](typeof msg === 'string' ? msg : JSON.stringify(msg ?? ''), { ...(context ? { context } : {}), ...other, ...(stack ? { stack } : {}) });
  }
}
