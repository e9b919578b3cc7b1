/**
 * How the controllers' code reaches the engine. The SDK's `pulumi.dynamic.Resource` serializes the
 * provider object's closure into every resource's `__provider` input (about 18 KB each, stored
 * twice in state, slow to produce, and it `require`s deep package paths that the package's
 * `exports` map refuses). A controller instead registers under 200 bytes of text that, inside
 * the engine's dynamic-provider process, loads the real provider from the installed canalkit
 * package (`canalkit/controllers/engine`), resolved from that process's working directory — the
 * consumer program's directory, where `node_modules/canalkit` is.
 *
 * The text names the canalkit release that wrote it. The code that runs is always the installed
 * one; the release in state is what last applied the resource, so an upgrade shows as a change of
 * `__provider` and the engine entry reports it as an update (see `engineEntry.ts`).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** The package entry the engine's process loads the providers from. */
export const CONTROLLERS_ENTRY = "canalkit/controllers/engine";

/**
 * Environment variable naming another module to load the providers from (a path): the kit's own
 * tests and development use the TypeScript source (`components/controllers/engineEntry.ts`, with
 * ts-node registered in the provider process).
 */
export const CONTROLLERS_MODULE_ENV = "CANALKIT_CONTROLLERS_MODULE";

/** The dynamic resources the engine entry serves (every one the kit registers). */
export type ControllerKind = "ClusterJoin" | "ExportReconciler" | "VpcRouteReconciler" | "DefaultCniRemoval" | "MeshProbe" | "GatewayAddress" | "KubernetesVersionGuard";

let installedRelease: string | undefined;

/** The version of the canalkit package this code belongs to (its package.json, found upwards). */
export function canalkitRelease(): string {
  if (installedRelease) return installedRelease;
  // Source (components/controllers) and build (dist/components/controllers) sit at different depths.
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "canalkit" && manifest.version) return (installedRelease = manifest.version);
    } catch {
      // No package.json here; keep walking up.
    }
  }
  throw new Error(`canalkit: cannot find canalkit's package.json above ${__dirname}`);
}

const RELEASE_MARK = /^\/\/ canalkit@(\S+) /;

/** The release a `__provider` text names, or undefined for text the SDK's serializer wrote. */
export function releaseOfProviderText(text: unknown): string | undefined {
  return typeof text === "string" ? RELEASE_MARK.exec(text)?.[1] : undefined;
}

/**
 * The `__provider` text of a controller: a CommonJS module whose `handler()` loads the installed
 * provider. `require` there resolves from the process's working directory (the SDK compiles the
 * text with `require-from-string` and no file name).
 */
export function controllerProviderText(kind: ControllerKind, release: string = canalkitRelease()): string {
  // Kept short: state holds it twice (inputs and outputs) for every controller instance. The SDK's
  // provider host calls `handler()` once per process, when an operation first needs the provider.
  return (
    `// canalkit@${release} ${kind}\n` +
    `exports.handler=()=>require(process.env.${CONTROLLERS_MODULE_ENV}||"${CONTROLLERS_ENTRY}").controllerProvider("${kind}");\n`
  );
}

/**
 * Base of the controllers' resources: the same type token `pulumi.dynamic.Resource` gives
 * (`pulumi-nodejs:dynamic/canalkit:<kind>`, so URNs and the engine's plugin are unchanged), with
 * the lean provider text instead of a serialized closure.
 */
export abstract class ControllerResource extends pulumi.CustomResource {
  protected constructor(kind: ControllerKind, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(`pulumi-nodejs:dynamic/canalkit:${kind}`, name, { ...props, __provider: controllerProviderText(kind) }, opts);
  }
}
