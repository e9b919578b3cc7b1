/**
 * Validates a stack's `canalkit:` config and reports every problem by its key path as written in
 * `Pulumi.<stack>.yaml`, with the bad value and what is allowed.
 */
import type { z } from "zod";
import { CanalkitInputError, underPath } from "../../components/errors";
import { stackConfigSchema, type StackConfig } from "./schema";

/** The Pulumi config namespace of the project. */
export const CONFIG_NAMESPACE = "canalkit";

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

/** Renders a zod path as a key path in the stack file: `canalkit:clusters[1].network.podCidr`. */
export function configKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  path.forEach((part, i) => {
    if (i === 0) out = `${CONFIG_NAMESPACE}:${String(part)}`;
    else if (typeof part === "number") out += `[${part}]`;
    else out += `.${String(part)}`;
  });
  return out || CONFIG_NAMESPACE;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** What a zod issue says is allowed, in words. */
function allowed(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value":
      return `use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_type":
      return `give a ${issue.expected}`;
    case "unrecognized_keys":
      return `remove ${issue.keys.join(", ")} (unknown keys); see docs/configuration.md for the keys that exist`;
    case "too_small":
      return `give at least ${String(issue.minimum)}${issue.origin === "array" ? " entries" : ""}`;
    case "too_big":
      return `give at most ${String(issue.maximum)}${issue.origin === "array" ? " entries" : ""}`;
    case "invalid_format":
      return issue.message;
    case "invalid_union":
      return "give one of the forms described in docs/configuration.md";
    default:
      return issue.message;
  }
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

/** Validates the parsed `canalkit:` config object; throws `StackConfigError` listing every problem. */
export function validateStackConfig(raw: Record<string, unknown>): StackConfig {
  const result = stackConfigSchema.safeParse(raw);
  if (result.success) {
    checkCrossFields(result.data);
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
    const value = issue.code === "unrecognized_keys" ? valueAt(raw, path) : valueAt(raw, issue.path);
    const problem = issue.code === "unrecognized_keys" ? "is not a known key" : issue.code === "invalid_value" || issue.code === "invalid_format" ? "is not allowed" : issue.message;
    return new CanalkitInputError(configKeyPath(path), value, problem, allowed(issue));
  });
  throw new StackConfigError(problems);
}

/** Rules across entries that no single field's schema can state. */
function checkCrossFields(config: StackConfig): void {
  const problems: CanalkitInputError[] = [];
  config.clusters.forEach((c, i) => {
    const first = config.clusters.findIndex((o) => o.name === c.name);
    if (first !== i) {
      problems.push(new CanalkitInputError(configKeyPath(["clusters", i, "name"]), c.name, `is also the name of canalkit:clusters[${first}]`, "give every cluster a unique name"));
    }
  });
  if (problems.length > 0) throw new StackConfigError(problems);
}

/**
 * Runs `fn` and re-labels any `CanalkitInputError` it throws with the key path of the config
 * entry it came from, so planner errors point into the stack file.
 */
export function atConfigPath<T>(prefix: readonly PropertyKey[], fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CanalkitInputError) {
      throw underPath(configKeyPath(prefix), err);
    }
    throw err;
  }
}
