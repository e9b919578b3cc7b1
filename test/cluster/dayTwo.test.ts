/**
 * Day two (issue 18) in the resource graph of the shipped stacks, as `canalkit synth` and
 * `pulumi preview` evaluate them: how the runner reaches each API server, the AWS identities,
 * protection, versions and upgrade order, destroy ordering, and the outputs other stacks read.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineStack } from "../../stacks/program";
import { validateStackConfig } from "../../stacks/config/validate";
import { synthesize, type SynthResource, type SynthResult } from "../../synth/engine";
import { evaluateStack, PROJECT } from "../../synth/runStack";
import { readStackConfigFile } from "../../synth/stackConfig";

type Stack = "dev" | "staging" | "prod";
const results = new Map<Stack, SynthResult>();

async function stack(name: Stack): Promise<SynthResult> {
  if (!results.has(name)) results.set(name, (await evaluateStack({ stack: name })).result);
  return results.get(name)!;
}

/** The stack file's flat config, edited as the raw YAML values before synthesizing. */
function stackValues(name: Stack): Record<string, string> {
  return { ...readStackConfigFile(join(__dirname, "../../stacks", `Pulumi.${name}.yaml`), PROJECT).values };
}

async function synthWith(name: Stack, edit: (raw: Record<string, any>) => void): Promise<SynthResult> {
  const values = stackValues(name);
  const raw: Record<string, any> = {};
  for (const [k, v] of Object.entries(values)) {
    try {
      raw[k] = JSON.parse(v);
    } catch {
      raw[k] = v;
    }
  }
  edit(raw);
  const config = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  return synthesize(defineStack, { project: PROJECT, stack: name, config });
}

const ofType = (r: SynthResult, type: string) => r.resources.filter((x) => x.type === type);
const named = (r: SynthResult, name: string, type?: string) => r.resources.find((x) => x.name === name && (!type || x.type === type))!;
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const CLUSTERS: Record<Stack, string[]> = { dev: ["dev-east", "dev-west"], staging: ["stg-east", "stg-west"], prod: ["prod-use1-a", "prod-use1-b", "prod-usw2"] };

