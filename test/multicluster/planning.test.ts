import { describe, expect, it } from "vitest";
import { CanalkitInputError } from "../../components/errors";
import { buildFlomeshCrds, clusterKey, planClusterSet, planMultiClusterService, validateCustomResource, type MultiClusterServiceSpec } from "../../components/multicluster";
import { validateKubernetesObjects } from "../support/validateKubernetes";

const set = planClusterSet({
  name: "prod",
  controlPlane: "hub",
  members: [
    { name: "hub", region: "us-east-1", zone: "us-east-1a", namespace: "erie-canal", vpcCidr: "10.30.0.0/16" },
    { name: "east", region: "us-east-1", zone: "us-east-1b", namespace: "erie-canal", vpcCidr: "10.31.0.0/16" },
    { name: "west", region: "us-west-2", namespace: "erie-canal", vpcCidr: "10.40.0.0/16" },
  ],
});

const web = (over: Partial<MultiClusterServiceSpec> = {}): MultiClusterServiceSpec => ({
  name: "web",
  namespace: "shop",
  exporters: [
    { cluster: "east", service: { ports: [{ port: 8080 }] }, selector: { app: "web" } },
    { cluster: "west", service: { ports: [{ port: 8080 }] } },
  ],
  consumers: ["hub"],
  mode: "FailOver",
  ...over,
});

function refusal(run: () => unknown): CanalkitInputError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CanalkitInputError);
    return e as CanalkitInputError;
  }
  throw new Error("expected a refusal");
}

const objectsIn = (plan: ReturnType<typeof planMultiClusterService>, cluster: string) => plan.objects.filter((o) => o.cluster === cluster).map((o) => o.object);

