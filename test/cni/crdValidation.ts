/**
 * Validating objects against CRD schemas the way the API server does, with Ajv: Kubernetes
 * formats accepted, and Go RE2 patterns translated where JavaScript differs (`(?i)` case
 * folding, which JavaScript has only as a whole-pattern flag).
 */
import Ajv, { type ValidateFunction } from "ajv";

/** Rewrites a leading or inline `(?i)` into explicit character classes (`a` → `[aA]`). */
function fromRe2(pattern: string): string {
  const at = pattern.indexOf("(?i)");
  if (at < 0) return pattern;
  const rest = pattern.slice(at + 4).replace(/\\.|\[[^\]]*\]|[a-zA-Z]/g, (t) => (t.length === 1 ? `[${t.toLowerCase()}${t.toUpperCase()}]` : t));
  return pattern.slice(0, at) + rest;
}

function translate(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(translate);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === "pattern" && typeof v === "string" ? fromRe2(v) : k === "enum" || k === "default" ? v : translate(v)]));
}

/** Compiles an openAPIV3Schema into a validator. */
export function compileCrdSchema(schema: unknown): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const format of ["int32", "int64", "date-time", "byte", "duration", "uri", "cidr", "ipv4", "ipv6", "hostname"]) ajv.addFormat(format, true);
  return ajv.compile(translate(schema) as object);
}
