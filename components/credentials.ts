/**
 * Recognises values that look like credentials (kubeconfigs, private keys, cloud access keys,
 * bearer tokens) so no error message, log line or report ever echoes one: a message says which
 * key holds it instead.
 */

/** Shapes of credentials, most specific first, each with the name a message uses. */
const CREDENTIAL_SHAPES: readonly { kind: string; test: RegExp }[] = [
  { kind: "kubeconfig", test: /\bkind:\s*["']?Config\b|client-(key|certificate)-data|"kind"\s*:\s*"Config"|\bcurrent-context\s*:/ },
  { kind: "private key", test: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { kind: "AWS access key", test: /\b(AKIA|ASIA)[0-9A-Z]{16}\b|aws_secret_access_key/i },
  { kind: "token", test: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|\b(ghp|gho|ghs|github_pat|glpat|xox[abpr])[-_][A-Za-z0-9_-]{16,}|\btoken:\s*\S{16,}/ },
];

/** What kind of credential a value looks like, or undefined. Looks into lists and maps too. */
export function credentialKind(value: unknown, depth = 0): string | undefined {
  if (typeof value === "string") return CREDENTIAL_SHAPES.find((s) => s.test.test(value))?.kind;
  if (depth > 8 || value === null || typeof value !== "object") return undefined;
  for (const v of Array.isArray(value) ? value : Object.values(value as Record<string, unknown>)) {
    const kind = credentialKind(v, depth + 1);
    if (kind) return kind;
  }
  return undefined;
}

/** The stand-in printed instead of a credential-looking value. */
export function redacted(kind: string): string {
  return `<a ${kind}, not shown>`;
}
