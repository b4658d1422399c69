import { fieldSelectorEqualities, FieldSelectorError, matchesFieldSelector, parseFieldSelector } from './field-selectors';
import { resourceFor } from './registry';
import { pod } from './testing/fixtures';
import type { KubeObject } from './types';

const pods = resourceFor('', 'v1', 'pods')!;
const events = resourceFor('', 'v1', 'events')!;
const cms = resourceFor('', 'v1', 'configmaps')!;

describe('field selectors', () => {
  const running = pod({ nodeName: 'n1' }, { phase: 'Running' }, { name: 'a' });
  const failed = pod({ nodeName: 'n2' }, { phase: 'Failed' }, { name: 'b' });

  it('matches =, == and != terms joined by commas', () => {
    const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed', pods);
    expect(matchesFieldSelector(sel, running)).toBe(true);
    expect(matchesFieldSelector(sel, failed)).toBe(false);
    expect(matchesFieldSelector(parseFieldSelector('metadata.name==b', pods), failed)).toBe(true);
    expect(matchesFieldSelector(parseFieldSelector('metadata.namespace=other', pods), failed)).toBe(false);
  });

  it('matches everything when empty', () => {
    expect(matchesFieldSelector(parseFieldSelector('', pods), running)).toBe(true);
  });

  it('treats absent fields as empty strings', () => {
    const unscheduled = pod();
    expect(matchesFieldSelector(parseFieldSelector('spec.nodeName=', pods), unscheduled)).toBe(true);
    expect(matchesFieldSelector(parseFieldSelector('spec.nodeName!=', pods), unscheduled)).toBe(false);
  });

  it('rejects fields the type does not offer', () => {
    expect(() => parseFieldSelector('spec.nodeName=n1', cms)).toThrow(new FieldSelectorError('field label not supported: spec.nodeName'));
    expect(() => parseFieldSelector('status.podIP=1', pods)).not.toThrow();
    expect(() => parseFieldSelector('nonsense', pods)).toThrow(FieldSelectorError);
  });

  it('selects events by involved object, as kubectl describe asks', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'a', namespace: 'default', uid: 'u1' },
      source: { component: 'kubelet' },
      type: 'Warning',
    };
    const sel = parseFieldSelector('involvedObject.namespace=default,involvedObject.uid=u1,involvedObject.name=a', events);
    expect(matchesFieldSelector(sel, ev)).toBe(true);
    expect(matchesFieldSelector(parseFieldSelector('involvedObject.uid=u2', events), ev)).toBe(false);
    expect(matchesFieldSelector(parseFieldSelector('source=kubelet,type=Warning', events), ev)).toBe(true);
  });

  it('exposes equality terms as index hints', () => {
    expect(fieldSelectorEqualities(parseFieldSelector('metadata.name=a,spec.nodeName==n1,status.phase!=Failed', pods))).toEqual({
      'metadata.name': 'a',
      'spec.nodeName': 'n1',
    });
  });

  it('honours escaped commas and equals signs in values', () => {
    const p = pod({}, undefined, { name: 'a,b=c' });
    expect(matchesFieldSelector(parseFieldSelector('metadata.name=a\\,b\\=c', pods), p)).toBe(true);
  });
});
