/**
 * `docs/api.md`: the API reference of the `canalkit` package, generated from the TSDoc of every
 * symbol its entry points export (with the TypeScript compiler, no extra tool), grouped by module.
 * Regenerate: `npx ts-node -T -e 'process.stdout.write(require("./docs/apiReference").renderApiReference())' > docs/api.md`.
 */
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** The package's entry points: import path → source file. */
const ENTRY_POINTS: Record<string, string> = {
  canalkit: "components/index.ts",
  "canalkit/policies": "policies/api.ts",
  "canalkit/synth": "synth/engine.ts",
};

function kindOf(symbol: ts.Symbol): string {
  const flags = symbol.flags;
  if (flags & ts.SymbolFlags.Class) return "class";
  if (flags & ts.SymbolFlags.Interface) return "interface";
  if (flags & ts.SymbolFlags.TypeAlias) return "type";
  if (flags & ts.SymbolFlags.Function) return "function";
  if (flags & ts.SymbolFlags.Enum) return "enum";
  return "const";
}

function summary(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, " ").trim();
}

/** Renders the reference page. */
export function renderApiReference(): string {
  const program = ts.createProgram(Object.values(ENTRY_POINTS).map((f) => path.join(ROOT, f)), { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, strict: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const lines = [
    "# API reference",
    "",
    "<!-- Generated from the TSDoc of the exported symbols by docs/apiReference.ts; a test keeps it in sync. -->",
    "",
    "Every symbol the package exports, by entry point and by the module that defines it. Each line is",
    "the symbol's TSDoc summary; the source file has the details.",
  ];
  for (const [entry, file] of Object.entries(ENTRY_POINTS)) {
    const source = program.getSourceFile(path.join(ROOT, file))!;
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    const byModule = new Map<string, string[]>();
    const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.getName().localeCompare(b.getName()));
    for (const exported of exports) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declaration = symbol.declarations?.[0];
      if (!declaration) continue;
      const where = path.relative(ROOT, declaration.getSourceFile().fileName).replace(/\\/g, "/");
      const module = path.dirname(where);
      const text = summary(symbol, checker) || "(no summary)";
      byModule.set(module, [...(byModule.get(module) ?? []), `- \`${exported.getName()}\` (${kindOf(symbol)}, \`${path.basename(where)}\`) — ${text}`]);
    }
    lines.push("", `## \`${entry}\``);
    for (const [module, entries] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) lines.push("", `### ${module}`, "", ...entries);
  }
  return lines.join("\n") + "\n";
}
