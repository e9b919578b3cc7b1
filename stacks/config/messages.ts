/**
 * Turns the schema validator's findings into messages about the stack file: the key as written,
 * the value, what is wrong in plain words and a fix the schema accepts — never the validator's
 * own wording. Unknown keys come first, with "did you mean …?", and the knock-on "missing" error
 * of the key they were meant to be is folded into them.
 */
import type { z } from "zod";
import { CanalkitInputError } from "../../components/errors";
import { stackConfigSchema } from "./schema";
import { editDistance } from "../../components/editDistance";

/** The Pulumi config namespace of the project. */
export const CONFIG_NAMESPACE = "canalkit";

/** Renders a zod path as a key path in the stack file: `canalkit:clusters[1].network.podCidr`. */
export function configKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  path.forEach((part, i) => {
    if (i === 0) out = `${CONFIG_NAMESPACE}:${String(part)}`;
    else if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(part))) out += `.${String(part)}`;
    else out += `[${JSON.stringify(String(part))}]`;
  });
  return out || CONFIG_NAMESPACE;
}

/** The value at a path of the raw config, or undefined. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

type Def = { type: string; innerType?: Schema; element?: Schema; valueType?: Schema; shape?: Record<string, Schema>; options?: Schema[]; in?: Schema };
type Schema = { _zod: { def: Def }; description?: string };

/** The object schema (strictObject) a path points into, unwrapping defaults, lists and maps. */
function schemaAt(path: readonly PropertyKey[]): { schema?: Schema; description?: string } {
  let s: Schema | undefined = stackConfigSchema as unknown as Schema;
  let description: string | undefined;
  const unwrap = () => {
    while (s) {
      description = s.description ?? description;
      const d: Def = s._zod.def;
      if (d.type === "default" || d.type === "optional" || d.type === "nullable" || d.type === "prefault") s = d.innerType;
      else if (d.type === "pipe") s = d.in;
      else break;
    }
  };
  unwrap();
  for (const p of path) {
    if (!s) return {};
    const d: Def = s._zod.def;
    description = undefined;
    if (d.type === "object" && typeof p === "string") s = d.shape?.[p];
    else if (d.type === "array" && typeof p === "number") s = d.element;
    else if (d.type === "record") s = d.valueType;
    else if (d.type === "union") s = d.options?.find((o) => o._zod.def.type === (typeof p === "number" ? "array" : "object"));
    else return {};
    unwrap();
    if (s?._zod.def.type === "union" && typeof p === "number") {
      s = s._zod.def.options?.find((o) => o._zod.def.type === "array")?._zod.def.element;
      unwrap();
    }
  }
  return { schema: s, description };
}

/** The keys an object at `path` may have. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const { schema } = schemaAt(path);
  return schema?._zod.def.type === "object" ? Object.keys(schema._zod.def.shape ?? {}) : [];
}

/** The schema's description of the key at `path`. */
export function descriptionAt(path: readonly PropertyKey[]): string | undefined {
  return schemaAt(path).description;
}

/** The closest candidate to a misspelling, if one is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");
  const same = candidates.find((c) => norm(c) === norm(word));
  if (same) return same;
  // A shortened name ("canalkit-imdsv2" for "canalkit-imdsv2-required") when only one fits.
  const longer = candidates.filter((c) => word.length >= 4 && norm(c).startsWith(norm(word)));
  if (longer.length === 1) return longer[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(norm(word), norm(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

/** Example values for keys, used in fixes for missing or mistyped keys (all accepted by the schema). */
const EXAMPLES: Record<string, string> = {
  environment: "dev",
  owner: "platform-team",
  clusters: "[{ name: dev-east, region: us-east-1, network: { vpcCidr: 10.10.0.0/16 }, eks: { nodeGroups: [{ name: general }] } }]",
  name: "general",
  region: "us-east-1",
  network: "{ vpcCidr: 10.12.0.0/16 }",
  vpcCidr: "10.12.0.0/16",
  podCidr: "100.64.0.0/16",
  serviceCidr: "172.20.0.0/16",
  eks: "{ nodeGroups: [{ name: general, instanceTypes: [m6i.large] }] }",
  nodeGroups: "[{ name: general, instanceTypes: [m6i.large], minSize: 2, maxSize: 4, desiredSize: 2 }]",
  instanceTypes: "[m6i.large]",
  availabilityZones: "[us-east-1a, us-east-1b] or 2",
  controlPlane: "the name of one of the stack's clusters",
  mode: "ActiveActive",
  namespace: "demo",
  ports: "[{ port: 8080 }]",
  port: "8080",
  exporters: "[{ cluster: dev-east }]",
  cluster: "the name of one of the stack's clusters",
  consumers: "[dev-east]",
  key: "dedicated",
  effect: "NO_SCHEDULE",
};

/** What a kind of value is called in a message. */
function kindName(expected: string): string {
  switch (expected) {
    case "array": return "a list";
    case "record":
    case "object": return "a map of keys to values";
    case "number":
    case "int": return "a number";
    case "boolean": return "true or false";
    case "string": return "text";
    default: return expected;
  }
}

/** What kind of value was given. */
function givenKind(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "empty (null)";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return "text";
  if (typeof value === "boolean") return "true/false";
  return `a ${typeof value}`;
}

