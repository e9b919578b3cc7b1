/**
 * The same-resources floor registers what the kit registered: same types, names, parents, and also
 * the explicit providers, dependencies, resource options, secret inputs and components' inputs and
 * outputs and the stack's outputs (so the floor pays for them as the kit does); a secret recorded by
 * shape goes to the engine with as many bytes and none of its content.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { replayInputs, replayResources, replayStackOutputs } from "../../bench/replay";
import { synthesize, type SynthResource } from "../../synth/engine";

/** A component that registers facts as its inputs and publishes outputs, as the kit's do. */
class Holder extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Holder", name, { region: "us-west-2", members: [{ name: "a", kubeconfig: pulumi.secret("kc") }] });
    this.registerOutputs({ clusterKeys: { a: "r/z/g/a" }, token: pulumi.secret("t") });
  }
}

/** A resource without a typed class (as the kit's dynamic resources and custom objects are). */
class Recorded extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super("test:index:Recorded", name, props, opts);
  }
}

const shape = (r: SynthResource) => ({ urn: r.urn, parent: r.parent, provider: r.provider?.split("::").slice(0, -1).join("::") ?? null, dependsOn: [...r.dependsOn].sort(), options: r.options, inputs: r.inputs, ...(r.custom ? {} : { outputs: r.outputs }) });

describe("same-resources replay", () => {
  it("replays providers, dependencies, options, secrets and components' inputs and outputs as recorded", async () => {
    const recorded = await synthesize(() => {
      const holder = new Holder("h");
      const provider = new aws.Provider("west", { region: "us-west-2" }, { parent: holder });
      const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16" }, { parent: holder, provider, protect: true, ignoreChanges: ["tags"] });
      const subnet = new aws.ec2.Subnet("s", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" }, { parent: holder, provider, deleteBeforeReplace: true });
      new aws.ssm.Parameter("p", { type: "SecureString", value: pulumi.secret("hunter2") }, { provider, dependsOn: [subnet], retainOnDelete: true });
      new Recorded("r", { a: 1 }, { parent: holder, deletedWith: vpc, replaceOnChanges: ["a"], additionalSecretOutputs: ["b"] });
    });
    const replayed = await synthesize(() => void replayResources(recorded.resources));
    expect(replayed.resources.map(shape)).toEqual(recorded.resources.map(shape));
    const parameter = replayed.resources.find((r) => r.name === "p")!;
    expect(parameter.inputs["value"]).toBe("[secret]");
    const inputs = await synthesize(async () => {
      const value = replayInputs(recorded.resources.find((r) => r.name === "p")!)["value"] as pulumi.Output<string>;
      return { secret: await pulumi.isSecret(value), type: replayInputs(recorded.resources.find((r) => r.name === "p")!)["type"] };
    });
    expect(inputs.outputs).toEqual({ secret: true, type: "SecureString" });
    expect(parameter.dependsOn.length).toBeGreaterThan(0);
  });

  it("sends secrets recorded by shape with as many bytes, and exports the stack's outputs", async () => {
    const kubeconfig = "apiVersion: v1\nclusters: [] # hunter2";
    const program = () => {
      new Recorded("r", { members: pulumi.secret([{ name: "a", kubeconfig, port: 6443 }]) }, {});
      return { endpoint: "https://a.example", kubeconfig: pulumi.secret(kubeconfig) };
    };
    const recorded = await synthesize(program, { recordSecretShapes: true });
    const record = JSON.stringify(recorded.resources);
    expect(record).not.toContain("hunter2");
    const members = recorded.resources.find((r) => r.name === "r")!.inputs["members"];
    expect(members).toEqual({ "[secret]": [{ name: "x", kubeconfig: "x".repeat(kubeconfig.length), port: 0 }] });
    const replayed = await synthesize(() => {
      replayResources(recorded.resources);
      return replayStackOutputs(recorded.resources);
    }, { recordSecretShapes: true });
    // As many bytes, still secret: the replay's record of the secret is the same shape again.
    expect(replayed.resources.find((r) => r.name === "r")!.inputs["members"]).toEqual(members);
    expect(replayed.outputs).toEqual({ endpoint: "https://a.example", kubeconfig: "[secret]" });
    expect(replayed.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.outputs).toEqual(recorded.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.outputs);
  });
});