describe("cluster sets", () => {
  it("keys members by locality and name", () => {
    expect(set.members.map((m) => m.key)).toEqual(["us-east-1/us-east-1a/default/hub", "us-east-1/us-east-1b/default/east", "us-west-2/default/default/west"]);
    expect(set.members[0]!.clusterId).toBe("us-east-1.us-east-1a.default.hub");
    expect(clusterKey({ name: "x" })).toBe("default/default/default/x");
  });

  it.each([
    ["a duplicate name", [{ name: "a", namespace: "ec" }, { name: "a", zone: "z", namespace: "ec" }], /clusterSet\.members\[1\]\.name = "a": is also the name of clusterSet\.members\[0\] \(a\)/],
    ["a duplicate cluster id", [{ name: "a", namespace: "ec", clusterId: "x" }, { name: "b", namespace: "ec", clusterId: "x" }], /members\[1\]\.clusterId = "x": is also the clusterId of clusterSet\.members\[0\] \(a\)/],
    ["different ErieCanal namespaces", [{ name: "a", namespace: "ec" }, { name: "b", namespace: "erie" }], /members\[1\]\.namespace = "erie": differs from a's ErieCanal namespace "ec"/],
    ["overlapping VPCs", [{ name: "a", namespace: "ec", vpcCidr: "10.0.0.0/16" }, { name: "b", namespace: "ec", vpcCidr: "10.0.128.0/17" }], /overlaps a's VPC 10\.0\.0\.0\/16/],
    ["a key part that is not a DNS label", [{ name: "a", region: "US_East", namespace: "ec" }], /members\[0\]\.region = "US_East"/],
  ])("refuses %s, naming both sides", (_l, members, message) => {
    expect(refusal(() => planClusterSet({ name: "s", controlPlane: "a", members: members as never })).message).toMatch(message);
  });

  it("refuses a control plane outside the set", () => {
    expect(refusal(() => planClusterSet({ name: "s", controlPlane: "z", members: [{ name: "a", namespace: "ec" }] })).message).toMatch(/clusterSet\.controlPlane = "z": is not a member/);
  });
});

describe("multi-cluster services", () => {
  it("FailOver: ServiceExports in exporters; each consumer's GlobalTrafficPolicy names its own copy, then the first other exporter in the order", () => {
    const plan = planMultiClusterService(web({ consumers: ["west", "east"], failoverOrder: ["west", "east"] }), set);
    expect(objectsIn(plan, "east").map((o) => o.kind)).toEqual(["Namespace", "Service", "ServiceExport", "GlobalTrafficPolicy"]);
    expect(objectsIn(plan, "west").map((o) => o.kind)).toEqual(["Namespace", "ServiceExport", "GlobalTrafficPolicy"]);
    expect(objectsIn(plan, "east")[2]).toMatchObject({ apiVersion: "flomesh.io/v1alpha1", metadata: { name: "web", namespace: "shop" }, spec: { rules: [{ portNumber: 8080, path: "/shop/web", pathType: "Prefix" }] } });
    const gtpIn = (p: typeof plan, cluster: string) => objectsIn(p, cluster).find((o) => o.kind === "GlobalTrafficPolicy")!;
    // osm-edge calls a cluster's own copy first wherever the order puts it, then the listed remote ones.
    expect(gtpIn(plan, "east")).toEqual({ apiVersion: "flomesh.io/v1alpha1", kind: "GlobalTrafficPolicy", metadata: { name: "web", namespace: "shop" }, spec: { lbType: "FailOver", targets: [{ clusterKey: "us-east-1/us-east-1b/default/east" }, { clusterKey: "us-west-2/default/default/west" }] } });
    expect(gtpIn(plan, "west").spec.targets).toEqual([{ clusterKey: "us-west-2/default/default/west" }, { clusterKey: "us-east-1/us-east-1b/default/east" }]);
    // With three exporters a consumer lists one standby: the first other in the order (osm-edge spreads evenly over more).
    const hubToo = { cluster: "hub", service: { ports: [{ port: 8080 }] } };
    const three = planMultiClusterService(web({ exporters: [...web().exporters, hubToo], consumers: ["east"], failoverOrder: ["hub", "west", "east"] }), set);
    expect(gtpIn(three, "east").spec.targets).toEqual([{ clusterKey: "us-east-1/us-east-1b/default/east" }, { clusterKey: "us-east-1/us-east-1a/default/hub" }]);
    // A consumer without its own copy may name one exporter.
    expect(gtpIn(planMultiClusterService(web({ failoverOrder: ["west"] }), set), "hub").spec.targets).toEqual([{ clusterKey: "us-west-2/default/default/west" }]);
  });

  it("refuses a FailOver order that osm-edge would not follow: a consumer without its own copy and two exporters", () => {
    const e = refusal(() => planMultiClusterService(web({ failoverOrder: ["west", "east"] }), set));
    expect(e.field).toBe("services.web.consumers[0]");
    expect(e.message).toMatch(/"hub": does not export shop\/web, so osm-edge \(v1\.3\.0\) would spread its FailOver calls evenly over west, east instead of in that order.*Fix: export the service from hub as well \(it then calls its own copy first and fails over to west, east\), or use mode ActiveActive to spread its calls by weight, or list only the one exporter it should call in failoverOrder/);
  });

  it("leaves a zero-weight exporter out of ActiveActive targets (osm-edge reads weight 0 as full weight)", () => {
    const aa = planMultiClusterService(web({ mode: "ActiveActive", weights: { east: 100, west: 0 } }), set);
    expect(objectsIn(aa, "hub").find((o) => o.kind === "GlobalTrafficPolicy")!.spec).toEqual({ lbType: "ActiveActive", targets: [{ clusterKey: "us-east-1/us-east-1b/default/east", weight: 100 }] });
  });

  it.each([
    ["https", /names a port that carries TLS/],
    ["tls-api", /names a port that carries TLS/],
    ["tcp-db", /names a port that carries raw TCP/],
  ])("refuses an exported port named %s: the call path is plain HTTP", (name, says) => {
    const e = refusal(() => planMultiClusterService(web({ mode: "ActiveActive", exporters: ["east", "west"].map((cluster) => ({ cluster, service: { ports: [{ port: 8443, name }] } })) }), set));
    expect(e.field).toBe("services.web.exporters[0].service.ports[0].name");
    expect(e.message).toMatch(says);
    expect(e.message).toMatch(/Fix: serve plain HTTP on port 8443 and name it http/);
  });

  it("ActiveActive carries weights; Locality at most one target; upstream MCS exports on request", () => {
    const aa = planMultiClusterService(web({ mode: "ActiveActive", weights: { east: 70, west: 30 }, upstreamMcs: true }), set);
    expect(objectsIn(aa, "hub").find((o) => o.kind === "GlobalTrafficPolicy")!.spec).toEqual({ lbType: "ActiveActive", targets: [{ clusterKey: "us-east-1/us-east-1b/default/east", weight: 70 }, { clusterKey: "us-west-2/default/default/west", weight: 30 }] });
    expect(objectsIn(aa, "east").some((o) => o.apiVersion === "multicluster.x-k8s.io/v1alpha1" && o.kind === "ServiceExport")).toBe(true);
    expect(objectsIn(planMultiClusterService(web({ mode: "Locality" }), set), "hub").find((o) => o.kind === "GlobalTrafficPolicy")!.spec).toEqual({ lbType: "Locality" });
    expect(objectsIn(planMultiClusterService(web({ mode: "Locality", localityTarget: "east" }), set), "hub").find((o) => o.kind === "GlobalTrafficPolicy")!.spec.targets).toHaveLength(1);
  });

  it("refuses conflicting exports before deploy, naming both clusters", () => {
    const e = refusal(() => planMultiClusterService(web({ exporters: [{ cluster: "east", service: { ports: [{ port: 8080 }] } }, { cluster: "west", service: { ports: [{ port: 9090 }] } }] }), set));
    expect(e.field).toBe("services.web.exporters[1].service");
    expect(e.message).toMatch(/conflicts with east's shop\/web \(type ClusterIP, ports 8080\).*Fix: make west and east expose shop\/web with the same type and ports/);
    expect(refusal(() => planMultiClusterService(web({ exporters: [{ cluster: "east", service: { ports: [{ port: 8080 }] } }, { cluster: "west", service: { type: "NodePort", ports: [{ port: 8080 }] } }] }), set)).message).toMatch(/conflicts with east/);
  });

  it.each([
    ["a target outside the set", { consumers: ["mars"] }, /services\.web\.consumers\[0\] = "mars": is not a member of cluster set prod/],
    ["a FailOver target that does not export", { failoverOrder: ["hub"] }, /failoverOrder\[0\] = "hub": is a target that does not export/],
    ["an empty FailOver order", { failoverOrder: [] }, /FailOver needs at least one target/],
    ["negative weights", { mode: "ActiveActive", weights: { east: -1 } }, /weights\.east = -1: must be a whole number ≥ 0/],
    ["weights on FailOver", { weights: { east: 1 } }, /FailOver.*takes a failoverOrder, not weights/],
    ["a path without /", { rules: [{ portNumber: 8080, path: "web", pathType: "Prefix" }] }, /rules\[0\]\.path = "web": must start with \//],
    ["colliding rules", { rules: [{ portNumber: 8080, path: "/a", pathType: "Prefix" }, { portNumber: 8080, path: "/a", pathType: "Prefix" }] }, /rules\[1\] = "Prefix \/a": collides with services\.web\.rules\[0\]/],
    ["a port no exporter declares", { rules: [{ portNumber: 9999, path: "/a", pathType: "Exact" }] }, /no exporter's Service declares port 9999/],
    ["no exporters", { exporters: [] }, /needs at least one exporter/],
  ] as const)("refuses %s", (_l, change, message) => {
    expect(refusal(() => planMultiClusterService(web(change as Partial<MultiClusterServiceSpec>), set)).message).toMatch(message);
  });
});

describe("flomesh.io custom resources", () => {
  it("declares valid CRDs and every planned ServiceExport and GlobalTrafficPolicy validates against them", async () => {
    await validateKubernetesObjects(buildFlomeshCrds());
    for (const mode of ["FailOver", "ActiveActive", "Locality"] as const) {
      const plan = planMultiClusterService(web({ mode, consumers: ["hub", "east"], ...(mode === "ActiveActive" ? { weights: { east: 1, west: 2 } } : {}), ...(mode === "FailOver" ? { failoverOrder: ["west"] } : {}) }), set);
      for (const { object } of plan.objects.filter((o) => o.object.apiVersion === "flomesh.io/v1alpha1")) expect(validateCustomResource(object)).toEqual([]);
    }
  });

  it("rejects custom resources the API server would reject", async () => {
    expect(validateCustomResource({ apiVersion: "flomesh.io/v1alpha1", kind: "GlobalTrafficPolicy", metadata: { name: "x" }, spec: { lbType: "Failover" } })).toEqual([expect.stringMatching(/\/spec\/lbType must be equal to one of the allowed values/)]);
    expect(validateCustomResource({ apiVersion: "flomesh.io/v1alpha1", kind: "ServiceExport", metadata: { name: "x" }, spec: { rules: [] } })).toEqual([expect.stringMatching(/\/spec\/rules must NOT have fewer than 1 items/)]);
    expect(validateCustomResource({ apiVersion: "flomesh.io/v1alpha1", kind: "Cluster", metadata: { name: "x" }, spec: { gatewayPort: 70000 } })).toEqual([expect.stringMatching(/gatewayPort must be <= 65535/)]);
    expect(validateCustomResource({ apiVersion: "flomesh.io/v1alpha1", kind: "ServiceImport", metadata: { name: "x" }, spec: { ports: [{ port: 80, endpoints: [{ clusterKey: "a/b/c/d", target: { host: "h" } }] }] } }).length).toBeGreaterThan(0);
  });
});
