import { negotiate } from './negotiate';

const KUBECTL_TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('negotiate', () => {
  it("answers a Table for kubectl's Accept, with or without a group, and JSON otherwise", () => {
    expect(negotiate(KUBECTL_TABLE, undefined)).toEqual({ table: true, includeObject: 'Metadata' });
    expect(negotiate('application/json; as=Table; v=v1', undefined).table).toBe(true);
    expect(negotiate('application/json', undefined).table).toBe(false);
    expect(negotiate(undefined, undefined).table).toBe(false);
    expect(negotiate('application/vnd.kubernetes.protobuf, application/json', undefined).table).toBe(false);
  });

  it('refuses a Table of another group', () => {
    expect(negotiate('application/json;as=Table;v=v1;g=example.com', undefined).table).toBe(false);
  });

  it('reads includeObject, defaulting anything unknown to Metadata as kube-apiserver does', () => {
    expect(negotiate(KUBECTL_TABLE, 'Object').includeObject).toBe('Object');
    expect(negotiate(KUBECTL_TABLE, 'None').includeObject).toBe('None');
    expect(negotiate(KUBECTL_TABLE, 'everything').includeObject).toBe('Metadata');
  });
});
