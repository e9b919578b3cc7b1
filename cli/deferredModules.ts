/**
 * Cold start of the `canalkit` command. Loading `@pulumi/pulumi` compiles TypeScript's compiler
 * (9 MB, for the closure serializer's function parser) and npm's Arborist (for the serializer's
 * code paths) although offline synth serializes no closure — the controllers register a lean
 * provider text. Those two modules are put in Node's module cache as stand-ins that load the real
 * module on first use, so a process that never serializes a closure never compiles them, and one
 * that does gets the real module transparently.
 */
import Module, { createRequire } from "node:module";

/** The modules the SDK loads eagerly but only its closure serializer uses. */
export const SERIALIZER_ONLY_MODULES = ["typescript", "@npmcli/arborist"] as const;

/**
 * Makes `specifier`, as `from` resolves it, load on first use. Returns false when the module is
 * already loaded or cannot be resolved (then nothing changes).
 */
export function deferModule(specifier: string, from: string): boolean {
  const load = createRequire(from);
  let filename: string;
  try {
    filename = load.resolve(specifier);
  } catch {
    return false;
  }
  const cache = require.cache;
  if (cache[filename]) return false;
  let real: Record<PropertyKey, unknown> | undefined;
  const actual = (): Record<PropertyKey, unknown> => {
    if (!real) {
      delete cache[filename];
      real = load(specifier) as Record<PropertyKey, unknown>;
    }
    return real;
  };
  const standIn = new Proxy({} as Record<PropertyKey, unknown>, {
    // Answering `__esModule` without loading keeps `__importStar(require(...))` lazy; the SDK only
    // reads named members of these modules.
    get: (_target, key) => (key === "__esModule" ? true : Reflect.get(actual(), key)),
    has: (_target, key) => Reflect.has(actual(), key),
    ownKeys: () => Reflect.ownKeys(actual()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(actual(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
  const stub = new Module(filename);
  stub.filename = filename;
  stub.loaded = true;
  stub.exports = standIn;
  cache[filename] = stub;
  return true;
}

/** Defers the SDK's serializer-only modules (resolved from the SDK, as it requires them). */
export function deferSerializerModules(): void {
  let sdk: string;
  try {
    sdk = require.resolve("@pulumi/pulumi");
  } catch {
    return;
  }
  for (const specifier of SERIALIZER_ONLY_MODULES) deferModule(specifier, sdk);
}
