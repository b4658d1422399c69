import { SUPPORTED_NODE_MAJOR, unsupportedNode } from './node-version';

describe('unsupportedNode', () => {
  it('accepts the supported major and newer', () => {
    expect(unsupportedNode(`${SUPPORTED_NODE_MAJOR}.0.0`)).toBeUndefined();
    expect(unsupportedNode('26.1.0')).toBeUndefined();
  });

  it('refuses older ones with what to do', () => {
    const why = unsupportedNode('20.20.2');
    expect(why).toContain('Node.js 20.20.2 is not supported');
    expect(why).toContain('scripts/setup.sh');
  });

  it('refuses what it cannot read', () => {
    expect(unsupportedNode('garbage')).toBeDefined();
  });
});
