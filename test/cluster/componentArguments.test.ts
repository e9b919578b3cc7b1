/**
 * TypeScript users of the components get the same refusals as stack users, naming the argument:
 * AZs of another Region, unknown Regions (and the override for new ones), node-group
 * architectures and AMI types, labels and taints; and the accepted values reach the resources.
 */
import { describe, expect, it } from "vitest";
import { EksCluster, instanceArchitecture, nodeGroupAmiType, validateNodeLabels, validateNodeTaints, type EksClusterArgs, type NodeTaint } from "../../components/cluster";
import { CanalkitInputError } from "../../components/errors";
import { ClusterNetwork, type ClusterNetworkArgs } from "../../components/network";
import { synthesize } from "../../synth/engine";

const networkArgs: ClusterNetworkArgs = { region: "us-west-2", vpcCidr: "10.10.0.0/16", availabilityZones: ["us-west-2a", "us-west-2b"], podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16" };
const group: EksClusterArgs["nodeGroups"][number] = { name: "general", instanceTypes: ["m6i.large"], minSize: 1, maxSize: 3, desiredSize: 2 };

function refusal(fn: () => unknown): CanalkitInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CanalkitInputError);
    return e as CanalkitInputError;
  }
  throw new Error("accepted");
}

async function synthEks(net: Partial<ClusterNetworkArgs>, groups: EksClusterArgs["nodeGroups"]) {
  return synthesize(() => {
    const network = new ClusterNetwork("west", { ...networkArgs, ...net });
    new EksCluster("west", { network, region: net.region ?? "us-west-2", nodeGroups: groups });
  });
}

