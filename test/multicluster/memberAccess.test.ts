import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { clusterPropertyObjects, clusterResourceObject, memberAccessObjects, memberKubeconfig, validateCustomResource, CONTROL_PLANE_ACCOUNT } from "../../components/multicluster";
import { validateKubernetesObjects } from "../support/validateKubernetes";

describe("member access", () => {
  it("grants the control plane exactly what the join and export propagation need, and nothing cluster-admin", async () => {
    const objects = memberAccessObjects("erie-canal");
    await validateKubernetesObjects(objects.filter((o) => o.kind !== "ClusterProperty"));
    const clusterRole = objects.find((o) => o.kind === "ClusterRole") as any;
    const role = objects.find((o) => o.kind === "Role") as any;
    const all = [...clusterRole.rules, ...role.rules];
    expect(all.flatMap((r: any) => r.verbs)).not.toContain("*");
    expect(all.flatMap((r: any) => r.resources)).not.toContain("*");
    expect(all.some((r: any) => r.resources.includes("secrets"))).toBe(false);
    expect(role.rules).toContainEqual({ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "update"], resourceNames: ["erie-canal-mesh-config"] });
    expect(role.rules).toContainEqual({ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"], resourceNames: ["erie-canal-manager"] });
    expect(clusterRole.rules).toContainEqual({ apiGroups: ["flomesh.io"], resources: ["serviceimports"], verbs: ["create", "get", "list", "watch", "update", "delete"] });
    expect(objects.find((o) => o.kind === "Secret")).toMatchObject({ type: "kubernetes.io/service-account-token", metadata: { annotations: { "kubernetes.io/service-account.name": CONTROL_PLANE_ACCOUNT } } });
  });

  it("builds a token kubeconfig and a Cluster resource that validates against the kit's CRD", () => {
    const kubeconfig = memberKubeconfig({ memberName: "east", server: "https://east.example", certificateAuthorityData: "Q0E=", token: "t0k" });
    expect(parse(kubeconfig)).toMatchObject({ kind: "Config", "current-context": "east", users: [{ user: { token: "t0k" } }] });
    const cr = clusterResourceObject({ name: "east", region: "us-east-1", gatewayHost: "gw.east.internal", gatewayPort: 80, kubeconfig });
    expect(validateCustomResource(cr)).toEqual([]);
    expect(cr.spec).toMatchObject({ region: "us-east-1", zone: "default", group: "default" });
  });

  it("names the member and its set through the About API", () => {
    expect(clusterPropertyObjects("us-east-1.a.default.east", "prod").map((o: any) => [o.metadata.name, o.spec.value])).toEqual([
      ["cluster.clusterset.k8s.io", "us-east-1.a.default.east"],
      ["clusterset.k8s.io", "prod"],
    ]);
  });
});
