/**
 * `DefaultCniRemoval`: removes the Amazon VPC CNI (`kube-system/aws-node` DaemonSet) from an
 * existing EKS cluster before Canal is installed, only when asked — and the EKS `vpc-cni` add-on
 * that installs it, when the cluster has one and its EKS name and region are given. Clusters
 * canalkit creates never have it, so the wrapper refuses them. Nothing else is touched; deleting
 * this resource does not reinstall the VPC CNI.
 */
import * as pulumi from "@pulumi/pulumi";
import { ControllerResource } from "./engineLoader";
import type { KitCluster } from "../cluster/types";
import { CanalkitInputError } from "../errors";
import { connectKubernetes, readOrUndefined } from "./kubernetesApi";
import { waitFailures } from "./checks";
import { withDeadline } from "./deadline";
import { withoutCredentials } from "./redact";
import { readOrKeepLast } from "./refresh";
import { isTransient, retryTransient } from "./retry";
import { isAwsRegion, isEksClusterName, removeVpcCniAddon, VPC_CNI_ADDON, type EksAddonTarget } from "./eksVpcCniAddon";

/** Bumped whenever what the controller removes changes. */
export const DEFAULT_CNI_REMOVAL_VERSION = "default-cni-removal/3";

/** The DaemonSet of the Amazon VPC CNI on EKS. */
export const AMAZON_VPC_CNI = { namespace: "kube-system", name: "aws-node" } as const;

/** Inputs as the provider receives them. */
export interface DefaultCniRemovalInputs {
  clusterName: string;
  kubeconfig: string;
  /** How long to wait for aws-node's pods to be gone. Default 300. */
  timeoutSeconds: number;
  /** How often to look. Default 5. */
  pollSeconds: number;
  /** The EKS cluster's name, to remove its `vpc-cni` add-on (with `region`). */
  eksClusterName?: string;
  /** The EKS cluster's AWS region. */
  region?: string;
  /** EKS endpoint override (VPC endpoints, tests); default: the regional endpoint. */
  eksEndpoint?: string;
  controllerVersion: string;
}

/** Outputs: whether the DaemonSet (and the add-on) were there to remove, and whether aws-node is present now. */
export interface DefaultCniRemovalOutputs extends DefaultCniRemovalInputs {
  removed: boolean;
  /** Whether the EKS `vpc-cni` add-on was deleted by this resource. */
  addonRemoved?: boolean;
  present: boolean;
  /** Set by a refresh that could not read the cluster (the rest is the last recorded state). */
  warning?: string;
}

/** The label aws-node's pods carry. */
const AWS_NODE_PODS = "k8s-app=aws-node";

/** How long to wait for aws-node to be gone, and how often to look. */
export interface RemovalBounds {
  timeoutSeconds: number;
  pollSeconds: number;
}

/** What `removeAmazonVpcCni` did: whether it deleted the DaemonSet, and whether it deleted the add-on. */
export interface RemovalResult {
  removed: boolean;
  addonRemoved: boolean;
}

/**
 * Deletes the VPC CNI DaemonSet if present, then waits until it and its pods are gone; answers
 * whether this call deleted it (`removeAmazonVpcCniAndAddon` also removes the add-on). A foreground
 * delete returns at once: the DaemonSet stays, with a deletionTimestamp, while its pods terminate,
 * and Canal must not start beside them. Idempotent: a DaemonSet already being deleted is waited
 * for, not deleted again.
 */
export async function removeAmazonVpcCni(kubeconfig: string, bounds: RemovalBounds = { timeoutSeconds: 300, pollSeconds: 5 }): Promise<boolean> {
  return (await removeAmazonVpcCniAndAddon(kubeconfig, bounds)).removed;
}

/**
 * `removeAmazonVpcCni`, and first, when `eks` names the EKS cluster, its `vpc-cni` add-on: deleted
 * through the EKS API without `preserve` (EKS then deletes aws-node), waited for until EKS no longer
 * lists it, all within the same bound. Without `eks`, an aws-node the add-on manages is refused.
 */
