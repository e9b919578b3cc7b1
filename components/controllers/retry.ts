/**
 * Retries for the controllers: transient failures (HTTP 409/429/5xx, timeouts, dropped
 * connections) are retried with exponential backoff and full jitter, within a bound; everything
 * else fails at once. Free of module-level state: the bound comes from the caller's deadline.
 */

import { currentDeadline } from "./deadline";

/** Retry bounds. */
export interface RetryOptions {
  /** Attempts in total. Default 6. */
  attempts?: number;
  /** First backoff in milliseconds. Default 200. */
  baseMs?: number;
  /** Largest backoff in milliseconds. Default 5000. */
  maxMs?: number;
}

/** The HTTP status of a Kubernetes or AWS client error, when it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.statusCode === "number") return e.statusCode;
  return e?.$metadata?.httpStatusCode;
}

/** Whether an error is worth retrying: conflicts, throttling, server errors and network failures. */
export function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined) return status === 409 || status === 429 || status >= 500;
  const text = `${(error as { code?: string })?.code ?? ""} ${(error as { cause?: { code?: string } })?.cause?.code ?? ""} ${(error as Error)?.message ?? ""}`;
  return /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR|socket hang up|timed out|fetch failed/i.test(text);
}

/** Runs `operation`, retrying transient failures with backoff and jitter; never sleeps past the deadline in force (`withDeadline`). */
export async function retryTransient<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      const ceiling = Math.min(max, base * 2 ** (attempt - 1));
      const pause = Math.random() * ceiling;
      const deadline = currentDeadline();
      if (deadline !== undefined && Date.now() + pause >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
