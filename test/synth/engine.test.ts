import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { SECRET_PLACEHOLDER, synthesize } from "../../synth/engine";

class Box extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("canalkit:test:Box", name, {}, opts);
    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: "10.0.0.0/16" }, { parent: this });
    new aws.ec2.Subnet(`${name}-subnet`, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24", tags: { token: pulumi.secret("s3cr3t") } }, { parent: this });
    this.registerOutputs({});
  }
}

describe("synthesize", () => {
  it("records parents, dependencies, masked secrets and deterministic ids", async () => {
    const run = () => synthesize(() => {
      new Box("a");
      return { token: pulumi.secret("hidden"), plain: pulumi.output("shown") };
    }, { stack: "t" });
    const first = await run();
    const box = first.resources.find((r) => r.type === "canalkit:test:Box")!;
    const vpc = first.resources.find((r) => r.type === "aws:ec2/vpc:Vpc")!;
    const subnet = first.resources.find((r) => r.type === "aws:ec2/subnet:Subnet")!;
    expect(first.resources[0]!.type).toBe("pulumi:pulumi:Stack");
    expect(vpc.parent).toBe(box.urn);
    expect(subnet.dependsOn).toContain(vpc.urn);
    expect(subnet.inputs["vpcId"]).toBe(vpc.id);
    expect(vpc.id).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect((subnet.inputs["tags"] as any).token).toBe(SECRET_PLACEHOLDER);
    expect(JSON.stringify(first)).not.toContain("s3cr3t");
    expect(first.outputs).toEqual({ token: SECRET_PLACEHOLDER, plain: "shown" });
    const second = await run();
    expect(second.resources.map((r) => [r.urn, r.id])).toEqual(first.resources.map((r) => [r.urn, r.id]));
  });

  it("rejects with the program's error", async () => {
    await expect(synthesize(() => { throw new Error("bad input: network.vpcCidr"); })).rejects.toThrow(/network.vpcCidr/);
  });

  it("answers availability-zone lookups from config and refuses unknown lookups", async () => {
    const result = await synthesize(async () => {
      const azs = await aws.getAvailabilityZones({});
      return { azs: azs.names };
    }, { lookups: { availabilityZones: { "us-east-1": ["us-east-1a", "us-east-1c"] } } });
    expect(result.outputs["azs"]).toEqual(["us-east-1a", "us-east-1c"]);
    await expect(synthesize(async () => { await aws.ec2.getAmi({ owners: ["amazon"] }); })).rejects.toThrow(/no answer for the lookup/);
  });
});
