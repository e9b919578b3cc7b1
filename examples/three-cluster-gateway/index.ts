/**
 * Three EKS clusters in two regions, their VPCs peered (so every pod MTU is sized for the 8500-byte
 * inter-Region path), joined into one cluster set. `shop/catalog` is served by all three with
 * weights 50/30/20 and consumed everywhere; each exporter also publishes it north-south through
 * Gateway API (Gateway + HTTPRoute) with a certificate from cert-manager.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Canal, CertManager, ClusterNetwork, ClusterSet, ClusterSetNetwork, EksCluster, ErieCanal, MeshProbe, MultiClusterService, NorthSouthGateway, OsmEdge, planApiAccess, type ClusterSetMembers } from "canalkit";

const config = new pulumi.Config();
const tags = { environment: "prod", owner: config.get("owner") ?? "platform-team" };
const gatewayClassName = config.get("gatewayClassName") ?? "amazon-vpc-lattice";
const hostSuffix = config.get("hostSuffix") ?? "shop.example.com";

const clusters = [
  { name: "use1-a", region: "us-east-1", vpcCidr: "10.50.0.0/16", podCidr: "100.64.0.0/16", weight: 50 },
  { name: "use1-b", region: "us-east-1", vpcCidr: "10.51.0.0/16", podCidr: "100.65.0.0/16", weight: 30 },
  { name: "usw2", region: "us-west-2", vpcCidr: "10.52.0.0/16", podCidr: "100.66.0.0/16", weight: 20 },
];
// `pulumi up` runs the Kubernetes provider and the controllers here: each API server has a public
// endpoint open only to this machine's egress ranges (config runnerCidrs), plus the private one.
const apiAccess = planApiAccess("endpoint", { private: true, public: true }, { location: "internet", cidrs: config.requireObject<string[]>("runnerCidrs") }, "runnerCidrs");
// The internal gateways admit the set's VPCs only (the cloud provider opens their NodePort to these).
const setVpcCidrs = clusters.map((c) => c.vpcCidr);
const providers = new Map(["us-east-1", "us-west-2"].map((region) => [region, new aws.Provider(`aws-${region}`, { region: region as aws.Region, defaultTags: { tags } })]));

const built = clusters.map((c) => {
  const provider = providers.get(c.region)!;
  const network = new ClusterNetwork(c.name, {
    region: c.region,
    vpcCidr: c.vpcCidr,
    availabilityZones: [`${c.region}a`, `${c.region}b`, `${c.region}c`],
    podCidr: c.podCidr,
    serviceCidr: "172.20.0.0/16",
    // Peered across Regions: the narrowest path carries 8500 bytes.
    pathMtuClass: "inter-region",
    natStrategy: "one-per-az",
    tags,
  }, { provider });
  const cluster = new EksCluster(c.name, { network, region: c.region, apiAccess, nodeGroups: [{ name: "general", instanceTypes: ["m6i.large"], minSize: 3, maxSize: 6, desiredSize: 3 }], tags }, { provider });
  const canal = new Canal(`${c.name}-canal`, { cluster });
  cluster.installCoreDns(canal.ready);
  const tls = new CertManager(`${c.name}-cert-manager`, { cluster, after: canal.ready });
  const erieCanal = new ErieCanal(`${c.name}-erie-canal`, { cluster, after: [...canal.ready, ...tls.ready], certManager: true, gateway: { tls: {}, sourceRanges: setVpcCidrs } });
  return { ...c, provider, network, cluster, tls, erieCanal };
});

new ClusterSetNetwork("shop", {
  connectivity: "vpc-peering",
  controlPlane: "use1-a",
  clusters: built.map((b) => ({
    clusterName: b.name,
    region: b.region,
    vpcId: b.network.vpcId,
    vpcCidr: b.vpcCidr,
    privateSubnetIds: b.network.privateSubnetIds,
    privateRouteTableIds: b.network.privateRouteTableIds,
    nodeSecurityGroupId: b.network.nodeSecurityGroupId,
    controlPlaneSecurityGroupId: b.network.controlPlaneSecurityGroupId,
    provider: b.provider,
  })),
  tags,
});

const members: ClusterSetMembers = {};
const clusterSet = new ClusterSet("shop", {
  name: "shop",
  controlPlane: "use1-a",
  members: built.map((b) => {
    const member = { cluster: b.cluster, erieCanal: b.erieCanal, region: b.region, apiServer: { url: b.cluster.cluster.endpoint, certificateAuthorityData: b.cluster.cluster.certificateAuthority.data } };
    members[b.name] = member;
    return member;
  }),
});

const catalog = new MultiClusterService("catalog", {
  clusterSet: clusterSet.plan,
  members,
  after: Object.values(clusterSet.joins),
  name: "catalog",
  namespace: "shop",
  mode: "ActiveActive",
  exporters: built.map((b) => ({ cluster: b.name, service: { ports: [{ port: 8080, name: "http" }] }, selector: { app: "catalog" } })),
  weights: Object.fromEntries(built.map((b) => [b.name, b.weight])),
  consumers: built.map((b) => b.name),
});

// East-west: osm-edge in every consumer carries calls to http://catalog.shop:8080/ to the
// exporters by weight (its webhooks on the host network, as EKS under Canal needs), and a probe
// inside each mesh proves it during `pulumi up`.
for (const b of built) {
  const osm = new OsmEdge(`${b.name}-osm-edge`, { cluster: b.cluster, clusterDnsIp: "172.20.0.10", after: b.erieCanal.ready, meshedNamespaces: ["shop"], namespacesAfter: [catalog.namespaces[b.name]!] });
  new MeshProbe(`${b.name}-catalog-probe`, {
    serviceName: "catalog",
    namespace: "shop",
    port: 8080,
    mode: "ActiveActive",
    exporters: built.map((e) => e.name),
    weights: Object.fromEntries(built.map((e) => [e.name, e.weight])),
    consumer: { cluster: b.name, kubeconfig: b.cluster.kubeconfig },
    image: osm.plan.settings.images.curl,
  }, { parent: catalog, dependsOn: [...(catalog.reconciler ? [catalog.reconciler] : []), ...osm.ready, ...osm.meshedNamespaces] });
}

// North-south: each cluster publishes the catalog to clients outside the set.
for (const b of built) {
  new NorthSouthGateway(`${b.name}-catalog`, {
    cluster: b.cluster,
    after: [...b.erieCanal.ready, ...b.tls.ready, catalog],
    name: "catalog",
    namespace: "shop",
    hosts: [`catalog.${b.name}.${hostSuffix}`],
    service: { name: "catalog", port: 8080 },
    api: { kind: "gateway-api", gatewayClassName },
    tls: { issuer: b.tls.caIssuerName },
  });
}

/** Cluster keys of the set. */
export const clusterKeys = clusterSet.clusterKeys;
/** Where the catalog is served and consumed, as verified during `pulumi up`. */
export const catalogConsumedIn = catalog.reconciler?.consumedIn;
