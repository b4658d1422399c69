// Kubeconfig text for kubectl: always verifies the server against our CA, never skips TLS checks.
import { parseCertificate } from './cert-info';

export interface KubeconfigOptions {
  /** `https://host:port`; plain http is refused because the token would travel in clear text. */
  server: string;
  caCertPem: string;
  user: string;
  token: string;
  /** Default `flotilla`. */
  clusterName?: string;
  /** Default `<user>@<clusterName>`. */
  contextName?: string;
  namespace?: string;
}

export function buildKubeconfig(opts: KubeconfigOptions): string {
  let serverUrl: URL;
  try {
    serverUrl = new URL(opts.server);
  } catch {
    throw new Error(`server "${opts.server}" is not a URL; expected https://host:port`);
  }
  if (serverUrl.protocol !== 'https:') {
    throw new Error(`server "${opts.server}" must use https so kubectl verifies it against the CA`);
  }
  if (opts.user === '') throw new Error('user must not be empty');
  if (opts.token === '') throw new Error('token must not be empty');
  parseCertificate(opts.caCertPem);
  const caPem = opts.caCertPem.endsWith('\n') ? opts.caCertPem : `${opts.caCertPem}\n`;
  const clusterName = opts.clusterName ?? 'flotilla';
  const contextName = opts.contextName ?? `${opts.user}@${clusterName}`;
  const q = yamlQuote;
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${q(clusterName)}`,
    '  cluster:',
    `    server: ${q(opts.server)}`,
    `    certificate-authority-data: ${q(Buffer.from(caPem, 'utf8').toString('base64'))}`,
    'users:',
    `- name: ${q(opts.user)}`,
    '  user:',
    `    token: ${q(opts.token)}`,
    'contexts:',
    `- name: ${q(contextName)}`,
    '  context:',
    `    cluster: ${q(clusterName)}`,
    `    user: ${q(opts.user)}`,
    ...(opts.namespace !== undefined ? [`    namespace: ${q(opts.namespace)}`] : []),
    `current-context: ${q(contextName)}`,
    'preferences: {}',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A YAML double-quoted scalar. Double quotes are the one YAML style where every string, whatever
 * it starts with (`*`, `!`, `- `, `yes`, digits), stays a string, and escapes cover the rest.
 */
export function yamlQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code >= 0xd800 && code <= 0xdfff) {
      throw new Error('value contains a lone UTF-16 surrogate, which YAML cannot represent');
    } else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff) {
      // Controls, DEL, line/paragraph separators and the BOM are not printable YAML characters.
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}
