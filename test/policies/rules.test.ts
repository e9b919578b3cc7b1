/**
 * Every policy with a passing and a failing case. Cases are synthesized from the real components;
 * where a component refuses to produce the broken state, the synthesized output is edited the way
 * a hand-written or drifted resource would look, and the test says so.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { EksCluster, ExistingCluster } from "../../components/cluster";
import { Canal } from "../../components/cni";
import { ClusterSet, ErieCanal, MultiClusterService } from "../../components/multicluster";
import { ClusterNetwork, type ClusterNetworkArgs } from "../../components/network";
import { runPolicies } from "../../policies/offline";
import { synthesize, type SynthResource } from "../../synth/engine";
import { edit, violations } from "../support/policyEdits";

const tags = { environment: "prod", owner: "platform" };
const net = (over: Partial<ClusterNetworkArgs> = {}): ClusterNetworkArgs => ({
  region: "us-east-1",
  vpcCidr: "10.10.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  podCidr: "100.64.0.0/16",
  serviceCidr: "172.20.0.0/16",
  tags,
  ...over,
});
const nodeGroups = [{ name: "general", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, desiredSize: 2 }];

/** A full cluster: network, EKS, Canal. */
function fullCluster(name: string, over: Partial<ClusterNetworkArgs> = {}, canalOptions: Record<string, unknown> = {}) {
  const network = new ClusterNetwork(name, net(over));
  const eks = new EksCluster(name, { network, region: "us-east-1", nodeGroups, tags });
  new Canal(`${name}-canal`, { cluster: eks, ...canalOptions });
}

async function resourcesOf(program: () => void): Promise<SynthResource[]> {
  return (await synthesize(program)).resources;
}


const canalConfig = (r: SynthResource) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs as any).metadata?.name === "canal-config";

describe("network policies", () => {
  it("canalkit-cni-ports-not-public", async () => {
    expect(await violations(await resourcesOf(() => fullCluster("a")), "canalkit-cni-ports-not-public")).toEqual([]);
    const bad = await resourcesOf(() => {
      new ClusterNetwork("a", net());
      new aws.vpc.SecurityGroupIngressRule("open-vxlan", { securityGroupId: "sg-1", ipProtocol: "udp", fromPort: 8472, toPort: 8472, cidrIpv4: "0.0.0.0/0" });
      new aws.vpc.SecurityGroupIngressRule("open-ipip", { securityGroupId: "sg-1", ipProtocol: "4", cidrIpv6: "::/0" });
    });
    const found = await violations(bad, "canalkit-cni-ports-not-public");
    expect(found.sort()).toEqual([
      expect.stringMatching(/open-ipip opens protocol 4 to the internet\. Remediation:/),
      expect.stringMatching(/open-vxlan opens protocol udp 8472-8472 to the internet\. Remediation:/),
    ]);
  });

  it("canalkit-sg-rules-match-topology", async () => {
    const good = await resourcesOf(() => {
      new ClusterNetwork("a", net());
      new ClusterNetwork("b", net({ vpcCidr: "10.20.0.0/16", topology: "ipip-crosssubnet" }));
    });
    expect(await violations(good, "canalkit-sg-rules-match-topology")).toEqual([]);
    // Drifted: the VXLAN and IPIP rules removed from the synthesized graph.
    const drifted = good.filter((r) => !/-sgr-.*-(vxlan|ipip)$/.test(r.name));
    const found = await violations(drifted, "canalkit-sg-rules-match-topology");
    expect(found).toEqual([expect.stringMatching(/Cluster a \(vxlan\) lacks UDP 8472 between nodes/), expect.stringMatching(/Cluster b \(ipip-crosssubnet\) lacks IP protocol 4 between nodes/)]);
  });

  it("canalkit-source-dest-check-disabled", async () => {
    expect(await violations(await resourcesOf(() => fullCluster("a", { topology: "ipip-crosssubnet" })), "canalkit-source-dest-check-disabled")).toEqual([]);
    const noCanal = await resourcesOf(() => {
      const network = new ClusterNetwork("a", net({ topology: "native-vpc" }));
      new EksCluster("a", { network, region: "us-east-1", nodeGroups, tags });
    });
    expect(await violations(noCanal, "canalkit-source-dest-check-disabled")).toEqual([expect.stringMatching(/no Canal DaemonSet sets FELIX_AWSSRCDSTCHECK=Disable/)]);
  });

  it("canalkit-native-vpc-route-quota", async () => {
    const good = await resourcesOf(() => fullCluster("a", { topology: "native-vpc" }));
    expect(await violations(good, "canalkit-native-vpc-route-quota")).toEqual([]);
    // The component refuses this; a node group resized outside the kit looks like this.
    const resized = edit(good, (r) => r.type === "aws:eks/nodeGroup:NodeGroup", (i) => (i["scalingConfig"].maxSize = 60));
    expect(await violations(resized, "canalkit-native-vpc-route-quota")).toEqual([expect.stringMatching(/60 nodes = 62 routes per table, over the quota of 50/)]);
  });

  it("canalkit-cidrs-do-not-overlap", async () => {
    const good = await resourcesOf(() => {
      new ClusterNetwork("a", net());
      new ClusterNetwork("b", net({ vpcCidr: "10.20.0.0/16" }));
    });
    expect(await violations(good, "canalkit-cidrs-do-not-overlap")).toEqual([]);
    const bad = await resourcesOf(() => {
      new ClusterNetwork("a", net());
      new ClusterNetwork("b", net({ vpcCidr: "10.10.0.0/17" }));
    });
    expect(await violations(bad, "canalkit-cidrs-do-not-overlap")).toEqual([expect.stringMatching(/Clusters a \(10\.10\.0\.0\/16\) and b \(10\.10\.0\.0\/17\) are connected but their VPC CIDRs overlap/)]);
  });
});

