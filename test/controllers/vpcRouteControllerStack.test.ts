/**
 * The in-cluster route controller as a native-vpc stack installs it (offline synth): Pod Identity
 * with a role whose route writes are limited to the cluster's own private route tables, the
 * controller's objects, and the deploy-time reconciler in verify mode after it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { runSynth } from "../../synth/runStack";

describe("native-vpc stacks install the in-cluster route controller", () => {
  it("with Pod Identity limited to the cluster's route tables, and verify mode after it", async () => {
    const doc = parse(readFileSync(join(__dirname, "../../stacks/Pulumi.dev.yaml"), "utf8"));
    for (const cluster of doc.config["canalkit:clusters"]) cluster.network.topology = "native-vpc";
    delete doc.config["canalkit:clusterSet"];
    const dir = mkdtempSync(join(tmpdir(), "canalkit-routes-"));
    const file = join(dir, "Pulumi.native.yaml");
    writeFileSync(file, stringify(doc));
    const run = await runSynth({ configFile: file, outDir: join(dir, "out") });
    const resources = run.result.resources;
    const named = (type: string, prefix: string) => resources.filter((r) => r.type === type && r.name.startsWith(prefix));

    const role = named("aws:iam/role:Role", "dev-east-vpc-route-controller")[0]!;
    expect(JSON.parse(role.inputs["assumeRolePolicy"] as string).Statement).toEqual([{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }]);
    const policy = JSON.parse(named("aws:iam/rolePolicy:RolePolicy", "dev-east-vpc-route-controller")[0]!.inputs["policy"] as string);
    const tables = resources.filter((r) => r.type === "aws:ec2/routeTable:RouteTable" && r.name.startsWith("dev-east") && r.name.includes("private"));
    expect(policy.Statement[0].Resource).toHaveLength(tables.length);
    for (const arn of policy.Statement[0].Resource) expect(arn).toMatch(/^arn:aws:ec2:us-east-1:\*:route-table\/.+/);
    const association = named("aws:eks/podIdentityAssociation:PodIdentityAssociation", "dev-east-vpc-route-controller")[0]!;
    expect(association.inputs).toMatchObject({ namespace: "kube-system", serviceAccount: "canalkit-vpc-route-controller" });
    // The cluster's own Pod Identity agent (EksCluster installs it; EKS allows one per cluster).
    const agent = resources.find((r) => r.type === "aws:eks/addon:Addon" && r.name === "dev-east-eks-pod-identity-agent")!;
    expect(agent.inputs).toMatchObject({ addonName: "eks-pod-identity-agent" });
    expect(association.dependsOn).toContain(agent.urn);

    const deployment = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "dev-east-vpc-route-controller-deployment-canalkit-vpc-route-controller")!;
    const env = Object.fromEntries(((deployment.inputs["spec"] as any).template.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ POD_CIDR_POOL: "100.64.0.0/16", AWS_REGION: "us-east-1", RECORD_NAME: "canalkit-vpc-routes" });
    expect(String(env["ROUTE_TABLE_IDS"]).split(",")).toHaveLength(tables.length);

    const reconciler = resources.find((r) => r.type === "pulumi-nodejs:dynamic/canalkit:VpcRouteReconciler" && r.inputs["clusterName"] === "dev-east")!;
    expect(reconciler.inputs).toMatchObject({ mode: "verify" });
    expect(reconciler.dependsOn).toContain(deployment.urn);
  });
});
