import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/canalkit";
import { validateCustomResource } from "../../components/multicluster";
import { validateStackConfig } from "../../stacks/config/validate";
import { validateMultiCluster } from "../../stacks/program";
import { runSynth } from "../../synth/runStack";
import { validateKubernetesObjects } from "../support/validateKubernetes";

const out = mkdtempSync(join(tmpdir(), "canalkit-mcs-"));
const manifests = (stackDir: string, cluster: string) => {
  const dir = join(stackDir, "manifests", cluster);
  return readdirSync(dir).map((f) => ({ file: f, object: parse(readFileSync(join(dir, f), "utf8")) }));
};

describe("multi-cluster services in the stacks", () => {
  it("dev: ErieCanal in both clusters, joined into one set, one service ActiveActive from both", async () => {
    const run = await runSynth({ stack: "dev", outDir: out });
    const services = run.result.resources.filter((r) => r.type === "canalkit:multicluster:MultiClusterService");
    expect(services.map((s) => s.inputs)).toEqual([expect.objectContaining({ name: "echo", namespace: "demo", mode: "ActiveActive", exporters: ["dev-east", "dev-west"], consumers: ["dev-east", "dev-west"], weights: { "dev-east": 50, "dev-west": 50 } })]);
    for (const cluster of ["dev-east", "dev-west"]) {
      const objects = manifests(run.stackDir, cluster);
      const kinds = objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`);
      expect(kinds).toEqual(expect.arrayContaining(["Deployment/erie-canal-manager", "Service/erie-canal-ingress-pipy-controller", "IngressClass/pipy", "ServiceExport/echo", "GlobalTrafficPolicy/echo", "ClusterProperty/clusterset.k8s.io"]));
      // EKS under Canal: the manager's webhooks are served from the host network.
      expect(objects.find((o) => o.object.kind === "Deployment" && o.object.metadata.name === "erie-canal-manager")!.object.spec.template.spec.hostNetwork).toBe(true);
      // The internal gateway admits the set's VPCs (the consumers' sidecars), not every address.
      expect(objects.find((o) => o.object.kind === "Service" && o.object.metadata.name === "erie-canal-ingress-pipy-controller")!.object.spec.loadBalancerSourceRanges).toEqual(["10.10.0.0/16", "10.11.0.0/16"]);
      await validateKubernetesObjects(objects.map((o) => o.object).filter((o) => /^(v1|apps\/v1|rbac|networking|admissionregistration|apiextensions)/.test(o.apiVersion) && o.kind !== "Secret"));
      for (const o of objects.filter((o) => o.object.apiVersion === "flomesh.io/v1alpha1" && o.object.kind !== "Cluster")) expect(validateCustomResource(o.object)).toEqual([]);
    }
    const clusters = manifests(run.stackDir, "dev-east").filter((o) => o.object.kind === "Cluster").map((o) => o.object.metadata.name);
    expect(clusters.sort()).toEqual(["dev-east", "dev-west"]);
    expect(run.result.outputs["clusterSet"]).toMatchObject({ clusterKeys: { "dev-east": "us-east-1/default/default/dev-east", "dev-west": "us-east-1/default/default/dev-west" } });
  });

  it("prod: one FailOver and one ActiveActive service across 2 regions, cert-manager, and the summary names them", async () => {
    const lines: string[] = [];
    expect(await main(["synth", "--stack", "prod", "--out", out, "--quiet"], (s) => lines.push(s), () => {})).toBe(0);
    const text = lines.join("\n");
    expect(text).toContain("payments/payments  FailOver: exported from prod-use1-a, prod-usw2; consumed in prod-use1-a (prod-use1-a → prod-usw2), prod-usw2 (prod-usw2 → prod-use1-a)");
    expect(text).toContain("shop/catalog  ActiveActive: exported from prod-use1-a (70), prod-usw2 (30); consumed in prod-use1-b, prod-usw2");
    const gtp = manifests(join(out, "prod"), "prod-usw2").find((o) => o.object.kind === "GlobalTrafficPolicy" && o.object.metadata.name === "payments")!.object;
    expect(gtp.spec).toEqual({ lbType: "FailOver", targets: [{ clusterKey: "us-west-2/default/default/prod-usw2" }, { clusterKey: "us-east-1/default/default/prod-use1-a" }] });
    const resources = JSON.parse(readFileSync(join(out, "prod", "resources.json"), "utf8")) as { type: string; inputs: Record<string, any> }[];
    const certManagers = resources.filter((r) => r.type === "kubernetes-cert-manager:index:CertManager");
    expect(certManagers).toHaveLength(3);
    expect(certManagers[0]!.inputs["webhook"]).toEqual({ hostNetwork: true, securePort: 9445 });
    const gateway = manifests(join(out, "prod"), "prod-usw2").find((o) => o.object.metadata.name === "erie-canal-ingress-pipy-controller")!.object;
    expect(gateway.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internal");
    expect(gateway.spec.ports.map((p: any) => p.port)).toEqual([80, 443]);
  });
});

describe("bad multi-cluster input in a stack", () => {
  const devWith = (change: (set: any) => void) => {
    const doc = parse(readFileSync(join(__dirname, "../../stacks/Pulumi.dev.yaml"), "utf8"));
    change(doc.config["canalkit:clusterSet"]);
    const file = join(mkdtempSync(join(tmpdir(), "canalkit-bad-")), "Pulumi.bad.yaml");
    require("node:fs").writeFileSync(file, require("yaml").stringify(doc));
    return file;
  };
  const synthErrors = async (file: string) => {
    const errors: string[] = [];
    const code = await main(["synth", "--config", file, "--out", out, "--quiet"], () => {}, (s) => errors.push(s));
    return { code, text: errors.join("\n") };
  };

  it("names the service, the cluster outside the set and the fix, before anything is written", async () => {
    const { code, text } = await synthErrors(devWith((set) => set.services[0].consumers.push("dev-north")));
    expect(code).toBe(1);
    expect(text).toMatch(/canalkit:clusterSet\.services\[0\]/);
    expect(text).toMatch(/dev-north/);
  });

  it("is refused from config alone, before the program registers any resource", () => {
    const doc = parse(readFileSync(join(__dirname, "../../stacks/Pulumi.dev.yaml"), "utf8"));
    const values = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k.replace(/^canalkit:/, ""), v]));
    (values["clusterSet"] as any).services[0].consumers.push("dev-north");
    expect(() => validateMultiCluster(validateStackConfig(values))).toThrow(/canalkit:clusterSet\.services\[0\].*dev-north/);
  });

  it("refuses ActiveActive weights on a FailOver service", async () => {
    const { code, text } = await synthErrors(devWith((set) => (set.services[0].mode = "FailOver")));
    expect(code).toBe(1);
    expect(text).toMatch(/canalkit:clusterSet.services\[0\].exporters\[0\].weight = 50: only applies to ActiveActive, but echo is FailOver. Fix: remove the weights and list the exporters in order of preference/);
  });
});