describe("CNI policies", () => {
  it("canalkit-veth-mtu-matches-plan", async () => {
    const good = await resourcesOf(() => fullCluster("a", { pathMtuClass: "inter-region" }));
    expect(await violations(good, "canalkit-veth-mtu-matches-plan")).toEqual([]);
    const zero = edit(good, canalConfig, (i) => (i["data"].veth_mtu = "0"));
    expect(await violations(zero, "canalkit-veth-mtu-matches-plan")).toEqual([expect.stringMatching(/veth_mtu is unset or 0/)]);
    const other = edit(good, canalConfig, (i) => (i["data"].veth_mtu = "8951"));
    expect(await violations(other, "canalkit-veth-mtu-matches-plan")).toEqual([expect.stringMatching(/veth_mtu 8951 differs from the network plan's pod MTU 8450/)]);
  });

  it("canalkit-vxlan-port-matches-sg", async () => {
    const good = await resourcesOf(() => fullCluster("a", { vxlanPort: 4789 }));
    expect(await violations(good, "canalkit-vxlan-port-matches-sg")).toEqual([]);
    const moved = edit(good, canalConfig, (i) => (i["data"]["net-conf.json"] = JSON.stringify({ Network: "100.64.0.0/16", Backend: { Type: "vxlan", Port: 8472 } })));
    expect(await violations(moved, "canalkit-vxlan-port-matches-sg")).toEqual([expect.stringMatching(/flannel uses UDP 8472 but no node security-group rule opens it/)]);
  });

  it("canalkit-images-pinned", async () => {
    const found = await violations(
      await resourcesOf(() => {
        fullCluster("a");
        new k8s.apps.v1.Deployment("web", { spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "web", image: "nginx:latest" }, { name: "side", image: "busybox" }] } } } });
      }),
      "canalkit-images-pinned",
    );
    expect(found).toEqual([expect.stringMatching(/container web uses unpinned image nginx:latest/), expect.stringMatching(/container side uses unpinned image busybox/)]);
  });

  it("canalkit-felix-chain-insert-mode", async () => {
    expect(await violations(await resourcesOf(() => fullCluster("a")), "canalkit-felix-chain-insert-mode")).toEqual([]);
    const append = await resourcesOf(() => fullCluster("a", {}, { chainInsertMode: "append", allowAppendChainInsertMode: true }));
    expect(await violations(append, "canalkit-felix-chain-insert-mode")).toEqual([expect.stringMatching(/sets FELIX_CHAININSERTMODE=append/)]);
  });
});

