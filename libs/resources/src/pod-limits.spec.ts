import { MAX_EXEC_BYTES, MAX_EXEC_STRING_BYTES, MAX_POD_CONTAINERS, execProblems } from './pod-limits';
import { resourceFor } from './registry';
import { validateObject } from './validation';

const POD = resourceFor('', 'v1', 'pods')!;
const DEPLOY = resourceFor('apps', 'v1', 'deployments')!;
const container = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: 'busybox', ...extra });
const pod = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec });
const big = (n: number) => 'x'.repeat(n);

describe('pod limits at admission (422 naming the field)', () => {
  it('refuses more containers than a node will start for one pod, once, not per container', () => {
    const many = Array.from({ length: 5000 }, (_, i) => container(`c${i}`));
    const errs = validateObject(POD, pod({ containers: many })).filter((e) => e.reason === 'FieldValueTooMany');
    expect(errs).toEqual([{ field: 'spec.containers', reason: 'FieldValueTooMany', message: `Too many: 5000: must have at most ${MAX_POD_CONTAINERS} items` }]);
    const split = { initContainers: Array.from({ length: 60 }, (_, i) => container(`i${i}`)), containers: many.slice(0, 60) };
    expect(validateObject(POD, pod(split)).map((e) => e.field)).toEqual(['spec.initContainers']);
    expect(validateObject(POD, pod({ containers: many.slice(0, MAX_POD_CONTAINERS) }))).toEqual([]);
  });

  it('refuses a command, args or env string longer than Linux lets exec take, naming the element', () => {
    const errs = validateObject(
      POD,
      pod({
        containers: [
          container('c', {
            command: ['sh', big(MAX_EXEC_STRING_BYTES)],
            args: [big(MAX_EXEC_STRING_BYTES - 1)],
            env: [{ name: 'A', value: big(MAX_EXEC_STRING_BYTES) }],
          }),
        ],
      }),
    );
    expect(errs.map((e) => [e.field, e.message])).toEqual([
      ['spec.containers[0].command[1]', `Too long: may not be more than ${MAX_EXEC_STRING_BYTES} bytes`],
      ['spec.containers[0].env[0].value', `Too long: may not be more than ${MAX_EXEC_STRING_BYTES} bytes`],
    ]);
  });

  it('refuses a huge environment as a whole, naming the largest part, in templates too', () => {
    const env = Array.from({ length: 20 }, (_, i) => ({ name: `V${i}`, value: big(64 * 1024) }));
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'a' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [container('c', { env })] } } },
    };
    const errs = validateObject(DEPLOY, deploy);
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('spec.template.spec.containers[0].env');
    expect(errs[0].message).toMatch(new RegExp(`^Too long: command, args and env together may not be more than ${MAX_EXEC_BYTES} bytes`));
  });

  it('the agent checks resolved values the same way', () => {
    expect(execProblems('container c', ['sh'], [], new Map([['A', 'b']]))).toEqual([]);
    const resolved = new Map([['FROM_SECRET', big(MAX_EXEC_STRING_BYTES)]]);
    expect(execProblems('container c', [], [], resolved)[0].field).toBe('container c.env[0].value');
    expect(execProblems('container c', [], [], resolved, (name) => `env ${name}`)[0].field).toBe('env FROM_SECRET');
  });
});
