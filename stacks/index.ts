/**
 * Entry point `pulumi up` loads (Pulumi.yaml `main: stacks/`). The Node runner calls an exported
 * function and uses what it returns as the stack outputs.
 */
import { defineStack } from "./program";
import { runnerError } from "./runnerError";

/** Runs the stack program; its errors reach the runner as text it prints at once (see `runnerError`). */
async function runStack(): Promise<Record<string, unknown>> {
  try {
    return await defineStack();
  } catch (err) {
    throw runnerError(err);
  }
}

export = runStack;
