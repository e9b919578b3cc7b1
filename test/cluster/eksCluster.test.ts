import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EksCluster, ExistingCluster, planApiAccess, renderEksKubeconfig, webhookNetworking, type EksClusterArgs, type KitCluster } from "../../components/cluster";
import { ClusterNetwork, type ClusterNetworkArgs } from "../../components/network";
import { synthesize, type SynthResult } from "../../synth/engine";

const networkArgs: ClusterNetworkArgs = {
  region: "us-east-1",
  vpcCidr: "10.10.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  podCidr: "100.64.0.0/16",
  serviceCidr: "172.20.0.0/16",
};
const nodeGroups: EksClusterArgs["nodeGroups"] = [{ name: "general", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, desiredSize: 2 }];

async function synthCluster(net: Partial<ClusterNetworkArgs> = {}, extra: Partial<EksClusterArgs> = {}, after?: (c: EksCluster) => void): Promise<SynthResult> {
  return synthesize(() => {
    const network = new ClusterNetwork("east", { ...networkArgs, ...net });
    const cluster = new EksCluster("east", { network, region: "us-east-1", nodeGroups, ...extra });
    after?.(cluster);
    return { kubeconfig: cluster.kubeconfig };
  });
}

const one = (r: SynthResult, type: string) => r.resources.filter((x) => x.type === type);

describe("EksCluster", () => {
  it("creates the control plane without self-managed add-ons, with API auth, KMS secrets and logging", async () => {
    const result = await synthCluster();
    const eks = one(result, "aws:eks/cluster:Cluster")[0]!;
    expect(eks.inputs).toMatchObject({
      name: "east",
      bootstrapSelfManagedAddons: false,
      accessConfig: { authenticationMode: "API" },
      vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false },
      kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" },
      enabledClusterLogTypes: ["api", "audit", "authenticator"],
    });
    const key = one(result, "aws:kms/key:Key")[0]!;
    expect(key.inputs["enableKeyRotation"]).toBe(true);
    expect((eks.inputs["encryptionConfig"] as any).resources).toEqual(["secrets"]);
    expect(eks.dependsOn).toContain(key.urn);
    const cpSg = result.resources.find((r) => r.name === "east-cp-sg")!;
    expect((eks.inputs["vpcConfig"] as any).securityGroupIds).toEqual([cpSg.id]);
  });

  it("restricts a public endpoint to the given CIDRs", async () => {
    const eks = one(await synthCluster({}, { endpoint: { public: true, publicAccessCidrs: ["203.0.113.0/24"] } }), "aws:eks/cluster:Cluster")[0]!;
    expect(eks.inputs["vpcConfig"]).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
  });

  it("runs nodes on an IMDSv2-only launch template with the network's node security group", async () => {
    const result = await synthCluster();
    const lt = one(result, "aws:ec2/launchTemplate:LaunchTemplate")[0]!;
    expect(lt.inputs["metadataOptions"]).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 });
    expect(lt.inputs["vpcSecurityGroupIds"]).toEqual([result.resources.find((r) => r.name === "east-nodes-sg")!.id]);
    const ng = one(result, "aws:eks/nodeGroup:NodeGroup")[0]!;
    expect(ng.inputs).toMatchObject({ nodeGroupNamePrefix: "general-", version: "1.33", scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 }, instanceTypes: ["m6i.large"] });
    expect(ng.inputs["subnetIds"]).toEqual([result.resources.find((r) => r.name === "east-private-0")!.id, result.resources.find((r) => r.name === "east-private-1")!.id]);
  });

  it.each([
    ["vxlan", []],
    ["ipip-crosssubnet", ["ec2:DescribeInstances", "ec2:ModifyNetworkInterfaceAttribute"]],
    ["native-vpc", ["ec2:DescribeInstances", "ec2:ModifyNetworkInterfaceAttribute"]],
  ] as const)("grants the %s node role exactly the managed policies plus %j", async (topology, extra) => {
    const result = await synthCluster({ topology });
    const attached = one(result, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.includes("node-role")).map((a) => a.inputs["policyArn"]);
    expect(attached.sort()).toEqual(["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]);
    const inline = one(result, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("node-srcdst"));
    if (extra.length === 0) expect(inline).toHaveLength(0);
    else expect(JSON.parse(inline[0]!.inputs["policy"] as string).Statement).toEqual([{ Effect: "Allow", Action: [...extra], Resource: "*" }]);
  });

  it("adds kube-proxy at once and CoreDNS only after the CNI resources it is given", async () => {
    let cniUrn = "";
    const result = await synthCluster({}, {}, (cluster) => {
      const cni = new k8s.core.v1.ConfigMap("cni-marker", { metadata: { name: "m" } }, { provider: cluster.provider });
      cni.urn.apply((u) => (cniUrn = u));
      cluster.installCoreDns([cni]);
    });
    const addons = one(result, "aws:eks/addon:Addon");
    const kubeProxy = addons.find((a) => a.inputs["addonName"] === "kube-proxy")!;
    const coreDns = addons.find((a) => a.inputs["addonName"] === "coredns")!;
    expect(coreDns.dependsOn).toContain(cniUrn);
    expect(kubeProxy.dependsOn).not.toContain(cniUrn);
    expect(coreDns.dependsOn).toContain(one(result, "aws:eks/nodeGroup:NodeGroup")[0]!.urn);
  });

  it("keeps the kubeconfig secret in outputs, in the provider, and in synth output", async () => {
    const result = await synthCluster();
    expect(result.outputs["kubeconfig"]).toBe("[secret]");
    const provider = result.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.name).toBe("east-k8s");
    expect(provider.inputs["kubeconfig"]).toBe("[secret]");
    expect(JSON.stringify(result)).not.toMatch(/certificate-authority-data|get-token/);
  });

  it("refuses node groups larger than native-vpc routes allow, and bad sizes", async () => {
    await expect(synthCluster({ topology: "native-vpc", maxNodes: 10 }, { nodeGroups: [{ ...nodeGroups[0]!, maxSize: 12 }] })).rejects.toThrow(
      /^nodeGroups = .*can grow to 12 nodes, but the native-vpc network allows 10/,
    );
    await expect(synthCluster({}, { nodeGroups: [{ ...nodeGroups[0]!, desiredSize: 9 }] })).rejects.toThrow(/^nodeGroups\[0\]\.desiredSize = 9: must lie between/);
    await expect(synthCluster({}, { endpoint: { public: true, publicAccessCidrs: ["0.0.0.0/0"] } })).rejects.toThrow(/opens the Kubernetes API to the whole internet/);
    await expect(synthCluster({}, { endpoint: { public: true } })).rejects.toThrow(/^endpoint\.publicAccessCidrs/);
  });
});

