import type { Taint } from '@flotilla/resources';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, effectiveTaints, tolerates, toleratesTaint } from './taints';
import { node } from './testing/fixtures';

const dedicated: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

describe('toleratesTaint', () => {
  it('matches key and value with Equal (the default operator)', () => {
    expect(toleratesTaint({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, dedicated)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', value: 'gpu' }, dedicated)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'cpu' }, dedicated)).toBe(false);
  });

  it('ignores the value with Exists', () => {
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, dedicated)).toBe(true);
    expect(toleratesTaint({ key: 'other', operator: 'Exists' }, dedicated)).toBe(false);
  });

  it('tolerates every taint with an empty key and Exists', () => {
    expect(toleratesTaint({ operator: 'Exists' }, dedicated)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' })).toBe(true);
  });

  it('requires the effect to match when the toleration names one', () => {
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, dedicated)).toBe(false);
    expect(toleratesTaint({ operator: 'Exists', effect: 'NoSchedule' }, dedicated)).toBe(true);
  });

  it('treats a missing taint value as empty', () => {
    expect(toleratesTaint({ key: 'k', value: '' }, { key: 'k', effect: 'NoSchedule' })).toBe(true);
  });
});

describe('tolerates', () => {
  it('is true when any toleration matches and false for none', () => {
    expect(
      tolerates(
        [
          { key: 'x', operator: 'Exists' },
          { key: 'dedicated', value: 'gpu' },
        ],
        dedicated,
      ),
    ).toBe(true);
    expect(tolerates([], dedicated)).toBe(false);
    expect(tolerates(undefined, dedicated)).toBe(false);
  });
});

describe('effectiveTaints', () => {
  it('adds not-ready for a node that is not Ready or never reported', () => {
    expect(effectiveTaints(node('a', { ready: 'False' }))).toEqual([{ key: TAINT_NOT_READY, effect: 'NoSchedule' }]);
    expect(effectiveTaints(node('a', { ready: null }))).toEqual([{ key: TAINT_NOT_READY, effect: 'NoSchedule' }]);
  });

  it('adds unreachable for a node whose Ready is Unknown', () => {
    expect(effectiveTaints(node('a', { ready: 'Unknown' }))).toEqual([{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }]);
  });

  it('adds nothing to a Ready node, nor a second copy of a taint already written', () => {
    expect(effectiveTaints(node('a', { taints: [dedicated] }))).toEqual([dedicated]);
    const written: Taint = { key: TAINT_UNREACHABLE, effect: 'NoSchedule', timeAdded: 't' };
    expect(effectiveTaints(node('a', { ready: 'Unknown', taints: [written] }))).toEqual([written]);
  });
});
