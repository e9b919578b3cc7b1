/**
 * `docs/configuration.md`, generated from the stack config schema (the zod schema the program
 * validates with, rendered through its JSON Schema), so the reference cannot drift from the code.
 */
import { z } from "zod";
import { stackConfigSchema } from "./schema";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  pattern?: string;
  additionalProperties?: JsonSchema | boolean;
};

/** One documented key. */
export interface ConfigKey {
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" or ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "values"}`;
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") return `map of ${typeOf(s.additionalProperties)}`;
  // zod marks every integer with the safe-integer range; only real bounds are worth printing.
  const min = s.minimum !== undefined && Math.abs(s.minimum) < Number.MAX_SAFE_INTEGER ? s.minimum : undefined;
  const max = s.maximum !== undefined && Math.abs(s.maximum) < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  const bounds = min !== undefined || max !== undefined ? ` (${min ?? ""}–${max ?? ""})` : "";
  return `${Array.isArray(s.type) ? s.type.join("/") : (s.type ?? "any")}${bounds}`;
}

/** Every key of the schema, depth first, with list items as `[]`. */
export function configKeys(): ConfigKey[] {
  const root = z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const keys: ConfigKey[] = [];
  const walk = (schema: JsonSchema, prefix: string) => {
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      const path = prefix ? `${prefix}.${name}` : name;
      keys.push({ path, type: typeOf(child), required: (schema.required ?? []).includes(name) && child.default === undefined, ...(child.default !== undefined ? { default: child.default } : {}), description: child.description ?? "" });
      const nested = child.type === "array" ? child.items : child;
      if (nested?.properties) walk(nested, child.type === "array" ? `${path}[]` : path);
    }
  };
  walk(root, "");
  return keys;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown page. */
export function renderConfigurationDocs(): string {
  const rows = configKeys().map((k) => {
    const nestedDefaults = typeof k.default === "object" && k.default !== null && !Array.isArray(k.default) && Object.keys(k.default).length > 0;
    const fallback = k.default === undefined ? (k.required ? "required" : "—") : nestedDefaults ? "see its keys" : `\`${JSON.stringify(k.default)}\``;
    return `| \`canalkit:${k.path}\` | ${k.type.includes("\\|") ? k.type : cell(k.type)} | ${fallback} | ${cell(k.description)} |`;
  });
  return [
    "# Stack configuration",
    "",
    "<!-- Generated from stacks/config/schema.ts by stacks/config/docs.ts; a test keeps it in sync. -->",
    "",
    "Every key of the `canalkit:` namespace in `stacks/Pulumi.<stack>.yaml`. A wrong key or value stops",
    "`pulumi preview` and `canalkit synth` with the key path, the value and what is allowed. `[]` marks",
    "the items of a list.",
    "",
    "| key | type | default | meaning |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