describe("security policies", () => {
  const bareCluster = (extra: Record<string, unknown>) => () => {
    new aws.eks.Cluster("raw", { roleArn: "arn:aws:iam::1:role/x", vpcConfig: { subnetIds: ["s-1"], ...extra }, tags });
  };

  it("canalkit-eks-public-endpoint-restricted", async () => {
    expect(await violations(await resourcesOf(() => fullCluster("a")), "canalkit-eks-public-endpoint-restricted")).toEqual([]);
    expect(await violations(await resourcesOf(bareCluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })), "canalkit-eks-public-endpoint-restricted")).toHaveLength(1);
  });

  it("canalkit-imdsv2-required", async () => {
    expect(await violations(await resourcesOf(() => fullCluster("a")), "canalkit-imdsv2-required")).toEqual([]);
    expect(await violations(await resourcesOf(() => void new aws.ec2.LaunchTemplate("lt", { tags })), "canalkit-imdsv2-required")).toEqual([expect.stringMatching(/lt: instance metadata allows IMDSv1/)]);
  });

  it("canalkit-eks-secrets-encryption", async () => {
    expect(await violations(await resourcesOf(() => fullCluster("a")), "canalkit-eks-secrets-encryption")).toEqual([]);
    expect(await violations(await resourcesOf(bareCluster({ endpointPublicAccess: false })), "canalkit-eks-secrets-encryption")).toHaveLength(1);
  });

  it("canalkit-internet-facing-load-balancers", async () => {
    const program = (annotations: Record<string, string>) => () => {
      const c = new ExistingCluster("lab", { kubeconfig: pulumi.secret("k"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 8951, isEks: true });
      new k8s.core.v1.Service("gw", { metadata: { annotations }, spec: { type: "LoadBalancer", ports: [{ port: 443 }] } }, { provider: c.provider });
    };
    const open = await resourcesOf(program({}));
    expect(await violations(open, "canalkit-internet-facing-load-balancers")).toEqual([expect.stringMatching(/gw: the load balancer is internet-facing/)]);
    expect(await violations(open, "canalkit-internet-facing-load-balancers", { config: { "canalkit-internet-facing-load-balancers": { allowInternetFacing: true } } })).toEqual([]);
    expect(await violations(await resourcesOf(program({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" })), "canalkit-internet-facing-load-balancers")).toEqual([]);
  });

  it("canalkit-required-tags", async () => {
    expect(await violations(await resourcesOf(() => fullCluster("a")), "canalkit-required-tags")).toEqual([]);
    expect(await violations(await resourcesOf(() => void new aws.ec2.Vpc("untagged", { cidrBlock: "10.0.0.0/16", tags: { owner: "me" } })), "canalkit-required-tags")).toEqual([expect.stringMatching(/untagged: missing tag environment/)]);
  });
});

describe("enforcement", () => {
  it("is advisory in dev, mandatory in prod, and overridable per policy", async () => {
    const bad = await resourcesOf(() => void new aws.ec2.LaunchTemplate("lt", { tags }));
    const level = async (options: Partial<Parameters<typeof runPolicies>[1]>) =>
      (await runPolicies(bad, { environment: "prod", ...options })).violations.find((v) => v.policy === "canalkit-imdsv2-required")?.enforcementLevel;
    expect(await level({ environment: "dev" })).toBe("advisory");
    expect(await level({ environment: "prod" })).toBe("mandatory");
    expect(await level({ environment: "prod", overrides: { "canalkit-imdsv2-required": "advisory" } })).toBe("advisory");
    expect(await level({ environment: "prod", overrides: { "canalkit-imdsv2-required": "disabled" } })).toBeUndefined();
    const report = await runPolicies(bad, { environment: "prod" });
    expect(report.summary.mandatory).toBe(report.violations.filter((v) => v.enforcementLevel === "mandatory").length);
  });
});

describe("multi-cluster policies", () => {

  /** Three clusters in a set with a stand-in ErieCanal, and a FailOver service. */
  function setWithService(change: (spec: any) => void = () => undefined) {
    return () => {
      const member = (name: string, cidr: string) => {
        const cluster = new ExistingCluster(name, { kubeconfig: pulumi.secret(`apiVersion: v1\nkind: Config\ncurrent-context: ${name}\n`), topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, isEks: true, vpcCidr: cidr });
        return { cluster, erieCanal: { namespace: "erie-canal", gatewayHost: `gw.${name}`, gatewayPort: 80, ready: [] }, apiServer: { url: `https://${name}`, certificateAuthorityData: "Q0E=" } };
      };
      const hub = member("hub", "10.30.0.0/16");
      const east = member("east", "10.31.0.0/16");
      const west = member("west", "10.40.0.0/16");
      const set = new ClusterSet("s", { name: "s", controlPlane: "hub", members: [hub, east, west] });
      const spec = { clusterSet: set.plan, members: { hub, east, west }, name: "web", namespace: "shop", consumers: ["east"], mode: "FailOver", exporters: [{ cluster: "east", service: { ports: [{ port: 8080 }] }, selector: { app: "web" } }, { cluster: "west", service: { ports: [{ port: 8080 }] }, selector: { app: "web" } }] };
      change(spec);
      new MultiClusterService("web", spec as never);
    };
  }
  const services = (r: SynthResource) => r.type === "kubernetes:core/v1:Service";

  it("canalkit-service-export-has-service and canalkit-exports-agree", async () => {
    const good = await resourcesOf(setWithService());
    expect(await violations(good, "canalkit-service-export-has-service")).toEqual([]);
    expect(await violations(good, "canalkit-exports-agree")).toEqual([]);
    // The kit refuses both at preview; a Service edited or removed by hand looks like this.
    const noService = good.filter((r) => !(services(r) && r.name.includes("west")));
    expect(await violations(noService, "canalkit-service-export-has-service")).toEqual([expect.stringMatching(/ServiceExport shop\/web in west has no Service in that cluster/)]);
    const drifted = edit(good, (r) => services(r) && r.name.includes("west"), (i) => (i["spec"].ports = [{ port: 9090 }]));
    expect(await violations(drifted, "canalkit-service-export-has-service")).toEqual([expect.stringMatching(/exports port\(s\) 8080 that its Service does not declare/)]);
    expect(await violations(drifted, "canalkit-exports-agree")).toEqual([expect.stringMatching(/shop\/web is exported from east as ClusterIP 8080 but from west as ClusterIP 9090/)]);
  });

  it("canalkit-traffic-policy-targets", async () => {
    const good = await resourcesOf(setWithService());
    expect(await violations(good, "canalkit-traffic-policy-targets")).toEqual([]);
    const gtp = (r: SynthResource) => r.type === "kubernetes:flomesh.io/v1alpha1:GlobalTrafficPolicy";
    const outside = edit(good, gtp, (i) => (i["spec"].targets = [{ clusterKey: "default/default/default/mars" }]));
    expect(await violations(outside, "canalkit-traffic-policy-targets")).toEqual([expect.stringMatching(/targets default\/default\/default\/mars, which is not a member/)]);
    const empty = edit(good, gtp, (i) => (i["spec"].targets = []));
    expect(await violations(empty, "canalkit-traffic-policy-targets")).toEqual([expect.stringMatching(/is FailOver with no target/)]);
    // osm-edge v1.3.0 would spread these calls evenly over both standbys.
    const twoStandbys = edit(good, gtp, (i) => (i["spec"].targets = [{ clusterKey: "default/default/default/west" }, { clusterKey: "default/default/default/hub" }]));
    expect(await violations(twoStandbys, "canalkit-traffic-policy-targets")).toEqual([expect.stringMatching(/shop\/web in east is FailOver to default\/default\/default\/west, default\/default\/default\/hub: osm-edge v1.3.0 spreads calls evenly/)]);
    // … and read a weight of 0 as full weight.
    const zero = edit(good, gtp, (i) => (i["spec"] = { lbType: "ActiveActive", targets: [{ clusterKey: "default/default/default/west", weight: 0 }] }));
    expect(await violations(zero, "canalkit-traffic-policy-targets")).toEqual([expect.stringMatching(/gives default\/default\/default\/west weight 0, which osm-edge v1.3.0 reads as full weight/)]);
  });

  it("canalkit-kubeconfigs-only-in-secrets", async () => {
    expect(await violations(await resourcesOf(setWithService()), "canalkit-kubeconfigs-only-in-secrets")).toEqual([]);
    const leaked = await resourcesOf(() => void new k8s.core.v1.ConfigMap("leak", { data: { config: "apiVersion: v1\nkind: Config\nusers: []\n" } }));
    expect(await violations(leaked, "canalkit-kubeconfigs-only-in-secrets")).toEqual([expect.stringMatching(/leak: data\.config holds a kubeconfig in clear/)]);
  });

  /** Two EKS-like members with the real ErieCanal install, joined into a set. */
  function setWithErieCanal(options: { tls?: boolean } = {}) {
    return () => {
      const member = (name: string, cidr: string) => {
        const cluster = new ExistingCluster(name, { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, isEks: true, vpcCidr: cidr });
        const erieCanal = new ErieCanal(`${name}-ec`, { cluster, ...(options.tls ? { gateway: { tls: {} } } : {}) });
        return { cluster, erieCanal, apiServer: { url: `https://${name}`, certificateAuthorityData: "Q0E=" } };
      };
      new ClusterSet("s", { name: "s", controlPlane: "hub", members: [member("hub", "10.30.0.0/16"), member("east", "10.31.0.0/16")] });
    };
  }
  const erieCanal = (cluster: string) => (r: SynthResource) => r.type === "canalkit:multicluster:ErieCanal" && r.name === `${cluster}-ec`;

  it("canalkit-erie-canal-same-namespace", async () => {
    const good = await resourcesOf(setWithErieCanal());
    expect(await violations(good, "canalkit-erie-canal-same-namespace")).toEqual([]);
    // ClusterSet refuses differing namespaces at preview; an install outside the set's plan looks like this.
    const apart = edit(good, erieCanal("east"), (i) => (i["namespace"] = "flomesh"));
    expect(await violations(apart, "canalkit-erie-canal-same-namespace")).toEqual([expect.stringMatching(/ErieCanal in east runs in namespace flomesh, but the cluster set s uses erie-canal/)]);
  });

  it("stack policies read what a component registered as outputs, not its inputs (what the engine sends AnalyzeStack)", async () => {
    const good = await resourcesOf(setWithErieCanal());
    const erieCanal = (r: SynthResource) => r.type === "canalkit:multicluster:ErieCanal" && (r.inputs as any).clusterName === "east";
    const inputsOnly = good.map((r) => (erieCanal(r) ? { ...r, inputs: { ...r.inputs, namespace: "flomesh" } } : r));
    expect(await violations(inputsOnly, "canalkit-erie-canal-same-namespace")).toEqual([]);
    const outputsOnly = good.map((r) => (erieCanal(r) ? { ...r, outputs: { ...r.outputs, namespace: "flomesh" } } : r));
    expect(await violations(outputsOnly, "canalkit-erie-canal-same-namespace")).toEqual([expect.stringMatching(/ErieCanal in east runs in namespace flomesh/)]);
  });

  it("canalkit-required-tags takes the tags to require from its config schema", async () => {
    const resources = await resourcesOf(() => fullCluster("a"));
    expect(await violations(resources, "canalkit-required-tags")).toEqual([]);
    const strict = await violations(resources, "canalkit-required-tags", { config: { "canalkit-required-tags": { requiredTags: ["environment", "owner", "cost-center"] } } });
    expect(strict.length).toBeGreaterThan(0);
    expect(strict[0]).toMatch(/missing tag cost-center/);
  });

  it("canalkit-webhooks-reachable", async () => {
    const good = await resourcesOf(setWithErieCanal());
    expect(await violations(good, "canalkit-webhooks-reachable")).toEqual([]);
    const manager = (r: SynthResource) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "east-ec-deployment-erie-canal-manager";
    const podNetwork = edit(good, manager, (i) => (i["spec"].template.spec.hostNetwork = false));
    expect(await violations(podNetwork, "canalkit-webhooks-reachable")).toEqual([expect.stringMatching(/Deployment erie-canal\/erie-canal-manager in east serves ErieCanal's webhooks without host networking/)]);
    const described = edit(good, erieCanal("hub"), (i) => (i["webhookHostNetwork"] = false));
    expect(await violations(described, "canalkit-webhooks-reachable")).toEqual([expect.stringMatching(/ErieCanal's manager in hub serves webhooks from a pod IP/)]);
    // Where the control plane reaches pods, the pod network is fine.
    const reachable = await resourcesOf(() => {
      const cluster = new ExistingCluster("lab", { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 1450, isEks: false });
      new ErieCanal("lab-ec", { cluster });
    });
    expect(await violations(reachable, "canalkit-webhooks-reachable")).toEqual([]);
  });

  it("canalkit-gateway-tls", async () => {
    const plain = await resourcesOf(setWithErieCanal());
    expect(await violations(plain, "canalkit-gateway-tls")).toEqual([expect.stringMatching(/the gateway of hub serves plain HTTP only/), expect.stringMatching(/the gateway of east serves plain HTTP only/)]);
    expect(await violations(plain, "canalkit-gateway-tls", { environment: "dev" })).toEqual([]);
    expect(await violations(await resourcesOf(setWithErieCanal({ tls: true })), "canalkit-gateway-tls")).toEqual([]);
  });
});
