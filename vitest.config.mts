import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The examples import the published package name; in tests it is the kit's own source.
  resolve: { alias: [{ find: /^canalkit$/, replacement: fileURLToPath(new URL("./components/index.ts", import.meta.url)) }] },
  test: {
    include: ["test/**/*.test.ts"],
    // Each file runs in its own process: the Pulumi SDK keeps its runtime state on globalThis.
    pool: "forks",
    isolate: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
