import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { NorthSouthGateway, OsmEdge, osmEdgeValues, planNorthSouthGateway } from "../../components/multicluster";
import { CertManager, planCaIssuer } from "../../components/tls";
import { synthesize } from "../../synth/engine";
import { validateKubernetesObjects } from "../support/validateKubernetes";

const cluster = (name: string, controlPlaneReachesPods: boolean) =>
  new ExistingCluster(name, { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 1450, isEks: !controlPlaneReachesPods, controlPlaneReachesPods });

describe("osm-edge", () => {
  it("installs the pinned chart with its local DNS proxy forwarding to the cluster DNS", async () => {
    const result = await synthesize(() => {
      new OsmEdge("west-osm", { cluster: cluster("west", true), clusterDnsIp: "10.96.0.10" });
    });
    const release = result.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    expect(release.inputs).toMatchObject({ chart: "osm-edge", version: "1.3.0", namespace: "osm-system", repositoryOpts: { repo: "https://flomesh-io.github.io/osm-edge" } });
    expect((release.inputs["values"] as any).osm.localDNSProxy).toEqual({ enable: true, primaryUpstreamDNSServerIPAddr: "10.96.0.10" });
  });

  it("refuses a cluster whose control plane cannot reach its webhooks, and bad values, naming the field", async () => {
    await expect(synthesize(() => void new OsmEdge("east-osm", { cluster: cluster("east", false), clusterDnsIp: "172.20.0.10" }))).rejects.toThrow(/clusters.east.osmEdge.*cannot reach/);
    expect(() => osmEdgeValues({ clusterDnsIp: "kube-dns" })).toThrow(/osmEdge.clusterDnsIp = "kube-dns"/);
  });
});

describe("north-south gateways", () => {
  it("plans an Ingress on ErieCanal's pipy class with a cert-manager certificate for its hosts", async () => {
    const objects = planNorthSouthGateway({ name: "shop", namespace: "shop", hosts: ["shop.example.com"], service: { name: "catalog", port: 8080 }, tls: { issuer: "canalkit-ca" } });
    const [certificate, ingress] = objects as any[];
    expect(certificate.spec).toMatchObject({ secretName: "shop-tls", dnsNames: ["shop.example.com"], issuerRef: { name: "canalkit-ca", kind: "ClusterIssuer" } });
    expect(ingress.spec.ingressClassName).toBe("pipy");
    expect(ingress.spec.tls).toEqual([{ hosts: ["shop.example.com"], secretName: "shop-tls" }]);
    await validateKubernetesObjects([ingress]);
  });

  it("plans Gateway API objects for a given Gateway class, HTTPS when TLS is on", () => {
    const [, gateway, route] = planNorthSouthGateway({ name: "shop", namespace: "shop", hosts: ["a.example.com"], service: { name: "catalog", port: 8080 }, api: { kind: "gateway-api", gatewayClassName: "amazon-vpc-lattice" }, tls: { issuer: "ca" } }) as any[];
    expect(gateway.spec.listeners).toEqual([{ name: "https-0", hostname: "a.example.com", port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "shop-tls" }] } }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: "catalog", port: 8080 }]);
  });

  it("refuses bad paths and host names", () => {
    expect(() => planNorthSouthGateway({ name: "x", namespace: "x", hosts: ["a.example.com"], service: { name: "s", port: 80 }, path: "api" })).toThrow(/gateways.x.path = "api": must start with \//);
    expect(() => planNorthSouthGateway({ name: "x", namespace: "x", hosts: ["Not A Host"], service: { name: "s", port: 80 }, tls: { issuer: "ca" } })).toThrow(/gateway.tls.hosts\[0\]/);
  });

  it("deploys after ErieCanal (its Ingress webhook fails closed while the manager is down)", async () => {
    const result = await synthesize(() => {
      const c = cluster("east", true);
      const manager = new k8s.apps.v1.Deployment("manager", { metadata: { name: "erie-canal-manager" }, spec: { selector: { matchLabels: { a: "m" } }, template: { metadata: { labels: { a: "m" } }, spec: { containers: [{ name: "m", image: "flomesh/erie-canal-manager:0.1.3" }] } } } }, { provider: c.provider });
      new NorthSouthGateway("shop", { cluster: c, after: [manager], name: "shop", namespace: "shop", hosts: ["shop.example.com"], service: { name: "catalog", port: 8080 } });
    });
    const manager = result.resources.find((r) => r.name === "manager")!;
    expect(result.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress")!.dependsOn).toContain(manager.urn);
  });
});

describe("cert-manager", () => {
  it("runs the webhook on the host network at a free port on EKS, and issues from a CA chain in order", async () => {
    const result = await synthesize(() => {
      new CertManager("east-cm", { cluster: cluster("east", false) });
    });
    const release = result.resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!;
    expect(release.inputs).toMatchObject({ installCRDs: true, webhook: { hostNetwork: true, securePort: 9445 } });
    const chain = planCaIssuer("canalkit-ca").objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(chain).toEqual(["ClusterIssuer/canalkit-ca-selfsigned", "Certificate/canalkit-ca-root", "ClusterIssuer/canalkit-ca"]);
    const issuer = result.resources.find((r) => r.name === "east-cm-clusterissuer-canalkit-ca")!;
    const root = result.resources.find((r) => r.name === "east-cm-certificate-canalkit-ca-root")!;
    expect(issuer.dependsOn).toEqual([root.urn]);
    const onPods = await synthesize(() => void new CertManager("west-cm", { cluster: cluster("west", true) }));
    expect(onPods.resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!.inputs["webhook"]).toEqual({});
  });
});
