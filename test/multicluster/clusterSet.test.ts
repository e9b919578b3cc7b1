import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { buildClusterPropertyCrd, ClusterSet, MultiClusterService, validateCustomResource, waitForGatewayAddress, type ErieCanalInstallation } from "../../components/multicluster";
import { synthesize } from "../../synth/engine";
import { startDynamicProviderHost } from "../support/dynamicProviderHost";
import { validateKubernetesObjects } from "../support/validateKubernetes";

/** A member cluster with a stand-in ErieCanal installation (the install component is separate). */
function member(name: string, vpcCidr: string, namespace = "erie-canal") {
  const cluster = new ExistingCluster(name, { kubeconfig: pulumi.secret(`admin-${name}`), topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, isEks: true, vpcCidr });
  const manager = new k8s.apps.v1.Deployment(`${name}-manager`, { metadata: { name: "erie-canal-manager", namespace }, spec: { selector: { matchLabels: { a: "m" } }, template: { metadata: { labels: { a: "m" } }, spec: { containers: [{ name: "m", image: "flomesh/erie-canal-manager:0.1.3" }] } } } }, { provider: cluster.provider });
  const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: namespace } }, { provider: cluster.provider });
  const erieCanal: ErieCanalInstallation = { namespace, gatewayHost: `gw.${name}.internal`, gatewayPort: 80, ready: [manager], namespaceReady: [ns] };
  return { cluster, erieCanal, apiServer: { url: `https://${name}.example`, certificateAuthorityData: "Q0E=" } };
}

