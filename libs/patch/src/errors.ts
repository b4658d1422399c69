/**
 * The only error this package throws. The API turns it into a Kubernetes Status
 * (422 Invalid for a patch that cannot apply, 400 BadRequest for a malformed one).
 */
export class PatchError extends Error {
  constructor(
    message: string,
    /** Where in the object or patch the problem is, e.g. "spec.template.spec.containers[1]". */
    public readonly field?: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}
