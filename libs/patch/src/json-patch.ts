// RFC 6902 JSON patch (application/json-patch+json), as `kubectl rollout undo` and the
// managedFields migration before a server-side apply send it.
import { applyPatch, JsonPatchError, Operation } from 'fast-json-patch';
import { PatchError } from './errors';
import { cloneJson, isJsonObject, onlyPatchErrors } from './json';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  return onlyPatchErrors('json patch', () => {
    const doc = target === undefined ? null : cloneJson(target, 'the target object');
    const list = cloneJson(ops, 'the JSON patch');
    if (!Array.isArray(list)) throw new PatchError('a JSON patch must be a JSON array of operations');
    const operations: Operation[] = list.map((op, i) => checkOperation(op, i));
    try {
      // The copies above are private, so letting the library work in place mutates nothing of the caller's.
      return applyPatch(doc, operations, true, true, true).newDocument as unknown;
    } catch (err) {
      throw translate(err, operations);
    }
  });
}

function checkOperation(op: unknown, index: number): Operation {
  const field = `[${index}]`;
  if (!isJsonObject(op)) throw new PatchError(`JSON patch operation ${index} is not an object`, field);
  const name = op.op;
  if (typeof name !== 'string' || !OPS.has(name)) {
    throw new PatchError(`JSON patch operation ${index} has unknown op ${JSON.stringify(name ?? null)}`, `${field}.op`);
  }
  if (typeof op.path !== 'string') throw new PatchError(`JSON patch operation ${index} (${name}) needs a string "path"`, `${field}.path`);
  if ((name === 'move' || name === 'copy') && typeof op.from !== 'string') {
    throw new PatchError(`JSON patch operation ${index} (${name}) needs a string "from"`, `${field}.from`);
  }
  if ((name === 'add' || name === 'replace' || name === 'test') && !('value' in op)) {
    throw new PatchError(`JSON patch operation ${index} (${name}) needs a "value"`, `${field}.value`);
  }
  return op as unknown as Operation;
}

function translate(err: unknown, operations: Operation[]): PatchError {
  if (err instanceof PatchError) return err;
  if (err instanceof JsonPatchError) {
    const index = typeof err.index === 'number' ? err.index : undefined;
    const op = index === undefined ? undefined : operations[index];
    const where = op ? ` (operation ${index}: ${op.op} ${op.path})` : '';
    const reason = REASONS[err.name] ?? err.message.split('\n')[0];
    return new PatchError(`JSON patch failed${where}: ${reason}`, op?.path);
  }
  return new PatchError(`JSON patch failed: ${err instanceof Error ? err.message : String(err)}`);
}

// fast-json-patch error names, said the way a kubectl user can act on.
const REASONS: Record<string, string> = {
  TEST_OPERATION_FAILED: 'the "test" value does not match the object',
  OPERATION_PATH_UNRESOLVABLE: 'the path does not exist in the object',
  OPERATION_FROM_UNRESOLVABLE: 'the "from" path does not exist in the object',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'the list index is not a number',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'the list index is out of bounds',
  OPERATION_PATH_INVALID: 'the path is not a valid JSON pointer',
  OPERATION_VALUE_REQUIRED: 'the operation needs a value',
  OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED: 'the value is not JSON',
  OPERATION_OP_INVALID: 'unknown operation',
  OPERATION_NOT_AN_OBJECT: 'the operation is not an object',
  SEQUENCE_NOT_AN_ARRAY: 'the patch is not a list of operations',
};