describe("ClusterSet", () => {
  it("creates access objects and ClusterProperties in each member and a Cluster per member on the control plane", async () => {
    const result = await synthesize(() => {
      const hub = member("hub", "10.30.0.0/16");
      const east = member("east", "10.31.0.0/16");
      const set = new ClusterSet("prod", { name: "prod", controlPlane: "hub", members: [{ ...hub, region: "us-east-1" }, { ...east, region: "us-east-1", zone: "b" }] });
      return { keys: set.clusterKeys, kubeconfigs: set.memberKubeconfigs };
    });
    expect(result.outputs["keys"]).toEqual({ hub: "us-east-1/default/default/hub", east: "us-east-1/b/default/east" });
    expect(result.outputs["kubeconfigs"]).toEqual({ hub: "[secret]", east: "[secret]" });
    const providers = new Map(result.resources.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => [r.urn, r.name]));
    const clusterOf = (p: string | null) => providers.get(p!.split("::").slice(0, -1).join("::"));
    const crs = result.resources.filter((r) => r.type === "kubernetes:flomesh.io/v1alpha1:Cluster");
    expect(crs.map((r) => [r.name, clusterOf(r.provider)])).toEqual([["prod-hub-cluster", "hub-k8s"], ["prod-east-cluster", "hub-k8s"]]);
    expect(crs[1]!.inputs["spec"]).toBe("[secret]");
    expect(crs[1]!.options.ignoreChanges).toContain('metadata.labels["multicluster.flomesh.io/connector-mode"]');
    const hubManager = result.resources.find((r) => r.name === "hub-manager")!;
    expect(crs[1]!.dependsOn).toContain(hubManager.urn);
    // The access objects wait for the member's ErieCanal namespace, not for its manager.
    const eastManager = result.resources.find((r) => r.name === "east-manager")!;
    const eastAccount = result.resources.find((r) => r.name === "prod-east-serviceaccount-canalkit-clusterset-control-plane")!;
    expect(eastAccount.dependsOn).toContain(result.resources.find((r) => r.name === "east-namespace")!.urn);
    expect(eastAccount.dependsOn).not.toContain(eastManager.urn);
    const props = result.resources.filter((r) => r.type === "kubernetes:about.k8s.io/v1alpha1:ClusterProperty" && clusterOf(r.provider) === "east-k8s");
    expect(props.map((p) => (p.inputs as any).spec.value)).toEqual(["us-east-1.b.default.east", "prod"]);
    // EKS serves no about.k8s.io: the member gets the CRD, the properties wait for it and validate
    // against its schema, and the control plane's Cluster waits for the properties.
    const propertyCrd = result.resources.find((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && (r.inputs as any).metadata.name === "clusterproperties.about.k8s.io" && clusterOf(r.provider) === "east-k8s")!;
    expect(propertyCrd).toBeDefined();
    expect((propertyCrd.inputs as any).spec.versions.map((v: any) => [v.name, v.served, v.storage])).toEqual([["v1alpha1", true, false], ["v1beta1", true, true]]);
    for (const p of props) {
      expect(p.dependsOn).toContain(propertyCrd.urn);
      expect(validateCustomResource(p.inputs as any)).toEqual([]);
      expect(crs[1]!.dependsOn).toContain(p.urn);
    }
    await validateKubernetesObjects([buildClusterPropertyCrd()]);
    expect(validateCustomResource({ apiVersion: "about.k8s.io/v1alpha1", kind: "ClusterProperty", metadata: { name: "x" }, spec: { value: "" } })).toEqual([expect.stringMatching(/\/spec\/value must NOT have fewer than 1 characters/)]);
    expect(JSON.stringify(result)).not.toMatch(/admin-east|kind: Config/);
  });

  it("refuses members with different ErieCanal namespaces before registering anything", async () => {
    await expect(
      synthesize(() => {
        new ClusterSet("s", { name: "s", controlPlane: "hub", members: [member("hub", "10.30.0.0/16"), member("east", "10.31.0.0/16", "flomesh")] });
      }),
    ).rejects.toThrow(/clusterSet\.members\[1\]\.namespace = "flomesh": differs from hub's ErieCanal namespace "erie-canal"/);
  });
});

describe("ClusterSet and the gateway's DNS", () => {
  it("creates each Cluster only after its gateway host resolves, and takes the host from that wait", async () => {
    const result = await synthesize(() => {
      const hub = member("hub", "10.30.0.0/16");
      const east = member("east", "10.31.0.0/16");
      new ClusterSet("prod", { name: "prod", controlPlane: "hub", members: [hub, east], verifyJoins: false });
    });
    const east = result.resources.find((r) => r.name === "prod-east-cluster")!;
    const wait = result.resources.find((r) => r.name === "prod-east-gateway-address")!;
    expect(wait.type).toBe("pulumi-nodejs:dynamic/canalkit:GatewayAddress");
    expect(wait.inputs).toMatchObject({ host: "gw.east.internal", timeoutSeconds: 600, pollSeconds: 10 });
    expect(east.dependsOn).toContain(wait.urn);
    // The lean provider: the engine's process loads the installed canalkit's GatewayAddress.
    const code = wait.inputs["__provider"] as string;
    expect(code).toContain('controllerProvider("GatewayAddress")');
    expect(code.length).toBeLessThan(600);
    // Run as the engine runs it: the SDK's dynamic-provider host deserializes and creates it
    // (an address literal, so no lookup leaves the machine).
    const host = await startDynamicProviderHost();
    try {
      const news = { ...wait.inputs, host: "10.31.4.5" };
      const checked = await host.check(wait.urn, {}, news);
      expect(checked.failures).toEqual([]);
      const created = await host.create(wait.urn, checked.inputs);
      expect(created.props).toMatchObject({ host: "10.31.4.5", addresses: ["10.31.4.5"] });
      await expect(host.create(wait.urn, { ...news, host: "127.0.0.1" })).rejects.toThrow(/loopback/);
    } finally {
      await host.close();
    }
  });

  /** A resolver that answers only from the given attempt on; sleeps are counted, never waited. */
  function world(resolvesFromAttempt: number, answer: string[] = ["10.31.4.5"]) {
    let attempts = 0;
    const slept: number[] = [];
    return {
      slept,
      attempts: () => attempts,
      world: {
        async resolve4() {
          attempts++;
          if (attempts < resolvesFromAttempt) throw new Error("getaddrinfo ENOTFOUND");
          return answer;
        },
        async sleep(seconds: number) {
          slept.push(seconds);
        },
      },
    };
  }

  it("waits as the Cluster admission resolves: until an IPv4 address that is not loopback comes back", async () => {
    const late = world(4);
    await expect(waitForGatewayAddress({ memberName: "east", host: "k8s-ec-abc.elb.us-east-1.amazonaws.com", timeoutSeconds: 60, pollSeconds: 10 }, late.world)).resolves.toEqual(["10.31.4.5"]);
    expect(late.attempts()).toBe(4);
    expect(late.slept).toEqual([10, 10, 10]);
    const never = world(Number.POSITIVE_INFINITY);
    await expect(waitForGatewayAddress({ memberName: "east", host: "k8s-ec-abc.elb.us-east-1.amazonaws.com", timeoutSeconds: 30, pollSeconds: 10 }, never.world)).rejects.toThrow(/east: the gateway host k8s-ec-abc.elb.us-east-1.amazonaws.com did not resolve to an IPv4 address within 30s \(last: getaddrinfo ENOTFOUND\)/);
    expect(never.attempts()).toBe(4);
    await expect(waitForGatewayAddress({ memberName: "east", host: "gw.example", timeoutSeconds: 10, pollSeconds: 10 }, world(1, ["127.0.0.1"]).world)).rejects.toThrow(/last: no usable IPv4 address/);
    await expect(waitForGatewayAddress({ memberName: "east", host: "10.31.4.5", timeoutSeconds: 10, pollSeconds: 10 }, world(Number.POSITIVE_INFINITY).world)).resolves.toEqual(["10.31.4.5"]);
    await expect(waitForGatewayAddress({ memberName: "east", host: "Not_A_Name", timeoutSeconds: 10, pollSeconds: 10 }, world(1).world)).rejects.toThrow(/neither an IPv4 address nor a DNS name/);
  });
});

describe("MultiClusterService", () => {
  it("deploys exports in exporters and the traffic policy in consumers, each after ErieCanal in that cluster", async () => {
    const result = await synthesize(() => {
      const hub = member("hub", "10.30.0.0/16");
      const east = member("east", "10.31.0.0/16");
      const west = member("west", "10.40.0.0/16");
      const set = new ClusterSet("prod", { name: "prod", controlPlane: "hub", members: [hub, east, west] });
      new MultiClusterService("web", {
        clusterSet: set.plan,
        members: { hub, east, west },
        name: "web",
        namespace: "shop",
        exporters: [{ cluster: "east", service: { ports: [{ port: 8080 }] }, selector: { app: "web" } }, { cluster: "west", service: { ports: [{ port: 8080 }] } }],
        consumers: ["hub"],
        mode: "ActiveActive",
        weights: { east: 3, west: 1 },
      });
    });
    const providers = new Map(result.resources.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => [r.urn, r.name]));
    const where = (r: { provider: string | null }) => providers.get(r.provider!.split("::").slice(0, -1).join("::"));
    const children = result.resources.filter((r) => r.parent && result.resources.find((p) => p.urn === r.parent)?.type === "canalkit:multicluster:MultiClusterService");
    const mcs = children.filter((r) => r.type.startsWith("kubernetes:"));
    // The reconciler proving the service consumable waits for every object of the service.
    const reconciler = children.find((r) => r.type === "pulumi-nodejs:dynamic/canalkit:ExportReconciler")!;
    expect(reconciler.dependsOn).toEqual(expect.arrayContaining(mcs.filter((r) => r.type.endsWith("ServiceExport")).map((r) => r.urn)));
    expect(mcs.map((r) => `${where(r)} ${r.type.split(":").slice(1).join(":")}`).sort()).toEqual([
      "east-k8s core/v1:Namespace",
      "east-k8s core/v1:Service",
      "east-k8s flomesh.io/v1alpha1:ServiceExport",
      "west-k8s core/v1:Namespace",
      "west-k8s flomesh.io/v1alpha1:ServiceExport",
      "hub-k8s core/v1:Namespace",
      "hub-k8s flomesh.io/v1alpha1:GlobalTrafficPolicy",
    ].sort());
    const gtp = mcs.find((r) => r.type.endsWith("GlobalTrafficPolicy"))!;
    expect(gtp.inputs["spec"]).toEqual({ lbType: "ActiveActive", targets: [{ clusterKey: "default/default/default/east", weight: 3 }, { clusterKey: "default/default/default/west", weight: 1 }] });
    expect(gtp.dependsOn).toContain(result.resources.find((r) => r.name === "hub-manager")!.urn);
    const component = result.resources.find((r) => r.type === "canalkit:multicluster:MultiClusterService")!;
    expect(component.inputs).toMatchObject({ name: "web", mode: "ActiveActive", exporters: ["east", "west"], consumers: ["hub"], ports: [8080] });
  });
});