describe("ClusterNetwork region and AZ arguments", () => {
  it("refuses AZs of another Region, naming the argument entry", async () => {
    await expect(synthEks({ availabilityZones: ["us-east-1a", "us-east-1b"] }, [group])).rejects.toThrow(/^availabilityZones\[0\] = "us-east-1a": is a zone of us-east-1, but the cluster is in us-west-2\. Fix: name zones of us-west-2/);
  });

  it("refuses a Region that does not exist, and accepts it once knownAvailabilityZones lists it", async () => {
    await expect(synthEks({ region: "eu-central-3", availabilityZones: ["eu-central-3a", "eu-central-3b"] }, [group])).rejects.toThrow(/^region = "eu-central-3": is not an AWS Region the kit knows\. Fix: .*knownAvailabilityZones/);
    const result = await synthEks({ region: "eu-central-3", availabilityZones: ["eu-central-3a", "eu-central-3b"], knownAvailabilityZones: { "eu-central-3": ["eu-central-3a", "eu-central-3b"] } }, [group]);
    expect(result.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet").map((r) => r.inputs["availabilityZone"]).sort()).toEqual(["eu-central-3a", "eu-central-3a", "eu-central-3b", "eu-central-3b"]);
  });
});

describe("node-group arguments", () => {
  it("knows Graviton families by table and by their naming pattern", () => {
    for (const t of ["m7g.large", "t4g.micro", "c6gn.2xlarge", "r8gd.metal", "x2gd.xlarge", "im4gn.large", "is4gen.large", "g5g.xlarge", "a1.large"]) expect(instanceArchitecture(t), t).toBe("arm64");
    for (const t of ["m6i.large", "t3.large", "g4dn.xlarge", "m7i-flex.large", "c7a.large", "inf2.xlarge", "m5zn.large", "x2idn.large"]) expect(instanceArchitecture(t), t).toBe("x86_64");
    expect(nodeGroupAmiType("nodeGroups[0]", ["m7g.large", "m6g.large"])).toBe("AL2023_ARM_64_STANDARD");
    expect(nodeGroupAmiType("nodeGroups[0]", ["m6i.large", "m5.large"])).toBe("AL2023_x86_64_STANDARD");
  });

  it("sends Graviton groups to the ARM AMI and taints to the node group", async () => {
    const taints: NodeTaint[] = [{ key: "dedicated", value: "arm", effect: "NO_SCHEDULE" }];
    const result = await synthEks({}, [group, { ...group, name: "arm", instanceTypes: ["m7g.large", "c7g.large"], taints, labels: { "example.com/arch": "arm64" } }]);
    const groups = result.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
    expect(Object.fromEntries(groups.map((g) => [String(g.inputs["nodeGroupNamePrefix"]).replace(/-$/, ""), g.inputs["amiType"]]))).toEqual({ general: "AL2023_x86_64_STANDARD", arm: "AL2023_ARM_64_STANDARD" });
    expect(groups.find((g) => g.inputs["nodeGroupNamePrefix"] === "arm-")!.inputs["taints"]).toEqual(taints);
    expect(groups.find((g) => g.inputs["nodeGroupNamePrefix"] === "general-")!.inputs["taints"]).toBeUndefined();
  });

  it("refuses mixed architectures and contradicting AMI types, naming the argument", async () => {
    await expect(synthEks({}, [{ ...group, instanceTypes: ["m7g.large", "m6i.large"] }])).rejects.toThrow(/^nodeGroups\[0\]\.instanceTypes\[1\] = "m6i\.large": is x86_64, but m7g\.large is arm64/);
    await expect(synthEks({}, [{ ...group, instanceTypes: ["m7g.large"], amiType: "AL2023_x86_64_STANDARD" }])).rejects.toThrow(/^nodeGroups\[0\]\.amiType = "AL2023_x86_64_STANDARD": does not boot arm64 instances/);
    // A family the tables do not list: the stated AMI type decides.
    expect(nodeGroupAmiType("nodeGroups[0]", ["q9z.large"], "AL2023_ARM_64_STANDARD")).toBe("AL2023_ARM_64_STANDARD");
  });

  it("refuses labels Kubernetes or kubelet refuse, and taints EKS refuses", async () => {
    await expect(synthEks({}, [{ ...group, labels: { team: "platform team" } }])).rejects.toThrow(/^nodeGroups\[0\]\.labels\.team = "platform team": is not a Kubernetes label value.*Fix: write it as platform-team$/);
    expect(refusal(() => validateNodeLabels("labels", { "node-role.kubernetes.io/worker": "" })).field).toBe('labels["node-role.kubernetes.io/worker"]');
    expect(refusal(() => validateNodeLabels("labels", { ["a".repeat(64)]: "x" })).problem).toMatch(/is not a Kubernetes label key/);
    expect(refusal(() => validateNodeLabels("labels", { team: "x".repeat(64) })).problem).toMatch(/is not a Kubernetes label value/);
    expect(refusal(() => validateNodeLabels("labels", { gpu: "" })).problem).toMatch(/EKS takes node-group label values of 1 to 63/);
    expect(refusal(() => validateNodeLabels("labels", { [`example.com/${"k".repeat(60)}`]: "x" })).problem).toMatch(/EKS takes label keys of at most 63/);
    validateNodeLabels("labels", { "example.com/team": "a", "node.kubernetes.io/pool": "a", "kubernetes.io/arch": "arm64" });
    const bad = (t: Partial<NodeTaint>) => refusal(() => validateNodeTaints("taints", [{ key: "dedicated", effect: "NO_SCHEDULE", ...t } as NodeTaint]));
    expect(bad({ effect: "NoExecute" as NodeTaint["effect"] }).fix).toBe("write it as EKS spells it: NO_EXECUTE");
    expect(bad({ effect: "Evict" as NodeTaint["effect"] }).fix).toBe("use one of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE");
    expect(bad({ key: "a b" }).field).toBe("taints[0].key");
    expect(bad({ value: "a b" }).field).toBe("taints[0].value");
    expect(bad({ key: `example.com/${"k".repeat(60)}` }).problem).toMatch(/EKS takes taint keys of at most 63/);
    validateNodeTaints("taints", [{ key: "dedicated", value: "", effect: "NO_SCHEDULE" }]);
    expect(refusal(() => validateNodeTaints("taints", Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, effect: "NO_SCHEDULE" as const })))).problem).toMatch(/at most 50 taints/);
  });

  it("never echoes a credential-looking value in an input error", () => {
    const e = new CanalkitInputError("kubeconfig", "apiVersion: v1\nkind: Config\nusers:\n- user:\n    token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlc2lnbmF0dXJl\n", "is wrong", "fix it");
    expect(e.message).toBe("kubeconfig = <a kubeconfig, not shown>: is wrong. Fix: fix it");
    expect(new CanalkitInputError("x", { nested: ["AKIAIOSFODNN7EXAMPLE"] }, "p", "f").message).not.toContain("AKIA");
  });
});
