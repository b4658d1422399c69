import { failure, fieldsOf } from './__fixtures__/requests';
import { deleteOptionsOf, parseDeleteOptions } from './delete-options';

const NONE = { uid: undefined, resourceVersion: undefined };

describe('DeleteOptions', () => {
  it('defaults to nothing when neither query nor body says anything', () => {
    expect(parseDeleteOptions(undefined, {})).toEqual({ gracePeriodSeconds: undefined, propagationPolicy: undefined, preconditions: NONE, dryRun: false });
    expect(deleteOptionsOf({ body: Buffer.alloc(0), query: {} }).dryRun).toBe(false);
  });

  it('reads the query (kubectl delete --grace-period --cascade --dry-run)', () => {
    expect(parseDeleteOptions(undefined, { gracePeriodSeconds: '0', propagationPolicy: 'Foreground', dryRun: 'All' })).toEqual({
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      preconditions: NONE,
      dryRun: true,
    });
  });

  it('reads the body, which wins over the query; null means unset', () => {
    const body = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 5,
      propagationPolicy: 'Orphan',
      preconditions: { uid: 'u-1', resourceVersion: '42' },
      dryRun: ['All'],
    };
    expect(parseDeleteOptions(body, { gracePeriodSeconds: '30', propagationPolicy: 'Background' })).toEqual({
      gracePeriodSeconds: 5,
      propagationPolicy: 'Orphan',
      preconditions: { uid: 'u-1', resourceVersion: '42' },
      dryRun: true,
    });
    expect(parseDeleteOptions({ gracePeriodSeconds: null, preconditions: null }, { gracePeriodSeconds: '7' })).toMatchObject({
      gracePeriodSeconds: 7,
      preconditions: NONE,
    });
    expect(deleteOptionsOf({ body: Buffer.from('{"gracePeriodSeconds":3}'), query: { gracePeriodSeconds: '9' } }).gracePeriodSeconds).toBe(3);
  });

  it('maps the old orphanDependents to a propagation policy when none is given', () => {
    expect(parseDeleteOptions({ orphanDependents: true }, {}).propagationPolicy).toBe('Orphan');
    expect(parseDeleteOptions({ orphanDependents: false }, {}).propagationPolicy).toBe('Background');
    expect(parseDeleteOptions({ orphanDependents: true, propagationPolicy: 'Foreground' }, {}).propagationPolicy).toBe('Foreground');
  });

  it.each([
    ['a negative grace period in the body', { gracePeriodSeconds: -1 }, {}, 'gracePeriodSeconds'],
    ['a fractional grace period', { gracePeriodSeconds: 1.5 }, {}, 'gracePeriodSeconds'],
    ['a grace period as text in the body', { gracePeriodSeconds: '5' }, {}, 'gracePeriodSeconds'],
    ['a negative grace period in the query', undefined, { gracePeriodSeconds: '-3' }, 'gracePeriodSeconds'],
    ['a grace period in the query that is not a number', undefined, { gracePeriodSeconds: 'soon' }, 'gracePeriodSeconds'],
    ['an unknown propagation policy', { propagationPolicy: 'Cascade' }, {}, 'propagationPolicy'],
    ['a propagation policy that is not text', { propagationPolicy: 1 }, {}, 'propagationPolicy'],
    ['an unknown policy in the query', undefined, { propagationPolicy: 'orphan' }, 'propagationPolicy'],
    ['orphanDependents that is not a boolean', { orphanDependents: 'yes' }, {}, 'orphanDependents'],
    ['preconditions that are not an object', { preconditions: 'u-1' }, {}, 'preconditions'],
    ['a precondition uid that is not text', { preconditions: { uid: 5 } }, {}, 'preconditions.uid'],
    ['a precondition resourceVersion that is not text', { preconditions: { resourceVersion: 42 } }, {}, 'preconditions.resourceVersion'],
    ['a body dryRun that is not a list', { dryRun: 'All' }, {}, 'dryRun'],
    ['a body dryRun with another value', { dryRun: ['None'] }, {}, 'dryRun'],
    ['a query dryRun with another value', undefined, { dryRun: 'true' }, 'dryRun'],
  ])('answers 400 naming the field for %s', async (_what, body, query, field) => {
    const s = await failure(() => parseDeleteOptions(body, query));
    expect(s).toMatchObject({ code: 400, reason: 'BadRequest', status: 'Failure' });
    expect(fieldsOf(s)).toEqual([field]);
    expect(s.message).toContain(field);
  });

  it('answers 400 for a body that is not an object or not JSON', async () => {
    expect(await failure(() => parseDeleteOptions([1], {}))).toMatchObject({ code: 400, message: 'DeleteOptions must be an object' });
    expect(await failure(() => deleteOptionsOf({ body: Buffer.from('{"gracePeriodSeconds":'), query: {} }))).toMatchObject({ code: 400 });
  });

  it("names fields by their place in the body when the options are an Eviction's", async () => {
    expect(parseDeleteOptions({ gracePeriodSeconds: 0 }, {}, 'deleteOptions.').gracePeriodSeconds).toBe(0);
    const s = await failure(() => parseDeleteOptions({ preconditions: { uid: 1 } }, {}, 'deleteOptions.'));
    expect(fieldsOf(s)).toEqual(['deleteOptions.preconditions.uid']);
    const notObject = await failure(() => parseDeleteOptions('now', {}, 'deleteOptions.'));
    expect(fieldsOf(notObject)).toEqual(['deleteOptions']);
  });
});
