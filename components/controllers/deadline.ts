/**
 * Deadlines for the controllers' waits. A wait (a join, an export's propagation, aws-node's pods
 * going away) runs its reads inside `withDeadline`; every Kubernetes request made under it is
 * aborted when the deadline passes (or after `REQUEST_TIMEOUT_MS`, whichever comes first), and
 * retries stop before it. Carried by AsyncLocalStorage so the API clients, shared between the
 * resources of a deployment, need no per-call plumbing.
 */
import type { AsyncLocalStorage } from "node:async_hooks";

/** The longest any single Kubernetes request may take, deadline or not. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The process-wide store under a global symbol, looked up at call time, so every copy of this
 * module loaded in one provider process shares it.
 */
function store(): AsyncLocalStorage<{ deadline: number }> {
  const key = Symbol.for("canalkit.controllers.deadline");
  const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<{ deadline: number }> | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (holder[key] ??= new (require("node:async_hooks") as typeof import("node:async_hooks")).AsyncLocalStorage());
}

/** Runs `operation` with a deadline (epoch milliseconds); an outer, earlier deadline still holds. */
export function withDeadline<T>(deadline: number, operation: () => Promise<T>): Promise<T> {
  const outer = store().getStore()?.deadline;
  return store().run({ deadline: outer !== undefined ? Math.min(outer, deadline) : deadline }, operation);
}

/** The deadline in force, or undefined. */
export function currentDeadline(): number | undefined {
  return store().getStore()?.deadline;
}

/** How long the next request may take: the request bound, cut to the deadline in force. */
export function requestBudgetMs(now = Date.now()): number {
  const deadline = currentDeadline();
  return Math.max(0, Math.min(REQUEST_TIMEOUT_MS, deadline === undefined ? REQUEST_TIMEOUT_MS : deadline - now));
}

/** The error a request gets when it had no answer in time (transient: `ETIMEDOUT`). */
export function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no answer from the API server within ${Math.round(ms) / 1000}s (request timed out)`), { code: "ETIMEDOUT" });
}
