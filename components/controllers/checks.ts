/**
 * Input checks shared by the controllers' `check`: a bound that is not a finite number in range
 * (`pollSeconds: 0`, a negative `repairAfterSeconds`, a string) would make a controller poll in a
 * tight loop or never stop, so it is refused before any call, naming the input.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A failure for `property` unless `value` is a finite number from `min` to `max` (`min` excluded when `minExcluded`). */
export function numberFailure(property: string, value: unknown, min: number, max: number, rule: string, minExcluded = false): pulumi.dynamic.CheckFailure | undefined {
  const ok = typeof value === "number" && Number.isFinite(value) && (minExcluded ? value > min : value >= min) && value <= max;
  return ok ? undefined : { property, reason: `${property} = ${JSON.stringify(value) ?? String(value)}: ${rule}` };
}

/** The failures for a wait's bounds: `timeoutSeconds` 1..3600 s, `pollSeconds` above 0 and at most the timeout. */
export function waitFailures(news: { timeoutSeconds?: unknown; pollSeconds?: unknown }): pulumi.dynamic.CheckFailure[] {
  const timeout = numberFailure("timeoutSeconds", news.timeoutSeconds, 0, 3600, "must be from 1 to 3600", true);
  const limit = typeof news.timeoutSeconds === "number" && !timeout ? news.timeoutSeconds : 3600;
  const poll = numberFailure("pollSeconds", news.pollSeconds, 0, limit, "must be positive and at most timeoutSeconds", true);
  return [timeout, poll].filter((f): f is pulumi.dynamic.CheckFailure => f !== undefined);
}
