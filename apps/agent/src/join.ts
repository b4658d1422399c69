// Joining, the way `kubeadm join` does it: with the CA pinned (file or hash) and a one-time join
// token, the agent asks the API for its own node credential and keeps it (mode 0600) for restarts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { request } from 'node:https';

export class JoinError extends Error {}

/** The node token: from the credential file if an earlier join saved one, else by exchanging the join token. */
export async function nodeCredential(opts: {
  apiUrl: string;
  ca: string;
  nodeName: string;
  token?: string;
  joinToken?: string;
  tokenFile?: string;
}): Promise<string> {
  if (opts.token) return opts.token;
  if (opts.tokenFile && existsSync(opts.tokenFile)) {
    const saved = readFileSync(opts.tokenFile, 'utf8').trim();
    if (saved) return saved;
  }
  if (!opts.joinToken)
    throw new JoinError('no node credential: set FLOTILLA_NODE_TOKEN, or FLOTILLA_JOIN_TOKEN (from an admin: POST /flotilla/v1/admin/jointokens)');
  const body = JSON.stringify({ token: opts.joinToken, nodeName: opts.nodeName });
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      new URL('/flotilla/v1/nodes/join', opts.apiUrl),
      { method: 'POST', ca: opts.ca, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, timeout: 15_000 },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('the API did not answer the join request within 15 s')));
    req.on('error', reject);
    req.end(body);
  });
  let parsed: { token?: unknown; message?: unknown } = {};
  try {
    parsed = JSON.parse(answer.text) as typeof parsed;
  } catch {
    /* reported below */
  }
  if (answer.status !== 201 || typeof parsed.token !== 'string') {
    const why = typeof parsed.message === 'string' ? parsed.message : `HTTP ${answer.status}`;
    throw new JoinError(`join refused: ${why} — ask an admin for a new join token (they are one-time and expire)`);
  }
  if (opts.tokenFile) {
    mkdirSync(dirname(opts.tokenFile), { recursive: true, mode: 0o700 });
    writeFileSync(opts.tokenFile, `${parsed.token}\n`, { mode: 0o600 });
  }
  return parsed.token;
}
