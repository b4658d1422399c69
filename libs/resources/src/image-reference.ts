// Docker image references (the grammar of distribution/reference). An image string reaches the Docker
// engine's URL path (`/images/<ref>/json`), so anything outside this grammar could steer the request:
// `../` segments make the engine answer with a redirect, and `//host:port` makes a client follow it
// to another host. Admission and the runtime both check with this one parser.

export interface ImageReference {
  /** Registry host (with port), when the reference names one. */
  domain?: string;
  /** Repository path below the domain, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

export type ImageReferenceResult = { ok: true; ref: ImageReference } | { ok: false; reason: string };

/** Docker's limit on the name part (domain and path). */
export const MAX_IMAGE_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PORT = /^[0-9]+$/;
const IPV6 = /^\[[0-9a-fA-F:.]+\]$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

function isDomain(s: string): boolean {
  const colon = s.lastIndexOf(':');
  const hasPort = colon > s.lastIndexOf(']');
  const host = hasPort ? s.slice(0, colon) : s;
  if (hasPort && !PORT.test(s.slice(colon + 1))) return false;
  if (IPV6.test(host)) return true;
  return host.length > 0 && host.split('.').every((p) => DOMAIN_COMPONENT.test(p));
}

/** Parses an image reference; never throws. */
export function parseImageReference(input: unknown): ImageReferenceResult {
  if (typeof input !== 'string') return { ok: false, reason: 'must be a string' };
  if (input === '') return { ok: false, reason: 'must not be empty' };
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { ok: false, reason: 'digest must be algorithm:hex (at least 32 hex digits)' };
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { ok: false, reason: 'tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}' };
  }
  if (rest === '') return { ok: false, reason: 'must name a repository' };
  if (rest.length > MAX_IMAGE_NAME_LENGTH) return { ok: false, reason: `repository name must not be longer than ${MAX_IMAGE_NAME_LENGTH} characters` };
  const parts = rest.split('/');
  let domain: string | undefined;
  // As in Docker: the first part is a domain only when more parts follow and it looks like a host.
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    domain = parts.shift();
    if (!isDomain(domain ?? '')) return { ok: false, reason: 'registry host is not a valid host[:port]' };
  }
  for (const p of parts)
    if (!PATH_COMPONENT.test(p))
      return {
        ok: false,
        reason: 'repository path components must be lower-case letters and digits, separated by ".", "_", "__" or "-"',
      };
  return { ok: true, ref: { domain, path: parts.join('/'), tag, digest } };
}

/** Why the reference is invalid, or undefined when it is valid. */
export function imageReferenceError(input: unknown): string | undefined {
  const r = parseImageReference(input);
  return r.ok ? undefined : `invalid image reference: ${r.reason}`;
}
