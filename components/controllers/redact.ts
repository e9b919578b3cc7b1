/**
 * Keeps credential material out of what the controllers say. A controller's error becomes the
 * failed operation's message in the engine's output and logs, so every error leaving a provider
 * method passes through `redactError`: the credential values of the kubeconfigs it was given are
 * cut out, and so is anything shaped like a credential (a `token:` / `client-key-data:` line, a PEM
 * block, a long base64 or JWT run) — parsers quote the lines around an error, shortened, so exact
 * matching alone is not enough.
 */

/** Kubeconfig keys whose values are credentials. */
const CREDENTIAL_KEYS = "token|id-token|refresh-token|access-token|client-key-data|client-certificate-data|client-key|client-certificate|password|client-secret|secret|tokenFile|token-file|auth|authorization";

/** The credential values in kubeconfig text (YAML or JSON), whether or not it parses. */
export function credentialValues(texts: readonly (string | undefined)[]): string[] {
  const values = new Set<string>();
  const pattern = new RegExp(`["']?(?:${CREDENTIAL_KEYS})["']?\\s*[:=]\\s*["']?([^\\s"',}\\]]+)`, "gi");
  for (const text of texts) {
    if (typeof text !== "string") continue;
    for (const match of text.matchAll(pattern)) if (match[1]!.length >= 4) values.add(match[1]!);
  }
  // Longest first, so a value that contains another is cut whole.
  return [...values].sort((a, b) => b.length - a.length);
}

/** `message` without the given secret values and without anything shaped like a credential. */
export function redact(message: string, secrets: readonly string[] = []): string {
  let out = message;
  for (const secret of secrets) {
    out = out.split(secret).join("[redacted]");
    // A parser's excerpt shows a shortened line: any 8 leading characters still identify it.
    if (secret.length > 8) out = out.split(secret.slice(0, 8)).join("[redacted]");
  }
  return out
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, "[redacted PEM block]")
    .replace(new RegExp(`(["']?(?:${CREDENTIAL_KEYS})["']?\\s*[:=]\\s*)[^\\n]*`, "gi"), "$1[redacted]")
    .replace(/\bBearer\s+\S+/gi, "Bearer [redacted]")
    .replace(/\beyJ[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]*){0,2}/g, "[redacted]")
    // Base64 key or certificate data: mixed case and digits (paths and names are not).
    .replace(/[A-Za-z0-9+/]{32,}={0,2}/g, (run) => (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) ? "[redacted]" : run));
}

/** An error to rethrow in place of `error`: same name and HTTP status, message redacted, no cause. */
export function redactError(error: unknown, secrets: readonly string[]): Error {
  const original = error as { message?: unknown; name?: unknown; code?: unknown; statusCode?: unknown };
  const safe = new Error(redact(String(original?.message ?? error), secrets));
  if (typeof original?.name === "string") safe.name = original.name;
  // Kept for callers that branch on them (retries, 404 handling); neither carries a credential.
  if (typeof original?.code === "number" || typeof original?.code === "string") Object.assign(safe, { code: original.code });
  if (typeof original?.statusCode === "number") Object.assign(safe, { statusCode: original.statusCode });
  // A partial failure's state (the engine records it): kept, with its reasons redacted too.
  const partial = error as { id?: unknown; properties?: unknown; reasons?: unknown };
  if (typeof partial?.id === "string" && partial.id !== "") {
    Object.assign(safe, { id: partial.id, properties: partial.properties, reasons: Array.isArray(partial.reasons) ? partial.reasons.map((r) => redact(String(r), secrets)) : [] });
  }
  return safe;
}

/** Runs a provider operation; any error it throws leaves with its credentials cut out. */
export async function withoutCredentials<T>(kubeconfigs: readonly (string | undefined)[], operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw redactError(error, credentialValues(kubeconfigs));
  }
}
