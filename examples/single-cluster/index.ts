/**
 * One EKS cluster with Canal on the default topology (flannel VXLAN): the network with NAT, the
 * cluster without the Amazon VPC CNI, Canal sized to the network's MTU, and CoreDNS once pods can
 * get addresses.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Canal, ClusterNetwork, EksCluster, planApiAccess } from "canalkit";

const config = new pulumi.Config();
const region = new pulumi.Config("aws").require("region");
const tags = { environment: "dev", owner: config.get("owner") ?? "platform-team" };
const provider = new aws.Provider("aws", { region: region as aws.Region, defaultTags: { tags } });

const network = new ClusterNetwork("demo", {
  region,
  vpcCidr: config.get("vpcCidr") ?? "10.20.0.0/16",
  availabilityZones: config.getObject<string[]>("availabilityZones") ?? [`${region}a`, `${region}b`],
  podCidr: "100.64.0.0/16",
  serviceCidr: "172.20.0.0/16",
  topology: "vxlan",
  natStrategy: "single",
  tags,
}, { provider });

// `pulumi up` runs the Kubernetes provider here, so the API server must be reachable from this
// machine: a public endpoint open only to its egress ranges (config runnerCidrs), plus the private
// one the nodes use.
const apiAccess = planApiAccess("endpoint", { private: true, public: true }, { location: "internet", cidrs: config.requireObject<string[]>("runnerCidrs") }, "runnerCidrs");

const cluster = new EksCluster("demo", {
  network,
  region,
  apiAccess,
  nodeGroups: [{ name: "general", instanceTypes: ["t3.large"], minSize: 1, maxSize: 3, desiredSize: 2 }],
  tags,
}, { provider });

const canal = new Canal("demo-canal", { cluster });
cluster.installCoreDns(canal.ready);

/** Admin kubeconfig (a secret). */
export const kubeconfig = cluster.kubeconfig;
/** The pod MTU Canal was given (flannel VXLAN inside one VPC: 8951). */
export const podMtu = network.podMtu;
