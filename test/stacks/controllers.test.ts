import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { runSynth } from "../../synth/runStack";

const out = mkdtempSync(join(tmpdir(), "canalkit-controllers-"));

describe("controllers in the stacks (registered offline, never run by synth)", () => {
  it("dev: a verified join per member, and the service's reconciler after the joins", async () => {
    const run = await runSynth({ stack: "dev", outDir: out });
    const joins = run.result.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/canalkit:ClusterJoin");
    expect(joins.map((j) => j.inputs["memberName"]).sort()).toEqual(["dev-east", "dev-west"]);
    for (const j of joins) expect(j.inputs).toMatchObject({ controlPlaneName: "dev-east", namespace: "erie-canal", controlPlaneKubeconfig: "[secret]", memberKubeconfig: "[secret]" });
    const reconciler = run.result.resources.find((r) => r.type === "pulumi-nodejs:dynamic/canalkit:ExportReconciler")!;
    expect(reconciler.inputs).toMatchObject({ serviceName: "echo", namespace: "demo", exporters: "[secret]", consumers: "[secret]" });
    expect(reconciler.dependsOn).toEqual(expect.arrayContaining(joins.map((j) => j.urn)));
  });

  it("native-vpc: the route reconciler gets the cluster's private route tables and runs after Canal", async () => {
    const doc = parse(readFileSync(join(__dirname, "../../stacks/Pulumi.dev.yaml"), "utf8"));
    for (const cluster of doc.config["canalkit:clusters"]) cluster.network.topology = "native-vpc";
    delete doc.config["canalkit:clusterSet"];
    const file = join(mkdtempSync(join(tmpdir(), "canalkit-native-")), "Pulumi.native.yaml");
    writeFileSync(file, stringify(doc));
    const run = await runSynth({ configFile: file, outDir: out });
    const routes = run.result.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/canalkit:VpcRouteReconciler");
    expect(routes.map((r) => r.inputs["clusterName"])).toEqual(["dev-east", "dev-west"]);
    const east = routes[0]!;
    const privateTables = run.result.resources.filter((r) => r.type === "aws:ec2/routeTable:RouteTable" && r.name.startsWith("dev-east") && r.name.includes("private"));
    expect((east.inputs["routeTableIds"] as string[]).length).toBe(privateTables.length);
    expect(east.inputs).toMatchObject({ podCidr: "100.64.0.0/16", routeQuota: 50, region: "us-east-1", kubeconfig: "[secret]" });
    const canal = run.result.resources.find((r) => r.name === "dev-east-canal-daemonset-canal")!;
    expect(east.dependsOn).toContain(canal.urn);
  });
});
