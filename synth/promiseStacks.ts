/**
 * The SDK's promise bookkeeping without its stack capture, for processes the kit runs itself
 * (`canalkit synth`, the benchmarks). `debuggablePromise` stores `new Error().stack` on every
 * promise it tracks — four per output property of every resource — and reads it only to print
 * leaked promises under `PULUMI_DEBUG_PROMISE_LEAKS`. Formatting those stacks is a large share of
 * evaluation CPU and of the heap. Here each capture runs with `Error.stackTraceLimit = 0`; every
 * other error keeps its full stack (the limit is restored before the call returns), so errors the
 * program raises read the same. With `PULUMI_DEBUG_PROMISE_LEAKS` set nothing changes.
 */

type Debuggable = { debuggablePromise: (p: Promise<unknown>, ctx?: unknown) => Promise<unknown> };

/** Turns the capture off; returns a function that turns it back on. */
export function withoutPromiseStacks(): () => void {
  if (process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) return () => {};
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
  const original = debuggable.debuggablePromise;
  debuggable.debuggablePromise = function leanDebuggablePromise(p, ctx) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  return () => {
    debuggable.debuggablePromise = original;
  };
}
