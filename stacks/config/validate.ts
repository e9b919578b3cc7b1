/**
 * Validates a stack's `canalkit:` config and reports every problem by its key path as written in
 * `Pulumi.<stack>.yaml`, with the bad value (never a credential) and a fix the schema accepts.
 */
import { CanalkitInputError } from "../../components/errors";
import { credentialKind } from "../../components/credentials";
import { crossKeyProblems, stackConfigWarnings } from "./crossChecks";
import { CONFIG_NAMESPACE, configKeyPath, schemaProblems } from "./messages";
import { stackConfigSchema, type StackConfig } from "./schema";
import { stackKeyOf, valueAtStackKey } from "./keyPaths";

export { CONFIG_NAMESPACE, configKeyPath } from "./messages";

/**
 * The `canalkit:` keys of a flat Pulumi config map (as `PULUMI_CONFIG` carries it) as one object;
 * structured values arrive JSON-encoded, plain strings stay strings.
 */
export function canalkitConfigObject(flat: Record<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(flat)) {
    const [namespace, name] = key.split(":");
    if (namespace !== CONFIG_NAMESPACE || !name) continue;
    try {
      raw[name] = JSON.parse(text);
    } catch {
      raw[name] = text;
    }
  }
  return raw;
}

/** Validation failure holding every problem found, one line each. */
export class StackConfigError extends Error {
  /** The individual problems; each names its key, value and fix. */
  readonly problems: CanalkitInputError[];
  constructor(problems: CanalkitInputError[]) {
    super(`invalid stack config:\n${problems.map((p) => `  - ${p.message}`).join("\n")}`);
    this.name = "StackConfigError";
    this.problems = problems;
  }
}

/** Options of `validateStackConfig`. */
export interface ValidateOptions {
  /** Fully qualified keys (`canalkit:x`) whose values came encrypted (`secure:`). */
  secretKeys?: readonly string[];
}

/**
 * The message for a credential-looking value stored in clear at `field`; the command stores it
 * encrypted at the same place (`--path` for an entry inside a structured value).
 */
function credentialInClear(field: string, kind: string): CanalkitInputError {
  const nested = /[.[]/.test(field.slice(field.indexOf(":") + 1));
  const command = nested ? `pulumi config set --secret --path '${field}' <value>` : `pulumi config set --secret ${field}`;
  return new CanalkitInputError(
    field,
    "(not shown)",
    `holds what looks like ${/^[aeiouAEIOU]/.test(kind) ? "an" : "a"} ${kind} in clear in the stack file (and would end up in logs and CI output)`,
    `remove it from the stack file and rotate the credential; if a program needs it, store it encrypted with \`${command}\``,
  );
}

/** Paths of credential-looking strings under a value. */
function credentialPaths(value: unknown, path: PropertyKey[] = [], depth = 0): { path: PropertyKey[]; kind: string }[] {
  if (typeof value === "string") {
    const kind = credentialKind(value);
    return kind ? [{ path, kind }] : [];
  }
  if (depth > 8 || value === null || typeof value !== "object") return [];
  return Array.isArray(value)
    ? value.flatMap((v, i) => credentialPaths(v, [...path, i], depth + 1))
    : Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => credentialPaths(v, [...path, k], depth + 1));
}

/** Validates the parsed `canalkit:` config object; throws `StackConfigError` listing every problem. */
export function validateStackConfig(raw: Record<string, unknown>, options: ValidateOptions = {}): StackConfig {
  const secret = new Set(options.secretKeys ?? []);
  // A credential in clear is the first thing to say, and no other message may show it.
  const credentials = Object.entries(raw)
    .filter(([k]) => !secret.has(`${CONFIG_NAMESPACE}:${k}`))
    .flatMap(([k, v]) => credentialPaths(v, [k]));
  const credentialErrors = credentials.map((c) => credentialInClear(configKeyPath(c.path), c.kind));
  const hidden = credentials.map((c) => configKeyPath(c.path));
  const covered = (field: string) => hidden.some((h) => field === h || field.startsWith(`${h}.`) || field.startsWith(`${h}[`));

  const result = stackConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new StackConfigError([...credentialErrors, ...schemaProblems(result.error.issues, raw).filter((e) => !covered(e.field))]);
  }
  const problems = [...credentialErrors, ...crossKeyProblems(result.data).filter((e) => !covered(e.field))];
  if (problems.length > 0) throw new StackConfigError(problems);
  return result.data;
}

/**
 * Checks the keys of the stack file outside `canalkit:`: a credential in clear anywhere is an
 * error (named, never shown), and `kubernetes:kubeconfig` — which the kit never reads, every
 * Kubernetes object going through its own cluster's provider — is an error in clear and a
 * warning when encrypted. Returns the warnings; throws `StackConfigError` on errors.
 */
export function checkOtherNamespaces(flat: Record<string, string>, secretKeys: readonly string[] = []): string[] {
  const secret = new Set(secretKeys);
  const problems: CanalkitInputError[] = [];
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(flat)) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    if (key === "kubernetes:kubeconfig") {
      if (secret.has(key)) {
        warnings.push("kubernetes:kubeconfig is set, but canalkit never uses it: every Kubernetes object goes to its own cluster through that cluster's provider. Remove it with `pulumi config rm kubernetes:kubeconfig`.");
      } else {
        problems.push(new CanalkitInputError(
          key,
          "(not shown)",
          "holds a kubeconfig in clear in the stack file, and canalkit never uses it (every Kubernetes object goes to its own cluster through that cluster's provider)",
          "remove it (`pulumi config rm kubernetes:kubeconfig`) and rotate the credentials it holds; if another program needs it, store it encrypted with `pulumi config set --secret kubernetes:kubeconfig`",
        ));
      }
      continue;
    }
    if (secret.has(key)) continue;
    const kind = credentialKind(value);
    if (kind) problems.push(credentialInClear(key, kind));
  }
  if (problems.length > 0) throw new StackConfigError(problems);
  return warnings;
}

/**
 * Runs `fn` and re-labels any `CanalkitInputError` it throws with the key of the stack file it
 * came from: `prefix` is the config entry the component was built from, and component paths
 * that do not exist in the file (`clusterSet.members[1].vpcCidr`) are mapped to the ones that do.
 */
export function atConfigPath<T>(prefix: readonly PropertyKey[], fn: () => T, config?: StackConfig): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CanalkitInputError) {
      const field = stackKeyOf(prefix, err.field, config);
      // A field the mapping moved (a component's own path) shows the value the user wrote there.
      const moved = field !== `${configKeyPath(prefix)}.${err.field}`;
      const written = moved && config ? valueAtStackKey(config, field) : undefined;
      throw new CanalkitInputError(field, written !== undefined ? written : err.value, err.problem, err.fix);
    }
    throw err;
  }
}

/**
 * Everything the program checks in a stack's config before any resource exists, from the flat
 * `namespace:key` map the runtime carries: other namespaces, then the `canalkit:` keys. Returns
 * the validated config and the warnings to log; throws `StackConfigError`.
 */
export function validateFlatConfig(flat: Record<string, string>, secretKeys: readonly string[] = []): { config: StackConfig; warnings: string[] } {
  const warnings = checkOtherNamespaces(flat, secretKeys);
  const config = validateStackConfig(canalkitConfigObject(flat), { secretKeys });
  return { config, warnings: [...warnings, ...stackConfigWarnings(config)] };
}
