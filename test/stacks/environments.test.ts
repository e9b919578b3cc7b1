import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { runSynth } from "../../synth/runStack";

const out = mkdtempSync(join(tmpdir(), "canalkit-envs-"));

describe.each([
  ["dev", ["dev-east", "dev-west"], "vxlan", 8951],
  ["staging", ["stg-east", "stg-west"], "ipip-crosssubnet", 8480],
  ["prod", ["prod-use1-a", "prod-use1-b", "prod-usw2"], "vxlan", 8450],
] as const)("the %s stack", (stack, clusters, topology, mtu) => {
  it("synthesizes offline with an EKS cluster, Canal manifests and CoreDNS after Canal per cluster", async () => {
    const run = await runSynth({ stack, outDir: out });
    const types = run.result.resources.map((r) => r.type);
    expect(types.filter((t) => t === "aws:eks/cluster:Cluster")).toHaveLength(clusters.length);
    expect(readdirSync(join(run.stackDir, "manifests")).sort()).toEqual([...clusters].sort());
    for (const cluster of clusters) {
      const files = readdirSync(join(run.stackDir, "manifests", cluster));
      const config = parse(readFileSync(join(run.stackDir, "manifests", cluster, files.find((f) => f.includes("canal-config"))!), "utf8"));
      expect(config.data.veth_mtu).toBe(String(mtu));
      // Namespaces and CRDs come before every object that needs them.
      const firstOther = files.findIndex((f) => !/-(namespace|customresourcedefinition)-/.test(f));
      expect(firstOther).toBeGreaterThan(0);
      expect(files.slice(firstOther).some((f) => /-(namespace|customresourcedefinition)-/.test(f))).toBe(false);
      const coreDns = run.result.resources.find((r) => r.type === "aws:eks/addon:Addon" && r.name === `${cluster}-coredns`)!;
      const daemonSet = run.result.resources.find((r) => r.type === "kubernetes:apps/v1:DaemonSet" && r.name === `${cluster}-canal-daemonset-canal`)!;
      expect(coreDns.dependsOn).toContain(daemonSet.urn);
    }
    for (const network of run.result.resources.filter((r) => r.type === "canalkit:network:ClusterNetwork")) expect(network.inputs["topology"]).toBe(topology);
    const text = readFileSync(join(run.stackDir, "resources.json"), "utf8") + readFileSync(join(run.stackDir, "outputs.json"), "utf8");
    expect(text).not.toMatch(/kind: Config|get-token|certificate-authority-data/);
    expect(run.result.outputs[clusters[0]]).toMatchObject({ kubeconfig: "[secret]" });
  });
});