/** A fix for a value of the wrong kind, built from the value when it can be. */
function retype(expected: string, value: unknown, key: string): string {
  const example = EXAMPLES[key];
  if (expected === "array" && value !== null && typeof value !== "object") return `write it as a list: [${String(value)}]`;
  if ((expected === "number" || expected === "int") && typeof value === "string" && /^\d+$/.test(value.trim())) return `write the number without quotes: ${key}: ${value.trim()}`;
  if (expected === "boolean" && typeof value === "string" && /^(true|false|yes|no|on|off)$/i.test(value)) return `write ${/^(true|yes|on)$/i.test(value) ? "true" : "false"} without quotes`;
  // YAML reads 1.30 as the number 1.3: quote the version as the user meant it.
  if (expected === "string" && key === "kubernetesVersion" && typeof value === "number") return `quote it: ${key}: "${value.toFixed(2)}"`;
  if (expected === "string" && (typeof value === "number" || typeof value === "boolean")) return `quote it: ${key}: "${String(value)}"`;
  return `give ${kindName(expected)}${example ? `, for example ${key}: ${example}` : ""}`;
}

/** One translated problem, with whether it is an unknown key (reported first). */
interface Translated {
  error: CanalkitInputError;
  unknownKey: boolean;
  /** For unknown keys: the key it was probably meant to be, at the same level. */
  meant?: { parent: string; key: string };
  /** For missing keys: the parent path and key. */
  missing?: { parent: string; key: string };
}

function translate(issue: z.core.$ZodIssue, raw: unknown): Translated[] {
  const keyOf = (path: readonly PropertyKey[]) => String(path[path.length - 1] ?? CONFIG_NAMESPACE);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        const known = knownKeysAt(issue.path);
        const guess = closest(key, known);
        const where = issue.path.length === 0 ? "canalkit:" : configKeyPath(issue.path);
        return {
          unknownKey: true,
          ...(guess ? { meant: { parent: configKeyPath(issue.path), key: guess } } : {}),
          error: new CanalkitInputError(
            configKeyPath(path),
            valueAt(raw, path),
            guess ? `is not a known key (did you mean ${guess}?)` : "is not a known key",
            guess ? `rename it to ${guess}` : `remove it; the keys of ${where} are ${known.join(", ")} (see docs/configuration.md)`,
          ),
        };
      });
    case "invalid_type": {
      const value = valueAt(raw, issue.path);
      const key = keyOf(issue.path);
      if (value === undefined) {
        const description = descriptionAt(issue.path);
        return [{
          unknownKey: false,
          missing: { parent: configKeyPath(issue.path.slice(0, -1)), key },
          error: new CanalkitInputError(configKeyPath(issue.path), undefined, "is missing", `add ${key}${EXAMPLES[key] ? `, for example ${key}: ${EXAMPLES[key]}` : ""}${description ? ` (${description})` : ""}`),
        }];
      }
      return [{ unknownKey: false, error: new CanalkitInputError(configKeyPath(issue.path), value, `is ${givenKind(value)}, but must be ${kindName(issue.expected)}`, retype(issue.expected, value, key)) }];
    }
    case "invalid_value": {
      const value = valueAt(raw, issue.path);
      const options = issue.values.map((v) => String(v));
      const guess = typeof value === "string" ? closest(value, options) : undefined;
      return [{ unknownKey: false, error: new CanalkitInputError(configKeyPath(issue.path), value, guess ? `is not allowed (did you mean ${guess}?)` : "is not allowed", guess ? `write ${guess}` : `use one of ${options.join(", ")}`) }];
    }
    case "too_small":
    case "too_big": {
      const value = valueAt(raw, issue.path);
      const bound = String(issue.code === "too_small" ? issue.minimum : issue.maximum);
      const list = issue.origin === "array";
      const problem = list ? `has ${Array.isArray(value) ? value.length : 0} entries, but needs ${issue.code === "too_small" ? "at least" : "at most"} ${bound}` : `must be ${issue.code === "too_small" ? "at least" : "at most"} ${bound}`;
      const key = keyOf(issue.path);
      const fix = list ? (issue.code === "too_small" ? `list at least ${bound}${EXAMPLES[key] ? `, for example ${key}: ${EXAMPLES[key]}` : ""}` : `list at most ${bound}`) : `use a value of ${issue.code === "too_small" ? "at least" : "at most"} ${bound}`;
      return [{ unknownKey: false, error: new CanalkitInputError(configKeyPath(issue.path), value, problem, fix) }];
    }
    case "invalid_format":
      return [{ unknownKey: false, error: new CanalkitInputError(configKeyPath(issue.path), valueAt(raw, issue.path), "is not allowed", `use ${issue.message}`) }];
    case "invalid_union": {
      const key = keyOf(issue.path);
      const description = descriptionAt(issue.path);
      return [{ unknownKey: false, error: new CanalkitInputError(configKeyPath(issue.path), valueAt(raw, issue.path), "has neither of the accepted forms", `give ${EXAMPLES[key] ? `${key}: ${EXAMPLES[key]}` : "one of the forms in docs/configuration.md"}${description ? ` (${description})` : ""}`) }];
    }
    default:
      return [{ unknownKey: false, error: new CanalkitInputError(configKeyPath(issue.path), valueAt(raw, issue.path), "is not allowed", "see docs/configuration.md for the values this key takes") }];
  }
}

/**
 * The schema's issues as stack-file messages: unknown keys first; a "missing" error dropped when an
 * unknown key at the same level was evidently meant to be it.
 */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], raw: unknown): CanalkitInputError[] {
  const all = issues.flatMap((i) => translate(i, raw));
  const meant = new Set(all.filter((t) => t.meant).map((t) => `${t.meant!.parent}|${t.meant!.key}`));
  const kept = all.filter((t) => !(t.missing && meant.has(`${t.missing.parent}|${t.missing.key}`)));
  return [...kept.filter((t) => t.unknownKey), ...kept.filter((t) => !t.unknownKey)].map((t) => t.error);
}
