/**
 * Destroying a cluster the kit created need not delete its Kubernetes objects one by one: they go
 * with the control plane. Deleting them anyway makes `pulumi destroy` wait on finalizers whose
 * controllers may already be gone (a CRD whose custom resources a deleted operator finalizes, a
 * namespace holding them), and takes time. So objects that hold nothing outside the cluster are
 * registered `deletedWith` the EKS cluster: Pulumi skips their deletion when the cluster itself is
 * deleted in the same operation, and deletes them normally otherwise.
 *
 * Objects that make the cloud create something — Services (a LoadBalancer Service owns a load
 * balancer in the VPC's subnets), PersistentVolumeClaims (volumes), Ingresses and Gateway API
 * objects (load balancers through their controllers), Helm releases (may contain any of these) —
 * are always deleted explicitly, before the cluster and the network.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Kubernetes types whose deletion releases something outside the cluster. */
const DELETE_EXPLICITLY = [
  /^kubernetes:core\/v1:Service$/,
  /^kubernetes:core\/v1:PersistentVolumeClaim$/,
  /^kubernetes:networking\.k8s\.io\/v1(beta1)?:Ingress$/,
  /^kubernetes:gateway\.networking\.k8s\.io\//,
  /^kubernetes:helm\.sh\//,
];

/** Whether a Kubernetes resource type may be left to go with its cluster. */
export function goesWithCluster(type: string): boolean {
  // kubernetes:yaml:* and kubernetes:kustomize:* are components, not objects.
  return type.startsWith("kubernetes:") && !/^kubernetes:(yaml|kustomize)/.test(type) && !DELETE_EXPLICITLY.some((re) => re.test(type));
}

/**
 * Registers a stack transformation that sets `deletedWith: <EKS cluster>` on the objects of every
 * cluster `clusterOf` knows (by their Kubernetes provider, explicit or inherited from the parent).
 * Call once, inside the stack program, before any Kubernetes object is declared.
 */
export function deleteObjectsWithTheirCluster(clusterOf: (provider: pulumi.ProviderResource) => aws.eks.Cluster | undefined): void {
  pulumi.runtime.registerStackTransformation((args) => {
    // By type: transformations run before the resource's class has marked it custom or component.
    if (args.opts.deletedWith || !goesWithCluster(args.type)) return undefined;
    const provider = args.opts.provider ?? args.opts.parent?.getProvider(args.type);
    const cluster = provider ? clusterOf(provider as pulumi.ProviderResource) : undefined;
    return cluster ? { props: args.props, opts: { ...args.opts, deletedWith: cluster } } : undefined;
  });
}
