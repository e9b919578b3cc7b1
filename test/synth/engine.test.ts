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

describe("synthesize refuses what the engine refuses", () => {
  it("a URN registered twice, naming it", async () => {
    await expect(synthesize(() => {
      new aws.ec2.Vpc("same", { cidrBlock: "10.0.0.0/16" });
      new aws.ec2.Vpc("same", { cidrBlock: "10.1.0.0/16" });
    })).rejects.toThrow(/Duplicate resource URN 'urn:pulumi:dev::canalkit::pulumi:pulumi:Stack\$aws:ec2\/vpc:Vpc::same'/);
  });

  it("names the config key a duplicate comes from when the caller can tell", async () => {
    await expect(synthesize(() => {
      new Box("web");
      new Box("web");
    }, { explainRegistration: (r) => (r.name === "web" ? "It comes from canalkit:services[1].name (\"web\"), which repeats canalkit:services[0].name." : undefined) }))
      .rejects.toThrow(/Duplicate resource URN .*canalkit:test:Box::web.*canalkit:services\[1\]\.name/);
  });

  it("a dependency or parent that was never registered", async () => {
    // A stand-in for a resource no one registered, as a stale URN reference would be.
    const stale = new pulumi.DependencyResource("urn:pulumi:dev::canalkit::aws:ec2/vpc:Vpc::never");
    await expect(synthesize(() => {
      new aws.ec2.Subnet("s", { vpcId: "vpc-1", cidrBlock: "10.0.1.0/24" }, { dependsOn: [stale] });
    })).rejects.toThrow(/depends on a resource that was never registered: 'urn:pulumi:dev::canalkit::aws:ec2\/vpc:Vpc::never'/);
    await expect(synthesize(() => {
      new aws.ec2.Subnet("s", { vpcId: "vpc-1", cidrBlock: "10.0.1.0/24" }, { parent: stale });
    })).rejects.toThrow(/names a parent that was never registered/);
  });
});

describe("what synth records per resource", () => {
  it("the options that change what the engine does, and each resource's outputs", async () => {
    const result = await synthesize(() => {
      const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16" }, { protect: true, retainOnDelete: true, aliases: [{ name: "old-v" }] });
      new aws.ec2.Subnet("s", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" }, { deletedWith: vpc, deleteBeforeReplace: true, ignoreChanges: ["tags"] });
      new Box("b");
    });
    const vpc = result.resources.find((r) => r.name === "v")!;
    const subnet = result.resources.find((r) => r.name === "s")!;
    expect(vpc.options).toMatchObject({ protect: true, retainOnDelete: true, aliases: [{ name: "old-v" }] });
    expect(subnet.options).toMatchObject({ deletedWith: vpc.urn, deleteBeforeReplace: true, ignoreChanges: ["tags"], protect: false });
    expect(vpc.outputs).toMatchObject({ cidrBlock: "10.0.0.0/16", id: vpc.id, arn: expect.stringContaining(":vpc/") });
    // A component's outputs are what it registered ({} here), not its inputs.
    expect(result.resources.find((r) => r.type === "canalkit:test:Box")!.outputs).toEqual({});
  });
});

describe("transforms", () => {
  it("runs resource transforms on the resource and its descendants, then stack transforms, as the engine does", async () => {
    const result = await synthesize(() => {
      pulumi.runtime.registerResourceTransform(({ type, props, opts }) => (type === "aws:ec2/vpc:Vpc" ? { props: { ...props, enableDnsSupport: true }, opts: { ...opts, protect: true } } : undefined));
      new aws.ec2.Vpc("own", { cidrBlock: "10.0.0.0/16" }, { transforms: [({ props, opts }) => ({ props: { ...props, tags: { by: "own" } }, opts })] });
      new Box("boxed", { transforms: [({ type, props, opts }) => (type === "aws:ec2/subnet:Subnet" ? { props: { ...props, mapPublicIpOnLaunch: false }, opts: { ...opts, retainOnDelete: true } } : undefined)] });
    });
    const own = result.resources.find((r) => r.name === "own")!;
    expect(own.inputs).toMatchObject({ tags: { by: "own" }, enableDnsSupport: true });
    expect(own.options.protect).toBe(true);
    const subnet = result.resources.find((r) => r.name === "boxed-subnet")!;
    expect(subnet.inputs["mapPublicIpOnLaunch"]).toBe(false);
    expect(subnet.options.retainOnDelete).toBe(true);
    expect(result.resources.find((r) => r.name === "boxed-vpc")!.options.protect).toBe(true);
  });

  it("does not carry one run's stack transforms into the next", async () => {
    const result = await synthesize(() => {
      new aws.ec2.Vpc("plain", { cidrBlock: "10.0.0.0/16" });
    });
    expect(result.resources.find((r) => r.name === "plain")!.options.protect).toBe(false);
  });
});
