/**
 * Every example synthesizes offline as the program its README describes. The package name
 * `canalkit` resolves to the kit's source here (vitest alias); `npm run typecheck` type-checks the
 * examples the same way.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { runPolicies } from "../../policies/offline";
import { synthesize } from "../../synth/engine";

const examples = join(__dirname, "../../examples");
const projectOf = (example: string) => parse(readFileSync(join(examples, example, "Pulumi.yaml"), "utf8")).name as string;

async function synthExample(example: string, config: Record<string, string> = {}, secretKeys: string[] = []) {
  const project = projectOf(example);
  return synthesize(async () => ({ ...(await import(join(examples, example, "index.ts"))) }), {
    project,
    stack: "example",
    config: Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, v])),
    secretKeys: secretKeys.map((k) => `${project}:${k}`),
  });
}

const count = (result: Awaited<ReturnType<typeof synthExample>>, type: string) => result.resources.filter((r) => r.type === type).length;

describe("examples", () => {
  it("every example has a program, its own Pulumi.yaml, package.json depending on canalkit, and a README", () => {
    const dirs = readdirSync(examples, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs).toEqual(["existing-cluster", "single-cluster", "three-cluster-gateway", "two-region-failover"]);
    for (const dir of dirs) {
      for (const file of ["index.ts", "Pulumi.yaml", "package.json", "README.md", "tsconfig.json"]) expect(readdirSync(join(examples, dir))).toContain(file);
      expect(JSON.parse(readFileSync(join(examples, dir, "package.json"), "utf8")).dependencies.canalkit).toBe("file:../..");
    }
  });

  it("single-cluster: one EKS cluster with Canal at the VXLAN MTU", async () => {
    const result = await synthExample("single-cluster", { "aws:region": "us-east-1", runnerCidrs: '["203.0.113.10/32"]' });
    expect(count(result, "aws:eks/cluster:Cluster")).toBe(1);
    expect(count(result, "canalkit:cni:Canal")).toBe(1);
    expect(result.outputs).toMatchObject({ kubeconfig: "[secret]", podMtu: 8951 });
    // The runner reaches the API server through a public endpoint open only to its range (issue 18).
    expect(result.resources.find((r) => r.type === "aws:eks/cluster:Cluster")!.inputs["vpcConfig"]).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.10/32"] });
  });

  it("existing-cluster: Canal for a cluster stated by its facts", async () => {
    const result = await synthExample("existing-cluster", { kubeconfig: "apiVersion: v1\nkind: Config\n" }, ["kubeconfig"]);
    expect(count(result, "canalkit:cluster:ExistingCluster")).toBe(1);
    expect(result.outputs["canalSettings"]).toEqual({ topology: "vxlan", vethMtu: 1450, nodePodCidrAllocator: false });
    expect(JSON.stringify(result)).not.toContain("kind: Config");
  });

  it("two-region-failover: FailOver preferring the local copy, osm-edge on the consuming side", async () => {
    const result = await synthExample("two-region-failover", { runnerCidrs: '["203.0.113.10/32"]', westKubeconfig: "apiVersion: v1\nkind: Config\n", westApiServer: "https://west.example.com:6443", westCertificateAuthorityData: "Q0E=" }, ["westKubeconfig"]);
    const gtp = result.resources.find((r) => r.type === "kubernetes:flomesh.io/v1alpha1:GlobalTrafficPolicy")!;
    expect((gtp.inputs["spec"] as any).lbType).toBe("FailOver");
    expect((gtp.inputs["spec"] as any).targets.map((t: any) => t.clusterKey)).toEqual(["eu-west-1/default/default/west", "us-east-1/default/default/east"]);
    expect(count(result, "canalkit:multicluster:OsmEdge")).toBe(1);
    expect(count(result, "pulumi-nodejs:dynamic/canalkit:MeshProbe")).toBe(1);
    expect(count(result, "kubernetes-cert-manager:index:CertManager")).toBe(2);
  });

  it("three-cluster-gateway: ActiveActive 50/30/20, Gateway API with TLS, no mandatory policy violation in prod", async () => {
    const result = await synthExample("three-cluster-gateway", { runnerCidrs: '["203.0.113.10/32"]' });
    // Every API server reachable from the runner only; the internal gateways admit the set only.
    for (const eks of result.resources.filter((r) => r.type === "aws:eks/cluster:Cluster")) expect(eks.inputs["vpcConfig"]).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.10/32"] });
    const gatewayServices = result.resources.filter((r) => r.type === "kubernetes:core/v1:Service" && (r.inputs as any).metadata?.name === "erie-canal-ingress-pipy-controller");
    expect(gatewayServices.map((r) => (r.inputs as any).spec.loadBalancerSourceRanges)).toEqual([0, 1, 2].map(() => ["10.50.0.0/16", "10.51.0.0/16", "10.52.0.0/16"]));
    const gtps = result.resources.filter((r) => r.type === "kubernetes:flomesh.io/v1alpha1:GlobalTrafficPolicy");
    expect(gtps).toHaveLength(3);
    expect((gtps[0]!.inputs["spec"] as any).targets.map((t: any) => t.weight)).toEqual([50, 30, 20]);
    expect(count(result, "kubernetes:gateway.networking.k8s.io/v1:Gateway")).toBe(3);
    // East-west on EKS: osm-edge in every consumer, its injector on the host network, a probe each.
    expect(count(result, "canalkit:multicluster:OsmEdge")).toBe(3);
    expect(count(result, "pulumi-nodejs:dynamic/canalkit:MeshProbe")).toBe(3);
    const injectors = result.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata?.name === "osm-injector");
    expect(injectors.map((r) => (r.inputs as any).spec.template.spec.hostNetwork)).toEqual([true, true, true]);
    expect(count(result, "kubernetes:cert-manager.io/v1:Certificate")).toBeGreaterThanOrEqual(3);
    const canalConfig = result.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs as any).metadata?.name === "canal-config")!;
    expect((canalConfig.inputs as any).data.veth_mtu).toBe("8450");
    const report = await runPolicies(result.resources, { environment: "prod" });
    expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });
});
