// The ConfigMap kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { isConfigMapKey } from '../../names';
import { asObj, type Rec } from '../../pod-validation';
import { bool, bytes, keyPath, map, stringMap } from '../../schema';
import { kindSchema } from '../../schemas';
import { ageCol, nameCol, o } from '../../table-columns';
import type { KubeObject } from '../../types';
import { dataKeys, immutableData, isBase64, MAX_DATA_SIZE } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

const configMap = kindSchema('', 'ConfigMap', 'ConfigMap holds configuration data for pods to consume.', {
  data: stringMap('Configuration data. Keys must consist of alphanumeric characters, "-", "_" or ".".'),
  binaryData: map(bytes(), 'Binary data, base64-encoded. Keys must not overlap with data.'),
  immutable: bool('If set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).'),
});

function validateConfigMap(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const seen = new Set<string>();
  let size = dataKeys(errs, obj.data, 'data', seen);
  const bd = asObj(obj.binaryData);
  if (bd) {
    for (const [k, val] of Object.entries(bd)) {
      errs.check(keyPath('binaryData', k), k, isConfigMapKey(k));
      if (seen.has(k)) errs.invalid(keyPath('binaryData', k), k, 'duplicate of key present in data');
      if (typeof val === 'string') {
        if (!isBase64(val)) errs.invalid(keyPath('binaryData', k), '<value omitted>', 'illegal base64 data', true);
        size += Math.floor((val.length * 3) / 4);
      }
    }
  }
  if (size > MAX_DATA_SIZE) errs.tooLong('data', MAX_DATA_SIZE);
  immutableData(errs, obj, old, ['data', 'binaryData']);
}

export const configMapKind: KindModule = {
  resource: { kind: 'ConfigMap', shortNames: ['cm'], hasSpec: false },
  schema: configMap,
  validate: validateConfigMap,
  columns: [
    nameCol,
    {
      name: 'Data',
      type: 'integer',
      description: 'Number of keys in the ConfigMap.',
      cell: (x) => Object.keys(o(x.data)).length + Object.keys(o(x.binaryData)).length,
    },
    ageCol,
  ],
  protobuf: 'core.ConfigMap',
};