export async function removeAmazonVpcCniAndAddon(kubeconfig: string, bounds: RemovalBounds = { timeoutSeconds: 300, pollSeconds: 5 }, eks?: EksAddonTarget): Promise<RemovalResult> {
  const { apps, core } = connectKubernetes(kubeconfig);
  const deadline = Date.now() + bounds.timeoutSeconds * 1000;
  return withDeadline(deadline, async () => {
    let existing = await retryTransient(() => readOrUndefined(() => apps.readNamespacedDaemonSet(AMAZON_VPC_CNI)));
    let deleted = false;
    // EKS applies its add-ons with server-side apply as field manager `eks`: an aws-node it manages
    // comes back when the add-on is reconciled, so the add-on goes first, by its owner.
    const addonRemoved = eks ? await removeVpcCniAddon(eks, { deadline, pollSeconds: bounds.pollSeconds, timeoutSeconds: bounds.timeoutSeconds }) : false;
    if (addonRemoved) existing = await retryTransient(() => readOrUndefined(() => apps.readNamespacedDaemonSet(AMAZON_VPC_CNI)));
    if (!addonRemoved && existing && !existing.metadata?.deletionTimestamp && (existing.metadata?.managedFields ?? []).some((f) => f.manager === "eks")) {
      throw new Error(
        eks
          ? `kube-system/aws-node's fields are managed by "eks", but EKS cluster "${eks.eksClusterName}" in ${eks.region} has no ${VPC_CNI_ADDON} add-on. ` +
              `Check eksClusterName and region on the ExistingCluster (they must name this cluster), then run pulumi up again.`
          : `kube-system/aws-node belongs to the EKS vpc-cni add-on (its fields are managed by "eks"); deleting only the DaemonSet would not last. ` +
              `Set eksClusterName and region on the ExistingCluster so canalkit deletes the add-on (needs eks:DescribeAddon and eks:DeleteAddon), ` +
              `or delete it yourself — aws eks delete-addon --cluster-name <cluster> --addon-name vpc-cni (without --preserve) — then run pulumi up again.`,
      );
    }
    if (existing && !existing.metadata?.deletionTimestamp) {
      await retryTransient(() => readOrUndefined(() => apps.deleteNamespacedDaemonSet({ ...AMAZON_VPC_CNI, propagationPolicy: "Foreground" })));
      deleted = true;
    }
    let seen = "";
    for (;;) {
      try {
        const daemonSet = await retryTransient(() => readOrUndefined(() => apps.readNamespacedDaemonSet(AMAZON_VPC_CNI)));
        const pods = (await retryTransient(() => core.listNamespacedPod({ namespace: AMAZON_VPC_CNI.namespace, labelSelector: AWS_NODE_PODS }))).items;
        if (!daemonSet && pods.length === 0) return { removed: deleted || addonRemoved, addonRemoved };
        seen = [
          daemonSet ? `DaemonSet ${AMAZON_VPC_CNI.namespace}/${AMAZON_VPC_CNI.name}${daemonSet.metadata?.deletionTimestamp ? " (deletionTimestamp set)" : ""}` : "",
          pods.length > 0 ? `pods ${pods.map((p) => p.metadata?.name).sort().join(", ")}` : "",
        ].filter(Boolean).join(", ");
      } catch (error) {
        if (!isTransient(error)) throw error;
        // What a complete look saw stays the news (the last read may be cut by the deadline).
        seen = `${seen.replace(/; then reading failed.*$/, "")}${seen ? "; then " : ""}reading failed: ${(error as Error).message.split("\n")[0]}`;
      }
      if (Date.now() + bounds.pollSeconds * 1000 > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, bounds.pollSeconds * 1000));
    }
    throw new Error(
      `aws-node is still terminating after ${bounds.timeoutSeconds}s: ${seen}. Canal is not installed beside the Amazon VPC CNI; ` +
        `the next \`pulumi up\` waits again. Look at why the pods do not stop (kubectl -n kube-system get pods -l ${AWS_NODE_PODS}).`,
    );
  });
}

/** Whether the VPC CNI DaemonSet exists (refresh: an add-on or a person reinstalled it). */
export async function amazonVpcCniPresent(kubeconfig: string): Promise<boolean> {
  const { apps } = connectKubernetes(kubeconfig);
  return (await retryTransient(() => readOrUndefined(() => apps.readNamespacedDaemonSet(AMAZON_VPC_CNI)))) !== undefined;
}

/** Check failures for the add-on's target: a valid name, and a region whenever a name is given. */
function eksTargetFailures(news: Partial<DefaultCniRemovalInputs>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (news.eksClusterName !== undefined && (typeof news.eksClusterName !== "string" || !isEksClusterName(news.eksClusterName))) {
    failures.push({ property: "eksClusterName", reason: `eksClusterName = ${JSON.stringify(news.eksClusterName)}: not an EKS cluster name (1–100 letters, digits, - and _)` });
  }
  if (news.region !== undefined && (typeof news.region !== "string" || !isAwsRegion(news.region))) {
    failures.push({ property: "region", reason: `region = ${JSON.stringify(news.region)}: not an AWS region name such as us-east-1` });
  }
  if (news.eksClusterName !== undefined && news.region === undefined) failures.push({ property: "region", reason: "region is required with eksClusterName (the EKS cluster's AWS region)" });
  return failures;
}

/** The add-on's target, when the inputs name an EKS cluster. */
function eksTarget(inputs: DefaultCniRemovalInputs): EksAddonTarget | undefined {
  if (!inputs.eksClusterName || !inputs.region) return undefined;
  return { eksClusterName: inputs.eksClusterName, region: inputs.region, ...(inputs.eksEndpoint ? { eksEndpoint: inputs.eksEndpoint } : {}) };
}

