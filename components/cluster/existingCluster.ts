/**
 * `ExistingCluster`: a cluster canalkit did not create, described by its kubeconfig and the few
 * network facts the CNI and multi-cluster layers need. It satisfies the same `KitCluster`
 * contract as `EksCluster`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CanalkitInputError } from "../errors";
import { parseCidr, cidrsOverlap } from "../network/cidr";
import { MINIMUM_POD_MTU } from "../network/mtu";
import { TOPOLOGIES, type Topology } from "../network/types";
import { clusterCapabilities } from "./capabilities";
import { kubernetesProviderName } from "./providerName";
import type { ClusterCapabilities, ClusterNetworkFacts, KitCluster } from "./types";
import { DefaultCniRemoval } from "../controllers/defaultCniRemoval";
import { isAwsRegion, isEksClusterName } from "../controllers/eksVpcCniAddon";

/** Inputs of an `ExistingCluster`. */
export interface ExistingClusterArgs {
  /** Logical cluster name, unique in the stack. Default: the resource name. */
  clusterName?: string;
  /** Admin kubeconfig; stored as a secret whatever you pass. */
  kubeconfig: pulumi.Input<string>;
  /** The topology the cluster's network was built for. */
  topology: Topology;
  podCidr: string;
  serviceCidr: string;
  /** Pod MTU the CNI must use (underlay − encapsulation). */
  podMtu: number;
  /** Default 8472. */
  vxlanPort?: number;
  typha?: boolean;
  /** The VPC CIDR, when known (used for overlap checks across a cluster set). */
  vpcCidr?: string;
  /** The cluster's AWS region, such as us-east-1 (needed with `eksClusterName`). */
  region?: string;
  /** Whether it is EKS (then the control plane cannot reach pods under an overlay). */
  isEks: boolean;
  /**
   * Whether the control plane gives nodes a `spec.podCIDR` (`--allocate-node-cidrs`, as kubeadm
   * with `--pod-network-cidr`). Default: true, except on EKS which never does. When false, Canal
   * runs the kit's node pod-CIDR allocator for vxlan and native-vpc.
   */
  nodePodCidrsAllocated?: boolean;
  /** Override of the derived capability. */
  controlPlaneReachesPods?: boolean;
  /**
   * Remove the Amazon VPC CNI (`kube-system/aws-node`) during `pulumi up`, before Canal (EKS only).
   * Default false: canalkit never removes a CNI it was not asked to.
   */
  removeAmazonVpcCni?: boolean;
  /**
   * The cluster's name in EKS (with `region`), so that `removeAmazonVpcCni` also deletes the EKS
   * `vpc-cni` add-on when the cluster has one (EKS API, with the AWS credentials of the
   * environment `pulumi up` runs in; needs `eks:DescribeAddon` and `eks:DeleteAddon`). Without it,
   * an `aws-node` the add-on manages is refused, since EKS would put it back.
   */
  eksClusterName?: string;
}