describe("cluster capabilities", () => {
  /** A consumer in the style of every kit component that deploys a webhook server. */
  function webhookPodSpec(cluster: KitCluster) {
    const net = webhookNetworking(cluster.capabilities, 9443);
    return { hostNetwork: net.hostNetwork, dnsPolicy: net.dnsPolicy, containers: [{ name: "webhook", ports: [{ containerPort: net.port }] }] };
  }

  it("flows from the cluster to webhook consumers: host networking on EKS with Canal, pod networking elsewhere", async () => {
    const specs: Record<string, unknown> = {};
    await synthesize(() => {
      const network = new ClusterNetwork("east", networkArgs);
      const eks = new EksCluster("east", { network, region: "us-east-1", nodeGroups });
      const onPrem = new ExistingCluster("lab", { kubeconfig: "apiVersion: v1\nkind: Config\n", topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 1450, isEks: false });
      specs["eks"] = webhookPodSpec(eks);
      specs["lab"] = webhookPodSpec(onPrem);
    });
    expect(specs["eks"]).toMatchObject({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" });
    expect(specs["lab"]).toMatchObject({ hostNetwork: false, dnsPolicy: "ClusterFirst" });
  });

  it("refuses host ports outside the range kept free for webhooks", () => {
    expect(() => webhookNetworking({ controlPlaneReachesPods: false }, 10250)).toThrow(/webhook\.port = 10250: is outside 9443-9499/);
  });
});

describe("ExistingCluster", () => {
  it("wraps the kubeconfig as a secret and states its facts", async () => {
    const result = await synthesize(() => {
      const c = new ExistingCluster("legacy", { kubeconfig: "apiVersion: v1\nkind: Config\nusers: [{name: u, user: {token: abc}}]\n", topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 8951, isEks: true, region: "eu-west-1" });
      return { kubeconfig: c.kubeconfig, facts: pulumi.output(c.networkFacts), reaches: c.capabilities.controlPlaneReachesPods };
    });
    expect(result.outputs["kubeconfig"]).toBe("[secret]");
    expect(JSON.stringify(result)).not.toContain("token: abc");
    expect(result.outputs["facts"]).toMatchObject({ topology: "vxlan", podMtu: 8951, vxlanPort: 8472, disableSourceDestCheck: false });
    expect(result.outputs["reaches"]).toBe(false);
    expect(result.resources.find((r) => r.type === "pulumi:providers:kubernetes")!.name).toBe("legacy-k8s");
  });

  it("refuses an MTU below 1280 and overlapping ranges", async () => {
    const base = { kubeconfig: "x", topology: "vxlan" as const, podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 8951, isEks: false };
    await expect(synthesize(() => void new ExistingCluster("a", { ...base, podMtu: 1200 }))).rejects.toThrow(/cluster\.podMtu = 1200/);
    await expect(synthesize(() => void new ExistingCluster("a", { ...base, serviceCidr: "10.244.0.0/20" }))).rejects.toThrow(/cluster\.podCidr = "10\.244\.0\.0\/16": overlaps cluster\.serviceCidr/);
  });
});

describe("EksCluster identities", () => {
  it("renders a kubeconfig whose aws eks get-token assumes the deploy role with the profile", () => {
    const config = parse(renderEksKubeconfig({ clusterName: "east", endpoint: "https://x", certificateAuthorityData: "Y2E=", region: "eu-west-1", roleArn: "arn:aws:iam::111122223333:role/deploy", profile: "platform" }));
    const exec = config.users[0].user.exec;
    // As the AWS CLI parses `eks get-token` (awscli/customizations/eks/get_token.py): --cluster-name, --role-arn; --region is global.
    expect(exec.command).toBe("aws");
    expect(exec.args).toEqual(["eks", "get-token", "--cluster-name", "east", "--region", "eu-west-1", "--role-arn", "arn:aws:iam::111122223333:role/deploy", "--output", "json"]);
    expect(exec.env).toEqual([{ name: "AWS_PROFILE", value: "platform" }]);
    const ambient = parse(renderEksKubeconfig({ clusterName: "east", endpoint: "https://x", certificateAuthorityData: "Y2E=", region: "eu-west-1" }));
    expect(ambient.users[0].user.exec.args).not.toContain("--role-arn");
    expect(ambient.users[0].user.exec.env).toBeUndefined();
  });

  it("passes the deploy role and profile into its kubeconfig, and makes the role admin without bootstrapping the creator", async () => {
    let kubeconfig = "";
    const role = "arn:aws:iam::111122223333:role/deploy";
    const result = await synthCluster({}, { deployRoleArn: role, awsProfile: "platform", adminPrincipalArns: ["arn:aws:iam::111122223333:role/admins"] }, (c) => c.kubeconfig.apply((k) => (kubeconfig = k)));
    expect(parse(kubeconfig).users[0].user.exec.args).toContain(role);
    expect(one(result, "aws:eks/cluster:Cluster")[0]!.inputs["accessConfig"]).toMatchObject({ bootstrapClusterCreatorAdminPermissions: false });
    expect(one(result, "aws:eks/accessEntry:AccessEntry").map((e) => e.inputs["principalArn"])).toEqual([role, "arn:aws:iam::111122223333:role/admins"]);
    expect(one(result, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").every((a) => a.inputs["policyArn"] === "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")).toBe(true);
  });

  it("gives a service account AWS rights through Pod Identity only: its own role, exactly the statements, after the agent", async () => {
    const statements = [{ Effect: "Allow" as const, Action: ["ec2:DescribeRouteTables"], Resource: "*" }];
    const result = await synthCluster({}, {}, (c) => void c.grantAwsAccess("routes", { namespace: "kube-system", serviceAccount: "canalkit-vpc-routes", statements }));
    const role = one(result, "aws:iam/role:Role").find((r) => r.name === "routes-pod-identity")!;
    expect(JSON.parse(role.inputs["assumeRolePolicy"] as string)).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] });
    const policy = one(result, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "routes-pod-identity")!;
    expect(JSON.parse(policy.inputs["policy"] as string).Statement).toEqual(statements);
    const association = one(result, "aws:eks/podIdentityAssociation:PodIdentityAssociation")[0]!;
    expect(association.inputs).toMatchObject({ clusterName: "east", namespace: "kube-system", serviceAccount: "canalkit-vpc-routes", roleArn: role.inputs["arn"] ?? expect.any(String) });
    const agent = one(result, "aws:eks/addon:Addon").find((a) => a.inputs["addonName"] === "eks-pod-identity-agent")!;
    expect(association.dependsOn).toEqual(expect.arrayContaining([agent.urn, policy.urn]));
  });
});

describe("planApiAccess", () => {
  it("fills the public CIDRs from a runner on the internet and describes the path", () => {
    const plan = planApiAccess("eks.endpoint", { public: true }, { location: "internet", cidrs: ["198.51.100.7/32"] });
    expect(plan).toEqual({ endpoint: { private: true, public: true, publicAccessCidrs: ["198.51.100.7/32"] }, via: "public-endpoint", privateClientCidrs: [], description: "public endpoint from 198.51.100.7/32 (runner on the internet)" });
  });

  it("accepts runner ranges inside wider public CIDRs and refuses bad runner CIDRs by their key", () => {
    expect(planApiAccess("e", { public: true, publicAccessCidrs: ["198.51.100.0/24"] }, { location: "internet", cidrs: ["198.51.100.7/32"] }).via).toBe("public-endpoint");
    expect(() => planApiAccess("e", { public: true }, { location: "internet", cidrs: ["nope"] })).toThrow(/^canalkit:runner\.cidrs\[0\] = "nope"/);
  });

  it("a runner in a VPC needs the private endpoint, and the public one off (else the name resolves to public addresses outside the VPC)", () => {
    expect(() => planApiAccess("e", { private: true, public: true, publicAccessCidrs: ["192.0.2.0/24"] }, { location: "vpc", cidrs: ["10.99.0.0/24"] })).toThrow(/^e\.public = true: canalkit:runner\.location is vpc, but with the public endpoint on/);
    expect(() => planApiAccess("e", { private: false, public: true, publicAccessCidrs: ["192.0.2.0/24"] }, { location: "vpc", cidrs: ["10.99.0.0/24"] })).toThrow(/^e\.private = false: canalkit:runner\.location is vpc/);
  });
});
