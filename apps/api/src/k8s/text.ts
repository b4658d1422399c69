// Text the API cannot store. Postgres refuses NUL in text and jsonb, and lone UTF-16 surrogates in jsonb;
// invalid UTF-8 would be silently replaced by U+FFFD and stored as something the client never sent. Each is
// refused at the edge (a body, a path, a query) with a 400 saying what and where, before anything is stored;
// the audit log, which must record even those requests, stores them with visible stand-ins instead. What
// counts as bad text, and how its field is named, is the store's (findUnstorable): the store refuses the same.
import { findUnstorable, LONE_SURROGATE, unstorableText } from '@flotilla/store';
import { badRequest } from './status';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Refuses a decoded body with bad text (400 naming the field). */
export function assertCleanBody(v: unknown): void {
  const bad = findUnstorable(v);
  if (bad)
    throw badRequest(`the body of the request contains ${bad.what} at ${bad.field}: it cannot be stored`, [
      { reason: 'FieldValueInvalid', message: `contains ${bad.what}`, field: bad.field },
    ]);
}

/** The body's bytes as text; invalid UTF-8 is a 400 with the offset of the first bad byte. */
export function utf8Body(buf: Buffer): string {
  try {
    return UTF8.decode(buf);
  } catch {
    let at = 0;
    // Find the first offending byte for the message: the longest prefix that still decodes.
    for (let lo = 0, hi = buf.length; lo <= hi;) {
      const mid = (lo + hi) >> 1;
      if (decodes(buf.subarray(0, mid))) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    throw badRequest(`the body of the request is not valid UTF-8 (first bad byte at offset ${at})`);
  }
}

function decodes(b: Buffer): boolean {
  try {
    UTF8.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Refuses bad text in the path's names or in any query parameter (400 saying which). */
export function assertCleanRequestText(parts: Record<string, string | undefined>, query: Record<string, unknown> | undefined): void {
  for (const [where, s] of Object.entries(parts)) {
    const what = s === undefined ? undefined : unstorableText(s);
    if (what) throw badRequest(`the request path contains ${what} in the ${where}`);
  }
  for (const [key, v] of Object.entries(query ?? {})) {
    const what =
      unstorableText(key) ??
      [v]
        .flat()
        .map((x) => (typeof x === 'string' ? unstorableText(x) : undefined))
        .find(Boolean);
    if (what) throw badRequest(`the query parameter ${JSON.stringify(storableText(key, 100))} contains ${what}`);
  }
}

/**
 * `s` as Postgres text accepts it, for records that must be kept whatever the request held: NUL becomes
 * U+2400 (␀, a visible stand-in), lone surrogates U+FFFD, and text beyond `max` characters is cut with a marker.
 */
export function storableText(s: string, max = 2000): string {
  let t = s.replaceAll('\u0000', '\u2400');
  if (t.length > max) t = `${t.slice(0, max)}…(truncated)`;
  return t.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
}

/**
 * A `Warning` header value for `message`, as Kubernetes sends it (`299 - "<text>"`). Warnings quote what the
 * client sent (an unknown field's name): JSON escapes control characters and lone surrogates, and the UTF-8
 * bytes of the rest go out as they are (Node takes a header as Latin-1 and refuses anything above U+00FF).
 */
export function warningHeaderValue(message: string): string {
  return Buffer.from(`299 - ${JSON.stringify(storableText(message, 1024))}`, 'utf8').toString('latin1');
}