describe("1. every API server is reachable from where pulumi up runs", () => {
  it.each(["dev", "staging", "prod"] as const)("%s: synth says the path per cluster, and the endpoint admits exactly the runner's ranges", async (name) => {
    const result = await stack(name);
    const runner = JSON.parse(stackValues(name)["canalkit:runner"]!);
    for (const cluster of CLUSTERS[name]) {
      const component = ofType(result, "canalkit:cluster:EksCluster").find((c) => c.name === cluster)!;
      expect(component.inputs["apiAccess"]).toBe(`public endpoint from ${runner.cidrs.join(", ")} (runner on the internet)`);
      expect((result.outputs[cluster] as any).apiAccess).toBe(component.inputs["apiAccess"]);
      const eks = named(result, `${cluster}-eks`);
      expect(eks.inputs["vpcConfig"]).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: runner.cidrs });
    }
  });

  it("refuses a private-only API server when nothing says how the runner reaches it, naming the key and both ways out", async () => {
    await expect(
      synthWith("prod", (raw) => {
        delete raw["canalkit:runner"];
        for (const c of raw["canalkit:clusters"]) c.eks.endpoint = { private: true, public: false };
      }),
    ).rejects.toThrow(/^canalkit:clusters\[0\]\.eks\.endpoint\.public = false: the API server would be private only.*Fix: either set canalkit:clusters\[0\]\.eks\.endpoint\.public: true with publicAccessCidrs .* or declare canalkit:runner: \{ location: vpc/);
  });

  it("refuses a runner on the internet with a private-only cluster, and public CIDRs that leave the runner out", async () => {
    await expect(synthWith("dev", (raw) => (raw["canalkit:clusters"][0].eks.endpoint = { private: true }))).rejects.toThrow(
      /canalkit:clusters\[0\]\.eks\.endpoint\.public = false: canalkit:runner\.location is internet, but this API server has no public endpoint/,
    );
    await expect(synthWith("dev", (raw) => (raw["canalkit:clusters"][0].eks.endpoint = { public: true, publicAccessCidrs: ["192.0.2.0/24"] }))).rejects.toThrow(
      /canalkit:clusters\[0\]\.eks\.endpoint\.publicAccessCidrs = \["192\.0\.2\.0\/24"\]: does not admit the runner's 203\.0\.113\.10\/32/,
    );
  });

  it("accepts 0.0.0.0/0 only with allowPublicFromAnywhere in the stack file", async () => {
    const open = (allow: boolean) => (raw: Record<string, any>) => {
      raw["canalkit:clusters"][0].eks.endpoint = { public: true, publicAccessCidrs: ["0.0.0.0/0"], ...(allow ? { allowPublicFromAnywhere: true } : {}) };
    };
    await expect(synthWith("dev", open(false))).rejects.toThrow(/canalkit:clusters\[0\]\.eks\.endpoint\.publicAccessCidrs = \["0\.0\.0\.0\/0"\]: opens the Kubernetes API to the whole internet\. Fix: .*allowPublicFromAnywhere: true/);
    const result = await synthWith("dev", open(true));
    expect(named(result, "dev-east-eks").inputs["vpcConfig"]).toMatchObject({ publicAccessCidrs: ["0.0.0.0/0"] });
  });

  it("a runner inside a routed network uses the private endpoints: TCP 443 from its range on each control-plane security group", async () => {
    const result = await synthWith("prod", (raw) => {
      raw["canalkit:runner"] = { location: "vpc", cidrs: ["10.99.0.0/24"] };
      for (const c of raw["canalkit:clusters"]) c.eks.endpoint = { private: true };
    });
    for (const cluster of CLUSTERS.prod) {
      const eks = named(result, `${cluster}-eks`);
      expect(eks.inputs["vpcConfig"]).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
      expect((eks.inputs["vpcConfig"] as any).publicAccessCidrs).toBeUndefined();
      const rule = named(result, `${cluster}-api-from-runner-0`);
      expect(rule.inputs).toMatchObject({ securityGroupId: named(result, `${cluster}-cp-sg`).id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.99.0.0/24" });
      expect((result.outputs[cluster] as any).apiAccess).toMatch(/^private endpoint from the runner network 10\.99\.0\.0\/24/);
    }
  });

  it("reports bad runner keys like every other key", () => {
    const raw = (runner: unknown) => ({ ...validateStackConfigInput(), runner });
    expect(() => validateStackConfig(raw({ location: "office", cidrs: ["10.0.0.0/8"] }))).toThrow(/canalkit:runner\.location = "office": [^\n]*internet[^\n]*vpc/);
    expect(() => validateStackConfig(raw({ location: "vpc", cidrs: [] }))).toThrow(/canalkit:runner\.cidrs = \[\]: /);
  });
});

/** A minimal valid raw config (plain object, as the stack file parses). */
function validateStackConfigInput(): Record<string, unknown> {
  return { environment: "dev", owner: "me", clusters: [{ name: "a", region: "us-east-1", network: { vpcCidr: "10.0.0.0/16" }, eks: { nodeGroups: [{ name: "g" }] } }] };
}

describe("2. AWS identities are per stack, region and cluster; admins come from config", () => {
  it("prod: each region's provider assumes its role; the clusters' kubeconfigs and admin entries follow it", async () => {
    const result = await stack("prod");
    const providers = ofType(result, "pulumi:providers:aws");
    // Provider inputs reach the engine JSON-encoded.
    const role = (region: string) => JSON.parse(providers.find((p) => p.name === `aws-${region}`)!.inputs["assumeRoles"] as string)[0];
    expect(role("us-east-1")).toMatchObject({ roleArn: "arn:aws:iam::444455556666:role/canalkit-deploy-use1", sessionName: "canalkit-prod" });
    expect(role("us-west-2")).toMatchObject({ roleArn: "arn:aws:iam::444455556666:role/canalkit-deploy-usw2" });
    // Each cluster's resources go through its region's provider.
    expect(named(result, "prod-usw2-eks").provider).toMatch(/::aws-us-west-2::/);
    expect((result.outputs["prod-usw2"] as any).deployRoleArn).toBe("arn:aws:iam::444455556666:role/canalkit-deploy-usw2");
    for (const cluster of CLUSTERS.prod) {
      const eks = named(result, `${cluster}-eks`);
      expect(eks.inputs["accessConfig"]).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
      expect(eks.options.ignoreChanges).toContain("accessConfig.bootstrapClusterCreatorAdminPermissions");
      const admins = ofType(result, "aws:eks/accessEntry:AccessEntry").filter((e) => e.name.startsWith(`${cluster}-admin-`)).map((e) => e.inputs["principalArn"]);
      const deployRole = cluster === "prod-usw2" ? "canalkit-deploy-usw2" : "canalkit-deploy-use1";
      expect(admins).toEqual([`arn:aws:iam::444455556666:role/${deployRole}`, "arn:aws:iam::444455556666:role/platform-admins"]);
      // The Kubernetes provider (and so every object) waits for the deploy role's access.
      const k8s = result.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === `${cluster}-k8s`)!;
      expect(k8s.dependsOn).toEqual(expect.arrayContaining(ofType(result, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((a) => a.name.startsWith(`${cluster}-admin-`)).map((a) => a.urn)));
    }
  });

  it("dev keeps the ambient credentials: no role, the creator is admin", async () => {
    const result = await stack("dev");
    for (const p of ofType(result, "pulumi:providers:aws")) expect(p.inputs["assumeRoles"]).toBeUndefined();
    expect(named(result, "dev-east-eks").inputs["accessConfig"]).toMatchObject({ bootstrapClusterCreatorAdminPermissions: true });
    expect(ofType(result, "aws:eks/accessEntry:AccessEntry")).toHaveLength(0);
  });

  it("a cluster in another account gets its own provider and identity; a profile reaches the provider", async () => {
    const result = await synthWith("staging", (raw) => {
      raw["canalkit:aws"].profile = "platform";
      raw["canalkit:clusters"][1].aws = { roleArn: "arn:aws:iam::777788889999:role/canalkit-deploy" };
    });
    const own = ofType(result, "pulumi:providers:aws").find((p) => p.name === "aws-stg-west")!;
    expect(own.inputs).toMatchObject({ region: "us-west-2", profile: "platform" });
    expect(JSON.parse(own.inputs["assumeRoles"] as string)).toMatchObject([{ roleArn: "arn:aws:iam::777788889999:role/canalkit-deploy" }]);
    expect(named(result, "stg-west-eks").provider).toMatch(/::aws-stg-west::/);
    expect(named(result, "stg-west-vpc").provider).toMatch(/::aws-stg-west::/);
    const east = ofType(result, "pulumi:providers:aws").find((p) => p.name === "aws-us-east-1")!;
    expect(east.inputs).toMatchObject({ profile: "platform" });
    expect(JSON.parse(east.inputs["assumeRoles"] as string)).toMatchObject([{ roleArn: "arn:aws:iam::111122223333:role/canalkit-deploy" }]);
  });

  it("refuses named admins without a deploy role (the runner would be locked out), and bad role ARNs", async () => {
    await expect(synthWith("staging", (raw) => (raw["canalkit:aws"] = {}))).rejects.toThrow(
      /^canalkit:clusters\[0\]\.eks\.adminPrincipalArns = .*: names the cluster's admins, so the identity running pulumi up gets no automatic access/,
    );
    expect(() => validateStackConfig({ ...validateStackConfigInput(), aws: { roleArn: "canalkit-deploy" } })).toThrow(/canalkit:aws\.roleArn = "canalkit-deploy": [^\n]*an IAM role ARN/);
    await expect(synthWith("staging", (raw) => (raw["canalkit:aws"] = { regions: { "eu-west-1": { roleArn: "arn:aws:iam::111122223333:role/x" } } }))).rejects.toThrow(
      /canalkit:aws\.regions\.eu-west-1 = .*: names a region no cluster of the stack uses/,
    );
  });

  it("native-vpc: the in-cluster route controller uses the cluster's one Pod Identity agent (EKS allows each add-on once)", async () => {
    const result = await synthWith("dev", (raw) => {
      for (const c of raw["canalkit:clusters"]) Object.assign(c.network, { topology: "native-vpc", maxNodes: 10 });
    });
    for (const cluster of CLUSTERS.dev) {
      const agents = ofType(result, "aws:eks/addon:Addon").filter((a) => a.inputs["addonName"] === "eks-pod-identity-agent" && a.inputs["clusterName"] === cluster);
      expect(agents).toHaveLength(1);
      const association = ofType(result, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs["clusterName"] === cluster)!;
      expect(association.dependsOn).toContain(agents[0]!.urn);
    }
  });

  it("installs the Pod Identity agent before the node groups and never widens the node role", async () => {
    const result = await stack("prod");
    for (const cluster of CLUSTERS.prod) {
      const agent = named(result, `${cluster}-eks-pod-identity-agent`);
      expect(agent.inputs).toMatchObject({ addonName: "eks-pod-identity-agent", addonVersion: "v1.33.0-eksbuild.offline" });
      expect(named(result, `${cluster}-general`, NODE_GROUP).dependsOn).toContain(agent.urn);
    }
    const nodePolicies = ofType(result, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.includes("node-role")).map((a) => a.inputs["policyArn"]);
    expect(new Set(nodePolicies)).toEqual(new Set(["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"]));
  });
});

describe("3. clusters, VPCs and KMS keys are protected outside dev", () => {
  const protectedTypes = ["aws:eks/cluster:Cluster", "aws:ec2/vpc:Vpc", "aws:kms/key:Key"];

  it.each([
    ["dev", false, 30],
    ["staging", true, 14],
    ["prod", true, 30],
  ] as const)("%s: protect %s, EKS deletion protection alike, KMS window %i days", async (name, on, window) => {
    const result = await stack(name);
    for (const type of protectedTypes) {
      const resources = ofType(result, type);
      expect(resources).toHaveLength(CLUSTERS[name].length);
      for (const r of resources) expect([r.name, r.options.protect]).toEqual([r.name, on]);
    }
    for (const eks of ofType(result, "aws:eks/cluster:Cluster")) expect(eks.inputs["deletionProtection"]).toBe(on);
    for (const key of ofType(result, "aws:kms/key:Key")) expect(key.inputs["deletionWindowInDays"]).toBe(window);
    // Only those: subnets, route tables and rules stay replaceable even though they are the VPC's children.
    const others = result.resources.filter((r) => r.custom && !protectedTypes.includes(r.type) && r.options.protect);
    expect(others.map((r) => r.name)).toEqual([]);
  });

  it("protection follows config per environment", async () => {
    const result = await synthWith("prod", (raw) => (raw["canalkit:protection"] = { protect: false }));
    expect(ofType(result, "aws:eks/cluster:Cluster").map((r) => [r.options.protect, r.inputs["deletionProtection"]])).toEqual(CLUSTERS.prod.map(() => [false, false]));
    const dev = await synthWith("dev", (raw) => (raw["canalkit:protection"] = { protect: true, deletionProtection: false, kmsDeletionWindowDays: 7 }));
    expect(ofType(dev, "aws:ec2/vpc:Vpc").every((v) => v.options.protect)).toBe(true);
    expect(ofType(dev, "aws:eks/cluster:Cluster").every((c) => c.options.protect && c.inputs["deletionProtection"] === false)).toBe(true);
    expect(() => validateStackConfig({ ...validateStackConfigInput(), protection: { kmsDeletionWindowDays: 3 } })).toThrow(/canalkit:protection\.kmsDeletionWindowDays = 3: [^\n]*7/);
  });

  it("creates /aws/eks/<name>/cluster with the configured retention before the cluster", async () => {
    const result = await stack("prod");
    for (const cluster of CLUSTERS.prod) {
      const group = named(result, `${cluster}-control-plane-logs`);
      expect(group.inputs).toMatchObject({ name: `/aws/eks/${cluster}/cluster`, retentionInDays: 365 });
      expect(named(result, `${cluster}-eks`).dependsOn).toContain(group.urn);
    }
    expect(() => validateStackConfig({ ...validateStackConfigInput(), clusters: [{ ...(validateStackConfigInput()["clusters"] as any[])[0], eks: { nodeGroups: [{ name: "g" }], logRetentionDays: 10 } }] })).toThrow(
      /canalkit:clusters\[0\]\.eks\.logRetentionDays = 10: is not allowed\. Fix: use one of 1, 3, 5, 7, 14/,
    );
  });
});

describe("4. upgrades: versions everywhere, in EKS's order, node groups replaced create-first", () => {
  it("node groups carry the version, add-ons the version resolved for it, and depend control plane → add-ons → node groups", async () => {
    const result = await synthWith("staging", (raw) => {
      for (const c of raw["canalkit:clusters"]) c.eks.kubernetesVersion = "1.34";
      raw["canalkit:clusters"][0].eks.nodeGroups[0].releaseVersion = "1.34.1-20251015";
      raw["canalkit:clusters"][1].eks.addonVersions = { "kube-proxy": "v1.34.0-eksbuild.7" };
    });
    for (const cluster of CLUSTERS.staging) {
      const eks = named(result, `${cluster}-eks`);
      expect(eks.inputs["version"]).toBe("1.34");
      const addons = ofType(result, "aws:eks/addon:Addon").filter((a) => a.name.startsWith(`${cluster}-`));
      expect(addons.map((a) => a.inputs["addonName"]).sort()).toEqual(["coredns", "eks-pod-identity-agent", "kube-proxy"]);
      for (const addon of addons) {
        expect(addon.dependsOn).toContain(eks.urn);
        const pinned = cluster === "stg-west" && addon.inputs["addonName"] === "kube-proxy";
        expect(addon.inputs["addonVersion"]).toBe(pinned ? "v1.34.0-eksbuild.7" : "v1.34.0-eksbuild.offline");
      }
      const group = named(result, `${cluster}-general`, NODE_GROUP);
      expect(group.inputs["version"]).toBe("1.34");
      expect(group.inputs["releaseVersion"]).toBe(cluster === "stg-east" ? "1.34.1-20251015" : undefined);
      for (const name of ["kube-proxy", "eks-pod-identity-agent"]) expect(group.dependsOn).toContain(named(result, `${cluster}-${name}`).urn);
      // CoreDNS needs running pods, so it follows the node groups (and the CNI).
      expect(named(result, `${cluster}-coredns`).dependsOn).toContain(group.urn);
    }
  });

  it("node groups have a name prefix, not a name, so a replacement creates the new group first", async () => {
    const result = await stack("prod");
    for (const group of ofType(result, "aws:eks/nodeGroup:NodeGroup")) {
      expect(group.inputs["nodeGroupName"]).toBeUndefined();
      expect(group.inputs["nodeGroupNamePrefix"]).toBe("general-");
      expect(group.options.deleteBeforeReplace).toBe(false);
    }
    for (const lt of ofType(result, "aws:ec2/launchTemplate:LaunchTemplate")) expect(lt.inputs["name"]).toBeUndefined();
  });

  it("refuses a release version of another Kubernetes version", async () => {
    await expect(synthWith("dev", (raw) => (raw["canalkit:clusters"][0].eks.nodeGroups[0].releaseVersion = "1.32.9-20250101"))).rejects.toThrow(
      /^canalkit:clusters\[0\]\.eks\.nodeGroups\[0\]\.releaseVersion = "1\.32\.9-20250101": is not a release of Kubernetes 1\.33/,
    );
  });

  it("every cluster depends on its version guard, which carries the config key", async () => {
    const result = await stack("staging");
    CLUSTERS.staging.forEach((cluster, i) => {
      const guard = named(result, `${cluster}-version`);
      expect(guard.type).toBe("pulumi-nodejs:dynamic/canalkit:KubernetesVersionGuard");
      expect(guard.inputs).toMatchObject({ clusterName: cluster, kubernetesVersion: "1.33", field: `canalkit:clusters[${i}].eks.kubernetesVersion` });
      expect(named(result, `${cluster}-eks`).dependsOn).toContain(guard.urn);
    });
  });
});

describe("5. destroy: Kubernetes objects go before the network, and a way out without an API server", () => {
  it.each(["dev", "staging", "prod"] as const)("%s: each gateway Service goes through a provider that depends on every subnet, gateway and the VPC", async (name) => {
    const result = await stack(name);
    for (const cluster of CLUSTERS[name]) {
      const provider = result.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === `${cluster}-k8s`)!;
      const network = result.resources.filter((r) => r.custom && r.type.startsWith("aws:ec2/") && r.name.startsWith(`${cluster}-`) && !r.name.includes("flow-log"));
      const mustOutlive = network.filter((r) => ["aws:ec2/subnet:Subnet", "aws:ec2/vpc:Vpc", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway", "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/routeTable:RouteTable"].includes(r.type));
      expect(mustOutlive.length).toBeGreaterThanOrEqual(8);
      expect(provider.dependsOn).toEqual(expect.arrayContaining(mustOutlive.map((r) => r.urn)));
      const services = ofType(result, "kubernetes:core/v1:Service").filter((s) => (s.inputs["spec"] as any)?.type === "LoadBalancer" && s.provider?.startsWith(`${provider.urn}::`));
      expect(services.length).toBeGreaterThanOrEqual(1);
    }
    // No Service is skipped on delete: a retained Service would leave its load balancer behind.
    // (Namespaces for services are retained on purpose; they go with the cluster.)
    const retained = result.resources.filter((r) => r.options.retainOnDelete);
    expect(retained.filter((r) => r.type !== "kubernetes:core/v1:Namespace").map((r) => r.name)).toEqual([]);
  });

  it.each(["dev", "staging", "prod"] as const)("%s: in-cluster objects go with their EKS cluster (no finalizer waits); Services, PVCs, Ingresses and Helm releases are deleted first", async (name) => {
    const result = await stack(name);
    const eksUrn = (providerRef: string | null) => {
      const providerName = providerRef?.split("::")[3] ?? "";
      return named(result, `${providerName.replace(/-k8s$/, "")}-eks`, "aws:eks/cluster:Cluster")?.urn;
    };
    const objects = result.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    expect(objects.length).toBeGreaterThan(50);
    for (const r of objects) {
      const explicit = /^kubernetes:(core\/v1:(Service|PersistentVolumeClaim)$|networking\.k8s\.io\/v1:Ingress$|gateway\.networking\.k8s\.io\/|helm\.sh\/)/.test(r.type);
      expect([r.type, r.name, r.options.deletedWith]).toEqual([r.type, r.name, explicit ? null : eksUrn(r.provider)]);
    }
    // Among them the CRDs and namespaces, whose deletion would otherwise wait on every custom resource's finalizers.
    expect(objects.some((r) => r.type.endsWith(":CustomResourceDefinition") && r.options.deletedWith)).toBe(true);
    // Nothing outside Kubernetes is skipped.
    expect(result.resources.filter((r) => !r.type.startsWith("kubernetes:") && r.options.deletedWith).map((r) => r.name)).toEqual([]);
  });

  it("an unreachable cluster's objects are dropped from state on destroy (deleteUnreachable), others untouched", async () => {
    // By default no provider records deleteUnreachable, so `PULUMI_K8S_DELETE_UNREACHABLE=true pulumi destroy`
    // reaches the provider (it reads the variable only when the setting is absent).
    for (const name of ["dev", "staging", "prod"] as const) {
      for (const p of ofType(await stack(name), "pulumi:providers:kubernetes")) expect([p.name, p.inputs["deleteUnreachable"]]).toEqual([p.name, undefined]);
    }
    const result = await synthWith("dev", (raw) => (raw["canalkit:destroy"] = { unreachableClusters: ["dev-west"] }));
    const providers = ofType(result, "pulumi:providers:kubernetes");
    expect(providers.find((p) => p.name === "dev-west-k8s")!.inputs["deleteUnreachable"]).toBe("true");
    expect(providers.find((p) => p.name === "dev-east-k8s")!.inputs["deleteUnreachable"]).toBeUndefined();
    await expect(synthWith("dev", (raw) => (raw["canalkit:destroy"] = { unreachableClusters: ["dev-north"] }))).rejects.toThrow(
      /canalkit:destroy\.unreachableClusters\[0\] = "dev-north": is not a cluster of the stack\. Fix: use one of dev-east, dev-west/,
    );
  });
});

describe("6. outputs for StackReference", () => {
  const keys = [
    "clusterName", "region", "kubernetesVersion", "kubeconfig", "endpoint", "certificateAuthorityData", "apiAccess", "deployRoleArn", "oidcIssuer", "podIdentity",
    "nodeRoleArn", "nodeRoleName", "clusterSecurityGroupId", "nodeSecurityGroupId", "controlPlaneSecurityGroupId", "topology", "podCidr", "serviceCidr", "podMtu",
    "vpcId", "vpcCidr", "privateSubnetIds", "publicSubnetIds", "privateRouteTableIds",
  ];

  it.each(["dev", "staging", "prod"] as const)("%s: every cluster exports the same keys, the kubeconfig only as a secret", async (name) => {
    const result = await stack(name);
    for (const cluster of CLUSTERS[name]) {
      const out = result.outputs[cluster] as Record<string, any>;
      expect(Object.keys(out).sort()).toEqual([...keys].sort());
      expect(out["kubeconfig"]).toBe("[secret]");
      expect(out["oidcIssuer"]).toMatch(/^https:\/\/oidc\.eks\./);
      expect(out["nodeRoleArn"]).toMatch(new RegExp(`^arn:aws:iam::\\d{12}:role/${cluster}-node-role`));
      expect(out["privateSubnetIds"]).toEqual((named(result, `${cluster}-eks`).inputs["vpcConfig"] as any).subnetIds);
      expect(out["nodeSecurityGroupId"]).toBe(named(result, `${cluster}-nodes-sg`).id);
    }
    const set = result.outputs["clusterSet"] as Record<string, any>;
    expect(Object.keys(set.gateways).sort()).toEqual([...CLUSTERS[name]].sort());
    expect(Object.keys(set.services).length).toBeGreaterThan(0);
    expect(JSON.stringify(result.outputs)).not.toMatch(/get-token|BEGIN CERTIFICATE/);
  });

  it("docs/outputs.md documents every output key", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(join(__dirname, "../../docs/outputs.md"), "utf8");
    for (const key of [...keys, "clusterSet", "gateways", "services", "clusterKeys"]) expect(doc).toContain(`\`${key}\``);
  });
});
