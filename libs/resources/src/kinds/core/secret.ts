// The Secret kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { isConfigMapKey, isQualifiedName } from '../../names';
import { child, rec, setDefault } from '../../pod-defaults';
import { asObj, asStr, type Rec } from '../../pod-validation';
import { bool, bytes, keyPath, map, str, stringMap } from '../../schema';
import { kindSchema } from '../../schemas';
import { ageCol, nameCol, o, s } from '../../table-columns';
import type { KubeObject } from '../../types';
import { immutableData, isBase64, MAX_DATA_SIZE } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

const secret = kindSchema(
  '',
  'Secret',
  'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
  {
    data: map(bytes(), 'Secret data, base64-encoded. Keys must consist of alphanumeric characters, "-", "_" or ".".'),
    stringData: stringMap('Write-only convenience: non-binary secret data in string form, merged into data on write.'),
    type: str('Used to facilitate programmatic handling of secret data. Defaults to Opaque.'),
    immutable: bool('If set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'),
  },
);

const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function validateSecret(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const data = asObj(obj.data) ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.check(keyPath('data', k), k, isConfigMapKey(k));
    if (typeof v === 'string') {
      if (!isBase64(v)) errs.invalid(keyPath('data', k), '<secret contents redacted>', 'illegal base64 data', true);
      size += Math.floor((v.length * 3) / 4);
    }
  }
  const sd = asObj(obj.stringData);
  if (sd)
    for (const [k, v] of Object.entries(sd)) {
      errs.check(keyPath('stringData', k), k, isConfigMapKey(k));
      if (typeof v === 'string') size += v.length;
    }
  if (size > MAX_DATA_SIZE) errs.tooLong('data', MAX_DATA_SIZE);
  const type = asStr(obj.type);
  if (type) {
    errs.check('type', type, isQualifiedName(type));
    for (const key of SECRET_REQUIRED_KEYS[type] ?? []) {
      if (!(key in data) && !(sd && key in sd)) errs.required(keyPath('data', key));
    }
    if (type === 'kubernetes.io/service-account-token') {
      const ann = asObj(asObj(obj.metadata)?.annotations) ?? {};
      if (!asStr(ann['kubernetes.io/service-account.name'])) errs.required('metadata.annotations[kubernetes.io/service-account.name]');
    }
    if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data) && !(sd && ('username' in sd || 'password' in sd)))
      errs.required(keyPath('data', 'username'));
  }
  if (old) {
    const before = asStr(old.type) ?? 'Opaque';
    if (type && type !== before) errs.invalid('type', type, 'field is immutable');
  }
  immutableData(errs, obj, old, ['data']);
}

function utf8Base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function defaultSecret(o: Rec): void {
  setDefault(o, 'type', 'Opaque');
  const sd = rec(o.stringData);
  if (!sd) return;
  // Leave malformed stringData for validation to report.
  if (!Object.values(sd).every((v) => typeof v === 'string')) return;
  if (o.data !== undefined && o.data !== null && !rec(o.data)) return;
  const data = child(o, 'data');
  if (!data) return;
  for (const [k, v] of Object.entries(sd)) data[k] = utf8Base64(v as string);
  delete o.stringData;
}

export const secretKind: KindModule = {
  resource: { kind: 'Secret', hasSpec: false, selectableFields: ['type'] },
  schema: secret,
  validate: validateSecret,
  defaults: defaultSecret,
  columns: [
    nameCol,
    { name: 'Type', description: 'The type of secret', cell: (x) => s(x.type) },
    { name: 'Data', type: 'integer', description: 'Number of keys in the secret.', cell: (x) => Object.keys(o(x.data)).length },
    ageCol,
  ],
  protobuf: 'core.Secret',
};
