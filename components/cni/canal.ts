/**
 * `Canal`: installs the planned Canal objects into a cluster as typed `@pulumi/kubernetes`
 * resources — CRDs first, then identities and config, then the DaemonSet and controllers.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createKubernetesResource } from "../kubernetesResources";
import type { KitCluster } from "../cluster/types";
import type { KubernetesObject } from "./objects";
import { planCanal, type CanalPlan } from "./planCanal";
import type { CanalOptions } from "./settings";

/** Inputs of `Canal`. */
export interface CanalArgs extends CanalOptions {
  /** The cluster to install into; its network facts drive the configuration. */
  cluster: KitCluster;
}

/** Kinds that only declare things; workloads wait for all of them. */
const FOUNDATION_KINDS = new Set(["CustomResourceDefinition", "ServiceAccount", "ConfigMap", "ClusterRole", "ClusterRoleBinding", "Service"]);

/** Canal (Calico policy + flannel networking) in one cluster. */
export class Canal extends pulumi.ComponentResource {
  /** The plan the resources were built from. */
  readonly plan: CanalPlan;
  /** The `canal` DaemonSet. */
  readonly daemonSet: k8s.apps.v1.DaemonSet;
  /** What must exist before pods can get networking (CoreDNS, every later workload). */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: CanalArgs, opts?: pulumi.ComponentResourceOptions) {
    const { cluster, ...options } = args;
    const plan = planCanal(cluster.networkFacts, options);
    const s = plan.settings;
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = {
      clusterName: cluster.clusterName,
      topology: s.topology,
      vethMtu: s.podMtu,
      vxlanPort: s.flannel ? s.vxlanPort : null,
      flannel: s.flannel,
      calicoBackend: s.calicoBackend,
      awsSrcDstCheck: s.awsSrcDstCheck,
      chainInsertMode: s.chainInsertMode,
      typha: s.typha,
      images: s.images,
    };
    super("canalkit:cni:Canal", name, facts, opts);
    this.plan = plan;

    const foundation: pulumi.Resource[] = [];
    const created = new Map<string, pulumi.CustomResource>();
    for (const object of plan.objects) {
      const isFoundation = FOUNDATION_KINDS.has(object.kind);
      const resource = createKubernetesResource(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, {
        parent: this,
        provider: cluster.provider,
        // Declarations need only the API server; the DaemonSet and Deployments need the nodes too.
        dependsOn: isFoundation ? cluster.apiReadyResources : [...cluster.readyResources, ...foundation],
      });
      if (isFoundation) foundation.push(resource);
      created.set(`${object.kind}/${object.metadata.name}`, resource);
    }
    this.daemonSet = created.get("DaemonSet/canal") as k8s.apps.v1.DaemonSet;
    this.ready = [this.daemonSet, created.get("Deployment/calico-kube-controllers")!];
    this.registerOutputs({ ...facts, topology: s.topology, vethMtu: s.podMtu });
  }
}

/** Helper for tests and synth: the plan's object of a kind and name. */
export function findObject(plan: CanalPlan, kind: string, name: string): KubernetesObject | undefined {
  return plan.objects.find((o) => o.kind === kind && o.metadata.name === name);
}
