import { NestJsonLogger } from './log';

function captured(fn: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    lines.push(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('NestJsonLogger', () => {
  it('writes an object message as fields, in the shape of the other components', () => {
    const [line] = captured(() => new NestJsonLogger('info').error({ msg: 'request failed', reqId: 'r-1', error: 'boom' }, 'api'));
    expect(line).toMatchObject({ level: 'error', component: 'api', context: 'api', msg: 'request failed', reqId: 'r-1', error: 'boom' });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });

  it('keeps Nest’s start-up chatter at debug, and a stack passed before the context', () => {
    expect(captured(() => new NestJsonLogger('info').log('Mapped {/api/v1/*, ALL} route', 'RouterExplorer'))).toEqual([]);
    const [line] = captured(() => new NestJsonLogger('debug').log('Mapped {/api/v1/*, ALL} route', 'RouterExplorer'));
    expect(line).toMatchObject({ level: 'debug', context: 'RouterExplorer', msg: 'Mapped {/api/v1/*, ALL} route' });
    const [err] = captured(() => new NestJsonLogger('warn').error('it broke', 'Error: it broke\n    at x', 'ExceptionsHandler'));
    expect(err).toMatchObject({ level: 'error', context: 'ExceptionsHandler', msg: 'it broke', stack: 'Error: it broke\n    at x' });
  });
});
