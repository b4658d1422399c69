import { engineGarbage, type LabelledObject } from './engine-gc';
import { LABEL } from './labels';

const obj = (id: string, labels: Record<string, string>): LabelledObject => ({ id, labels });
const net = (ns: string): LabelledObject => obj(`net-${ns}`, { [LABEL.node]: 'n1', [LABEL.namespace]: ns });
const podC = (ns: string, uid: string): LabelledObject => obj(`c-${uid}`, { [LABEL.podNamespace]: ns, [LABEL.podUid]: uid });
const proxy = (ns: string): LabelledObject => obj(`p-${ns}`, { [LABEL.namespace]: ns, 'flotilla.role': 'service-proxy' });

describe('engine garbage', () => {
  it('removes a namespace network only when no pod or proxy container of that namespace is left', () => {
    const g = engineGarbage(
      { networks: [net('a'), net('b'), net('c'), net('gone')], containers: [podC('a', 'u1'), proxy('b'), podC('c', 'u2')], volumes: [] },
      { podUids: new Set(['u1']) },
    );
    expect(g.networks).toEqual(['net-gone']);
  });

  it('never removes a network without a namespace label', () => {
    const g = engineGarbage({ networks: [obj('other', { [LABEL.node]: 'n1' })], containers: [], volumes: [] }, { podUids: new Set() });
    expect(g.networks).toEqual([]);
  });

  it('removes pod volumes of pods that are not kept', () => {
    const v = (uid: string): LabelledObject => obj(`v-${uid}`, { [LABEL.podUid]: uid, [LABEL.volume]: 'data' });
    const g = engineGarbage({ networks: [], containers: [], volumes: [v('keep'), v('drop')] }, { podUids: new Set(['keep']) });
    expect(g.volumes).toEqual(['v-drop']);
    expect(engineGarbage({ networks: [], containers: [], volumes: [v('drop')] }, {}).volumes).toEqual([]);
  });

  it('removes a claim volume only when the claim is known to be gone', () => {
    const pvc = (ns: string, claim: string): LabelledObject => obj(`pvc-${ns}-${claim}`, { [LABEL.pvc]: claim, [LABEL.namespace]: ns });
    const inv = { networks: [], containers: [], volumes: [pvc('a', 'x'), pvc('a', 'y'), pvc('b', 'x')] };
    expect(engineGarbage(inv, { podUids: new Set() }).volumes).toEqual([]);
    expect(engineGarbage(inv, { podUids: new Set(), goneClaims: new Set(['a/y', 'b/x']) }).volumes).toEqual(['pvc-a-y', 'pvc-b-x']);
    // A claim not known to be gone (not asked, or the API did not answer) keeps its volume.
    expect(engineGarbage(inv, { podUids: new Set(), goneClaims: new Set(['a/y']) }).volumes).toEqual(['pvc-a-y']);
  });
});
