/**
 * How an error leaving the stack program reaches the Pulumi program runner.
 *
 * The runner (`@pulumi/pulumi/cmd/run`) prints an ordinary error with
 * `util.inspect(err, { colors: true })`. Under the runner, stack frames inside the SDK are
 * source-mapped to paths such as `node_modules/@pulumi/resource.ts` (its maps point one directory
 * up), and Node's coloured inspect loops on a frame whose path has no `/` after the package scope
 * (nodejs/node#64011, fixed upstream by nodejs/node#64022, not in Node 20.20): it grows a string
 * until V8 refuses it, which took 25 s and 3 GB of heap on a quiet machine and minutes on a busy
 * one, before the runner fell back to plain text. Every error thrown by the program runs inside the
 * SDK's stack resource, so every one has such a frame.
 *
 * The runner prints a `RunError` as its message, and a `ResourceError` with `hideStack` as its
 * message against its resource, but it also renders every error it catches for its tracing span
 * with the same coloured inspect when the error has a stack (and as its message when it has none).
 * So the program hands the runner one of those two, carrying text the user can act on, with no
 * stack of its own.
 */
import * as pulumi from "@pulumi/pulumi";
import { CanalkitInputError } from "../components/errors";
import { StackConfigError } from "./config/validate";

/**
 * The error to hand the runner for `err`: bad input as its message alone (it names the key, the
 * value and the fix; a stack trace adds nothing), anything else as its message and stack, as
 * plain text. Values that are not errors are returned unchanged.
 */
export function runnerError(err: unknown): unknown {
  let out: Error;
  if (err instanceof CanalkitInputError || err instanceof StackConfigError) out = new pulumi.RunError(err.message);
  else if (pulumi.ResourceError.isInstance(err)) out = new pulumi.ResourceError(err.hideStack ? err.message : (err.stack ?? err.message), err.resource, true);
  else if (err instanceof Error) out = new pulumi.RunError(err.stack ?? `${err.name}: ${err.message}`);
  else return err;
  // No stack: the runner then renders the error as its message alone.
  out.stack = undefined;
  return out;
}
