import { labelSelectorMatches, labelSelectorToString, matchesSelector, parseLabelSelector, SelectorError } from './selectors';

describe('label selectors', () => {
  it('matches equality and inequality terms', () => {
    const s = parseLabelSelector('app=web,tier!=db');
    expect(matchesSelector(s, { app: 'web' })).toBe(true);
    expect(matchesSelector(s, { app: 'web', tier: 'db' })).toBe(false);
    expect(matchesSelector(s, { app: 'api' })).toBe(false);
  });

  it('matches set-based terms, existence and absence', () => {
    const s = parseLabelSelector('env in (prod, staging),tier notin (db),app,!legacy');
    expect(matchesSelector(s, { env: 'prod', app: 'x' })).toBe(true);
    expect(matchesSelector(s, { env: 'dev', app: 'x' })).toBe(false);
    expect(matchesSelector(s, { env: 'prod', app: 'x', legacy: 'y' })).toBe(false);
    expect(matchesSelector(s, { env: 'prod' })).toBe(false);
  });

  it('compares numbers with > and <', () => {
    const s = parseLabelSelector('rank>3');
    expect(matchesSelector(s, { rank: '4' })).toBe(true);
    expect(matchesSelector(s, { rank: '3' })).toBe(false);
  });

  it('rejects malformed selectors with a SelectorError', () => {
    for (const bad of ['a=b,', 'a in (x', '=x', 'a b c', 'a=b c']) {
      expect(() => parseLabelSelector(bad)).toThrow(SelectorError);
    }
  });

  it('treats a nil structured selector as matching nothing and an empty one as everything', () => {
    expect(labelSelectorMatches(undefined, { a: 'b' })).toBe(false);
    expect(labelSelectorMatches({}, { a: 'b' })).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }, { a: 'b' })).toBe(true);
  });

  it('prints the string form kubectl shows', () => {
    expect(labelSelectorToString({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['y', 'x'] }] })).toBe(
      'a=1,b=2,c notin (x,y)',
    );
  });
});
