// The agent is written against PodRuntime only (issue 16): swapping the container runtime must not touch it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const sources = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
  .map((f) => ({ file: f, text: readFileSync(join(__dirname, f), 'utf8') }));

describe('the agent and its container runtime', () => {
  it('has sources to check', () => {
    expect(sources.map((s) => s.file)).toEqual(expect.arrayContaining(['agent.ts', 'pod-sync.ts', 'log-shipper.ts', 'node.ts']));
  });

  it.each([
    ['imports no Docker client', /from ['"]dockerode['"]|require\(['"]dockerode['"]\)/],
    ['names no Docker runtime class or its options', /\bDockerRuntime(Options)?\b/],
    ['reaches into no engine client', /\.docker\b(?!\/)/],
  ])('%s', (_what, pattern) => {
    expect(sources.filter((s) => pattern.test(s.text.replace(/^\s*(\/\/|\*).*$/gm, ''))).map((s) => s.file)).toEqual([]);
  });
});
