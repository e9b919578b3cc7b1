import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Not a speed limit: tests wait on events, never on the clock. This only turns a hang into a
 * failure that names the test. It equals the whole suite's budget on a busy two-core machine
 * (README), so a correct test on a slow machine never meets it.
 */
const HANG_GUARD_MS = 10 * 60_000;

export default defineConfig({
  // The examples import the published package name; in tests it is the kit's own source.
  resolve: { alias: [{ find: /^canalkit$/, replacement: fileURLToPath(new URL("./components/index.ts", import.meta.url)) }] },
  test: {
    include: ["test/**/*.test.ts"],
    // Each file runs in its own process: the Pulumi SDK keeps its runtime state on globalThis.
    pool: "forks",
    isolate: true,
    // One process per core (vitest's default leaves one core to itself, which on two cores halves
    // the suite's share of the machine; its own process mostly waits).
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: HANG_GUARD_MS,
    hookTimeout: HANG_GUARD_MS,
  },
});
