/**
 * The errors the stack program hands the Pulumi program runner, checked with the runner's own
 * renderer (`defaultErrorMessage` in `@pulumi/pulumi/cmd/run/error`), which it applies to every
 * error it catches: an error with a stack goes through `util.inspect(err, { colors: true })`, one
 * without is rendered as its message.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { CanalkitInputError } from "../../components/errors";
import { StackConfigError } from "../../stacks/config/validate";
import { runnerError } from "../../stacks/runnerError";

/* eslint-disable @typescript-eslint/no-require-imports */
const { defaultErrorMessage } = require("@pulumi/pulumi/cmd/run/error.js") as { defaultErrorMessage: (err: unknown) => string };

/** A stack as the runner sees it: the SDK's frames source-mapped one directory above the package. */
function underTheRunner<E extends Error>(err: E): E {
  err.stack = `${err.name}: ${err.message}\n    at defineStack (/project/stacks/program.ts:220:37)\n    at async Stack.initializeAndRegisterOutputs (/project/node_modules/@pulumi/resource.ts:1598:22)`;
  return err;
}

describe("errors leaving the stack program", () => {
  it("hands bad input to the runner as its message, with no stack to inspect", () => {
    const input = underTheRunner(new StackConfigError([new CanalkitInputError("canalkit:clusters[1].network.topology", "geneve", "is not allowed", 'use one of "vxlan"')]));
    const out = runnerError(input) as Error;
    expect(pulumi.RunError.isInstance(out)).toBe(true);
    expect(out.stack).toBeUndefined();
    expect(defaultErrorMessage(out)).toBe(input.message);
    expect(defaultErrorMessage(out)).toContain('canalkit:clusters[1].network.topology = "geneve"');

    const single = runnerError(underTheRunner(new CanalkitInputError("canalkit:clusterSet.controlPlane", "east", "is not a cluster of the stack", "use one of west"))) as Error;
    expect(defaultErrorMessage(single)).toBe('canalkit:clusterSet.controlPlane = "east": is not a cluster of the stack. Fix: use one of west');
  });

  it("keeps an unexpected error's stack as plain text in the message", () => {
    const bug = underTheRunner(new TypeError("cannot read properties of undefined (reading 'region')"));
    const out = runnerError(bug) as Error;
    expect(pulumi.RunError.isInstance(out)).toBe(true);
    expect(out.stack).toBeUndefined();
    expect(defaultErrorMessage(out)).toBe(bug.stack);
  });

  it("keeps a resource error's resource, hiding its stack", () => {
    const resource = { urn: "urn:pulumi:dev::canalkit::x::y" } as unknown as pulumi.Resource;
    const out = runnerError(underTheRunner(new pulumi.ResourceError("no subnets", resource, true))) as pulumi.ResourceError;
    expect(pulumi.ResourceError.isInstance(out)).toBe(true);
    expect(out.resource).toBe(resource);
    expect(out.hideStack).toBe(true);
    expect(out.stack).toBeUndefined();
    expect(defaultErrorMessage(out)).toBe("no subnets");
  });

  it("leaves values that are not errors as they are", () => {
    expect(runnerError("plain string")).toBe("plain string");
  });
});
