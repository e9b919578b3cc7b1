/**
 * Reads a stack config file (`stacks/Pulumi.<stack>.yaml`, or any file of that format) into the
 * flat `namespace:key` → string map the Pulumi runtime carries in `PULUMI_CONFIG`.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** A stack's config as the runtime sees it. */
export interface FlatConfig {
  /** `namespace:key` → value (structured values JSON-encoded, as Pulumi encodes them). */
  values: Record<string, string>;
  /** Keys holding `secure:` values. */
  secretKeys: string[];
}

/**
 * Offline stand-in for an encrypted `secure:` value: synth cannot decrypt it (that needs the
 * stack's secrets provider), so it passes a marked placeholder, treated as a secret throughout.
 */
export function offlineSecretValue(key: string): string {
  return `offline-secret:${key}`;
}

function replaceSecure(key: string, value: unknown, found: { secret: boolean }): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceSecure(key, v, found));
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj["secure"] === "string") {
      found.secret = true;
      return offlineSecretValue(key);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, replaceSecure(key, v, found)]));
  }
  return value;
}

/** Parses the text of a stack config file; keys without a namespace belong to `project`. */
export function parseStackConfig(text: string, project: string, source: string): FlatConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    // The parser's message quotes the lines around the error; they may hold a credential, so
    // only its first line (what and where) is passed on.
    throw new Error(`${source}: not valid YAML: ${(err as Error).message.split("\n")[0]!.replace(/:$/, "")}`);
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === undefined || config === null) return { values: {}, secretKeys: [] };
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new Error(`${source}: 'config' must be a map of keys to values, as in stacks/Pulumi.dev.yaml`);
  }
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(config as Record<string, unknown>)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    const found = { secret: false };
    const value = replaceSecure(key, rawValue, found);
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (found.secret) secretKeys.push(key);
  }
  return { values, secretKeys };
}

/** Reads and parses a stack config file. */
export function readStackConfigFile(path: string, project: string): FlatConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`cannot read the stack config file ${path}`);
  }
  return parseStackConfig(text, project, path);
}
