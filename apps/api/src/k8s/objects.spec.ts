import { applyServerSideApply, PatchError } from '@flotilla/patch';
import { resourceFor, type KubeObject, type ResourceType } from '@flotilla/resources';
import { ADMIN, failure, fieldsOf } from './__fixtures__/requests';
import type { AdmissionContext } from './admission';
import { patchFailed, patchObject, withFreshUid } from './objects';

const CONFIGMAPS = resourceFor('', 'v1', 'configmaps') as ResourceType;
const ctx: AdmissionContext = { type: CONFIGMAPS, namespace: 'ns', name: 'c', user: ADMIN, fieldValidation: 'Strict', warnings: [] };
const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', uid: 'u-1' }, data: { a: '1' } };

describe('patchObject', () => {
  it('applies each patch type', () => {
    expect(patchObject(ctx, 'merge', cm, { data: { b: '2' } }, '', false)).toMatchObject({ data: { a: '1', b: '2' } });
    expect(patchObject(ctx, 'json', cm, [{ op: 'replace', path: '/data/a', value: '3' }], '', false)).toMatchObject({ data: { a: '3' } });
    expect(patchObject(ctx, 'strategic', cm, { data: { a: null } }, '', false)).toMatchObject({ data: {} });
    const applied = patchObject(ctx, 'apply', cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '4' } }, 'me', false);
    expect(applied).toMatchObject({ data: { a: '4' } });
  });

  it('answers 422 for a patch that cannot apply', async () => {
    const s = await failure(() => patchObject(ctx, 'json', cm, [{ op: 'remove', path: '/data/missing' }], '', false));
    expect(s).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(s.message).toMatch(/^the patch could not be applied: /);
  });

  it('answers 409 naming the field another manager owns, unless forced', async () => {
    const owned = applyServerSideApply(
      cm,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } },
      'them',
      false,
      '2026-12-03T12:00:00Z',
    ).object;
    const mine = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '2' } };
    const s = await failure(() => patchObject(ctx, 'apply', owned, mine, 'me', false));
    expect(s).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(fieldsOf(s).length).toBeGreaterThan(0);
    expect(s.details?.causes?.[0]).toMatchObject({ reason: 'FieldManagerConflict', message: 'conflict with "them"' });
    expect(patchObject(ctx, 'apply', owned, mine, 'me', true)).toMatchObject({ data: { a: '2' } });
  });

  it('refuses an applied field the kind does not have under Strict validation, naming it', async () => {
    const s = await failure(() => patchObject(ctx, 'apply', cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, bogus: 1 }, 'me', false));
    expect(s.code).toBe(400);
    expect(fieldsOf(s)).toEqual(['bogus']);
  });
});

describe('patchFailed', () => {
  it('turns a PatchError into a 422 naming its field, and leaves other errors alone', async () => {
    expect(await failure(() => Promise.reject(patchFailed(new PatchError('bad index', 'spec.containers[3]'))))).toMatchObject({
      code: 422,
      details: { causes: [{ field: 'spec.containers[3]', message: 'bad index' }] },
    });
    const other = new TypeError('bug');
    expect(patchFailed(other)).toBe(other);
  });
});

describe('withFreshUid', () => {
  it("replaces the client's uid and keeps the rest", () => {
    const fresh = withFreshUid(cm);
    expect(fresh.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.metadata.uid).not.toBe('u-1');
    expect(fresh.data).toEqual(cm.data);
    expect(cm.metadata.uid).toBe('u-1');
  });
});