/** A cluster canalkit deploys into but did not create. */
export class ExistingCluster extends pulumi.ComponentResource implements KitCluster {
  readonly clusterName: string;
  readonly region: string | undefined;
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly networkFacts: ClusterNetworkFacts;
  readonly capabilities: ClusterCapabilities;
  readonly isEks: boolean;
  readonly managedByKit = false;
  readonly apiReadyResources: pulumi.Resource[] = [];
  readonly readyResources: pulumi.Resource[] = [];

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const clusterName = args.clusterName ?? name;
    if (!TOPOLOGIES.includes(args.topology)) throw new CanalkitInputError("cluster.topology", args.topology, "is not a known topology", `use one of ${TOPOLOGIES.join(", ")}`);
    const pods = parseCidr("cluster.podCidr", args.podCidr);
    const services = parseCidr("cluster.serviceCidr", args.serviceCidr);
    if (cidrsOverlap(pods, services)) throw new CanalkitInputError("cluster.podCidr", args.podCidr, `overlaps cluster.serviceCidr (${args.serviceCidr})`, "state the cluster's real, distinct ranges");
    if (args.vpcCidr && cidrsOverlap(pods, parseCidr("cluster.vpcCidr", args.vpcCidr))) {
      throw new CanalkitInputError("cluster.podCidr", args.podCidr, `overlaps cluster.vpcCidr (${args.vpcCidr})`, "state the cluster's real, distinct ranges");
    }
    if (!Number.isInteger(args.podMtu) || args.podMtu < MINIMUM_POD_MTU || args.podMtu > 9001) {
      throw new CanalkitInputError("cluster.podMtu", args.podMtu, `must be a whole number from ${MINIMUM_POD_MTU} to 9001`, "use underlay MTU minus encapsulation, for example 8951 for VXLAN inside one VPC");
    }
    if (args.region !== undefined && (typeof args.region !== "string" || !isAwsRegion(args.region))) {
      throw new CanalkitInputError("cluster.region", args.region, "is not an AWS region name", "use the cluster's region as AWS spells it, for example us-east-1");
    }
    if (args.eksClusterName !== undefined) {
      if (typeof args.eksClusterName !== "string" || !isEksClusterName(args.eksClusterName)) {
        throw new CanalkitInputError("cluster.eksClusterName", args.eksClusterName, "is not an EKS cluster name (1–100 letters, digits, - and _, starting with a letter or digit)", "use the name `aws eks list-clusters` shows for this cluster");
      }
      if (!args.isEks) throw new CanalkitInputError("cluster.eksClusterName", args.eksClusterName, "is set on a cluster that is not EKS (isEks: false)", "remove eksClusterName, or state isEks: true if the cluster is EKS");
      if (args.region === undefined) throw new CanalkitInputError("cluster.region", undefined, "is needed with cluster.eksClusterName (the EKS API is regional)", "set region to the cluster's AWS region, for example us-east-1");
    }
    const nodePodCidrsAllocated = args.nodePodCidrsAllocated ?? !args.isEks;
    const capabilities = clusterCapabilities({ isEks: args.isEks, topology: args.topology, ...(args.controlPlaneReachesPods !== undefined ? { controlPlaneReachesPods: args.controlPlaneReachesPods } : {}) });
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = {
      clusterName,
      region: args.region ?? null,
      kind: "existing",
      isEks: args.isEks,
      topology: args.topology,
      podCidr: args.podCidr,
      serviceCidr: args.serviceCidr,
      podMtu: args.podMtu,
      nodePodCidrsAllocated,
      controlPlaneReachesPods: capabilities.controlPlaneReachesPods,
    };
    super("canalkit:cluster:ExistingCluster", name, facts, opts);
    this.clusterName = clusterName;
    this.region = args.region;
    this.isEks = args.isEks;
    this.capabilities = capabilities;
    this.networkFacts = {
      topology: args.topology,
      podCidr: args.podCidr,
      serviceCidr: args.serviceCidr,
      podMtu: args.podMtu,
      vxlanPort: args.vxlanPort ?? 8472,
      disableSourceDestCheck: args.topology !== "vxlan",
      typha: args.typha ?? false,
      nodePodCidrsAllocated,
      ...(args.vpcCidr ? { vpcCidr: args.vpcCidr } : {}),
    };
    this.kubeconfig = pulumi.secret(args.kubeconfig);
    this.provider = new k8s.Provider(kubernetesProviderName(clusterName), { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this });
    if (args.removeAmazonVpcCni) this.readyResources.push(new DefaultCniRemoval(`${name}-remove-amazon-vpc-cni`, { cluster: this, ...(args.eksClusterName !== undefined ? { eksClusterName: args.eksClusterName, region: args.region! } : {}) }, { parent: this }));
    this.registerOutputs({ ...facts, clusterName, kubeconfig: this.kubeconfig });
  }
}
