// Shared by the patch specs.
import { PatchError } from '../errors';

/** The PatchError `run` throws; fails the test when it throws something else or nothing. */
export function patchError(run: () => unknown): PatchError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(PatchError);
    return err as PatchError;
  }
  throw new Error('expected a PatchError');
}