/** The dynamic provider. */
export const defaultCniRemovalProvider: pulumi.dynamic.ResourceProvider<DefaultCniRemovalInputs, DefaultCniRemovalOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = ["clusterName", "kubeconfig"].filter((k) => !news[k as keyof DefaultCniRemovalInputs]).map((property) => ({ property, reason: `${property} is required` }));
    failures.push(...eksTargetFailures(news));
    // State written before the wait existed has no bounds: the defaults apply.
    const inputs = { ...news, timeoutSeconds: news.timeoutSeconds ?? 300, pollSeconds: news.pollSeconds ?? 5 };
    failures.push(...waitFailures(inputs));
    return { inputs, failures };
  },
  async diff(_id, olds: DefaultCniRemovalOutputs, news) {
    // Reinstalled since (seen by refresh), or a newer removal: remove again. A new kubeconfig or
    // new bounds for the same cluster alone change nothing.
    return { changes: olds.present || olds.controllerVersion !== news.controllerVersion || olds.clusterName !== news.clusterName };
  },
  async create(inputs) {
    const { removed, addonRemoved } = await withoutCredentials([inputs.kubeconfig], () => removeAmazonVpcCniAndAddon(inputs.kubeconfig, inputs, eksTarget(inputs)));
    return { id: `${inputs.clusterName}/${AMAZON_VPC_CNI.namespace}/${AMAZON_VPC_CNI.name}`, outs: { ...inputs, removed, addonRemoved, present: false } };
  },
  async read(id, props) {
    if (!props) throw new Error(`DefaultCniRemoval ${id}: cannot be read without its recorded state (import is not supported)`);
    return readOrKeepLast("DefaultCniRemoval", id, props, [props.kubeconfig], async () => ({ ...props, present: await amazonVpcCniPresent(props.kubeconfig) }));
  },
  async update(_id, olds: DefaultCniRemovalOutputs, news) {
    const { removed, addonRemoved } = await withoutCredentials([news.kubeconfig], () => removeAmazonVpcCniAndAddon(news.kubeconfig, news, eksTarget(news)));
    return { outs: { ...news, removed: olds.removed || removed, addonRemoved: (olds.addonRemoved ?? false) || addonRemoved, present: false } };
  },
  async delete() {
    // Never reinstall: Canal owns pod networking now.
  },
};

/** Inputs of a `DefaultCniRemoval`. */
export interface DefaultCniRemovalArgs {
  cluster: Pick<KitCluster, "clusterName" | "isEks" | "managedByKit" | "kubeconfig">;
  /**
   * The EKS cluster's name, when its `vpc-cni` add-on is to be deleted too (with `region`).
   * Without it, an aws-node the add-on manages is refused.
   */
  eksClusterName?: string;
  /** The EKS cluster's AWS region (needed with `eksClusterName`). */
  region?: string;
  /** EKS endpoint override (VPC endpoints, tests); default: the regional endpoint. */
  eksEndpoint?: pulumi.Input<string>;
}

/** Removes the Amazon VPC CNI (and the EKS `vpc-cni` add-on, when named) from an existing EKS cluster before Canal. */
export class DefaultCniRemoval extends ControllerResource {
  declare readonly removed: pulumi.Output<boolean>;
  declare readonly addonRemoved: pulumi.Output<boolean>;

  constructor(name: string, args: DefaultCniRemovalArgs, opts?: pulumi.CustomResourceOptions) {
    const { cluster } = args;
    if (cluster.managedByKit) {
      throw new CanalkitInputError(`clusters.${cluster.clusterName}.removeAmazonVpcCni`, true, "canalkit created this cluster without the Amazon VPC CNI, so there is nothing to remove", "remove the option");
    }
    if (!cluster.isEks) {
      throw new CanalkitInputError(`clusters.${cluster.clusterName}.removeAmazonVpcCni`, true, "only EKS clusters ship the Amazon VPC CNI", "remove the option, or state isEks: true if the cluster is EKS");
    }
    super(
      "DefaultCniRemoval",
      name,
      {
        clusterName: cluster.clusterName,
        kubeconfig: pulumi.secret(cluster.kubeconfig),
        timeoutSeconds: 300,
        pollSeconds: 5,
        ...(args.eksClusterName !== undefined ? { eksClusterName: args.eksClusterName } : {}),
        ...(args.region !== undefined ? { region: args.region } : {}),
        ...(args.eksEndpoint !== undefined ? { eksEndpoint: args.eksEndpoint } : {}),
        controllerVersion: DEFAULT_CNI_REMOVAL_VERSION,
        removed: undefined,
        addonRemoved: undefined,
        present: undefined,
        warning: undefined,
      },
      { ...opts, additionalSecretOutputs: ["kubeconfig"] },
    );
  }
}
