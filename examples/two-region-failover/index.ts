/**
 * Two clusters in two regions joined into one cluster set over the internet (TLS gateways, no
 * peering): `shop/orders` is served by both and consumed in `west`, which prefers its own copy and
 * fails over to `east`. The consuming side runs osm-edge, whose sidecars do the cross-cluster
 * routing (on EKS its webhooks are served from the host network; here `west` is a cluster you run
 * yourself, stated with `ExistingCluster`, whose control plane reaches pods), and a probe inside
 * west's mesh proves the calls during `pulumi up`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Canal, CertManager, ClusterNetwork, ClusterSet, EksCluster, ErieCanal, ExistingCluster, MeshProbe, MultiClusterService, OsmEdge, planApiAccess } from "canalkit";

const config = new pulumi.Config();
const tags = { environment: "staging", owner: config.get("owner") ?? "platform-team" };

// east: EKS in us-east-1.
const eastProvider = new aws.Provider("aws-us-east-1", { region: "us-east-1", defaultTags: { tags } });
const eastNetwork = new ClusterNetwork("east", {
  region: "us-east-1",
  vpcCidr: "10.30.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  podCidr: "100.64.0.0/16",
  serviceCidr: "172.20.0.0/16",
  natStrategy: "one-per-az",
  tags,
}, { provider: eastProvider });
// `pulumi up` runs the Kubernetes provider and the controllers here: east's API server has a public
// endpoint open only to this machine's egress ranges (config runnerCidrs), plus the private one.
const apiAccess = planApiAccess("endpoint", { private: true, public: true }, { location: "internet", cidrs: config.requireObject<string[]>("runnerCidrs") }, "runnerCidrs");
const east = new EksCluster("east", { network: eastNetwork, region: "us-east-1", apiAccess, nodeGroups: [{ name: "general", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, desiredSize: 2 }], tags }, { provider: eastProvider });
const eastCanal = new Canal("east-canal", { cluster: east });
east.installCoreDns(eastCanal.ready);

// west: a cluster you run in eu-west-1 whose control plane reaches pod IPs.
const west = new ExistingCluster("west", {
  kubeconfig: config.requireSecret("westKubeconfig"),
  region: "eu-west-1",
  isEks: false,
  topology: "vxlan",
  podCidr: "100.65.0.0/16",
  serviceCidr: "10.96.0.0/12",
  podMtu: 8951,
  vpcCidr: "10.40.0.0/16",
});
const westCanal = new Canal("west-canal", { cluster: west });

// Gateways face the internet (no peering between the regions), so they terminate TLS.
const gateway = { scheme: "internet-facing" as const, tls: {}, sourceRanges: config.getObject<string[]>("gatewaySourceRanges") ?? ["0.0.0.0/0"] };
const eastTls = new CertManager("east-cert-manager", { cluster: east, after: eastCanal.ready });
const westTls = new CertManager("west-cert-manager", { cluster: west, after: westCanal.ready });
const eastErieCanal = new ErieCanal("east-erie-canal", { cluster: east, after: [...eastCanal.ready, ...eastTls.ready], certManager: true, gateway });
const westErieCanal = new ErieCanal("west-erie-canal", { cluster: west, after: [...westCanal.ready, ...westTls.ready], certManager: true, gateway });

const members = {
  east: { cluster: east, erieCanal: eastErieCanal, region: "us-east-1", apiServer: { url: east.cluster.endpoint, certificateAuthorityData: east.cluster.certificateAuthority.data } },
  west: { cluster: west, erieCanal: westErieCanal, region: "eu-west-1", apiServer: { url: config.require("westApiServer"), certificateAuthorityData: config.require("westCertificateAuthorityData") } },
};
const clusterSet = new ClusterSet("shop", { name: "shop", controlPlane: "east", members: [members.east, members.west] });

const orders = new MultiClusterService("orders", {
  clusterSet: clusterSet.plan,
  members,
  after: Object.values(clusterSet.joins),
  name: "orders",
  namespace: "shop",
  mode: "FailOver",
  exporters: [
    { cluster: "west", service: { ports: [{ port: 8080, name: "http" }] }, selector: { app: "orders" } },
    { cluster: "east", service: { ports: [{ port: 8080, name: "http" }] }, selector: { app: "orders" } },
  ],
  failoverOrder: ["west", "east"],
  consumers: ["west"],
});

// The consuming side: osm-edge with its DNS proxy forwarding to west's kube-dns, shop in its mesh.
const westOsm = new OsmEdge("west-osm-edge", { cluster: west, clusterDnsIp: config.get("westClusterDnsIp") ?? "10.96.0.10", after: westErieCanal.ready, meshedNamespaces: ["shop"], namespacesAfter: [orders.namespaces["west"]!] });
// osm-edge keeps FailOver traffic local while west has endpoints; the probe checks the calls
// are answered (and by west, when the service names itself in the header given here).
new MeshProbe("west-orders-probe", {
  serviceName: "orders",
  namespace: "shop",
  port: 8080,
  mode: "FailOver",
  exporters: ["west", "east"],
  consumer: { cluster: "west", kubeconfig: west.kubeconfig },
  ...(config.get("identityHeader") ? { identityHeader: config.get("identityHeader")! } : {}),
  image: westOsm.plan.settings.images.curl,
}, { parent: orders, dependsOn: [...(orders.reconciler ? [orders.reconciler] : []), ...westOsm.ready, ...westOsm.meshedNamespaces] });

/** Cluster keys of the set. */
export const clusterKeys = clusterSet.clusterKeys;
/** Where the service is served and consumed, as verified during `pulumi up`. */
export const ordersServedBy = orders.reconciler?.servedBy;
