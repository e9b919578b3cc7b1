/**
 * `MultiClusterService`: one declaration of a service across a cluster set, deployed as the
 * planned Namespaces, Services, ServiceExports (in exporters) and GlobalTrafficPolicies (in
 * consumers), each waiting for ErieCanal in its cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import type { KitCluster } from "../cluster/types";
import { createKubernetesResource } from "../kubernetesResources";
import type { ErieCanalInstallation } from "./clusterSet";
import type { ClusterSetPlan } from "./planClusterSet";
import { planMultiClusterService, type MultiClusterServicePlan, type MultiClusterServiceSpec } from "./planService";
import { ExportReconciler } from "../controllers/exportReconciler";

/** A member's cluster and ErieCanal, by cluster name. */
export type ClusterSetMembers = Record<string, { cluster: KitCluster; erieCanal: ErieCanalInstallation }>;

/** Inputs of a `MultiClusterService`. */
export interface MultiClusterServiceArgs extends MultiClusterServiceSpec {
  /** The validated set (`ClusterSet.plan`). */
  clusterSet: ClusterSetPlan;
  /**
   * Verify during `pulumi up` that every consumer can reach every exporter, repairing missed
   * propagation (`ExportReconciler`). Default on; `false` skips it.
   */
  verify?: false | { timeoutSeconds?: number; repairAfterSeconds?: number; pollSeconds?: number };
  /** What the verification waits for besides the service's objects (the set's `ClusterSet.joins`). */
  after?: pulumi.Resource[];
  /** The set's members. */
  members: ClusterSetMembers;
  /**
   * Namespace resources shared with the set's other services, by cluster name
   * (`createServiceNamespaces`); the service creates its own only in clusters not named here. Give
   * them whenever two services share a namespace in a cluster: two resources for one Namespace
   * fail the second create.
   */
  namespaces?: Record<string, pulumi.Resource>;
}

/** A member as the reconciler's lists carry it. */
type ConsumerEntry = { cluster: string; clusterKey: string; kubeconfig: string };
/** An exporter also names its gateway. */
type ExporterEntry = ConsumerEntry & { gatewayHost: string; gatewayPort: number };

/**
 * One Output per member and role, and one per list of members, shared by every service of the set
 * with those members, instead of lifting fresh nested objects (kubeconfig, gateway host and port)
 * per service and member; `ExportReconciler` then makes each list's secret form once too. Lifting
 * and re-walking those values per service was most of what the kit added over a plain program at
 * 1000 services (bench section 1).
 */
const reconcilerEntries = new WeakMap<object, Map<string, pulumi.Output<unknown>>>();

function reconcilerEntry<T>(owner: object, key: string, make: () => pulumi.Output<T>): pulumi.Output<T> {
  let byKey = reconcilerEntries.get(owner);
  if (!byKey) reconcilerEntries.set(owner, (byKey = new Map()));
  let entry = byKey.get(key);
  if (!entry) byKey.set(key, (entry = make()));
  return entry as pulumi.Output<T>;
}

/** A service exported from some clusters of a set and consumed in others. */
export class MultiClusterService extends pulumi.ComponentResource {
  readonly plan: MultiClusterServicePlan;
  /** The controller proving the service consumable everywhere (absent with `verify: false`). */
  readonly reconciler?: ExportReconciler;
  /** The service's Namespace per cluster name (what labels on it, such as a mesh's, wait for). */
  readonly namespaces: Record<string, pulumi.Resource> = {};

  constructor(name: string, args: MultiClusterServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const { clusterSet, members, verify, after = [], namespaces: shared = {}, ...spec } = args;
    const plan = planMultiClusterService(spec, clusterSet);
    super("canalkit:multicluster:MultiClusterService", name, {
      name: plan.name,
      namespace: plan.namespace,
      mode: plan.mode,
      exporters: plan.exporters,
      consumers: plan.consumers,
      ports: spec.exporters[0]!.service.ports.map((p) => p.port),
      serviceType: spec.exporters[0]!.service.type ?? "ClusterIP",
      ...(spec.weights ? { weights: spec.weights } : {}),
      ...(plan.failover ? { failover: plan.failover } : {}),
    }, opts);
    this.plan = plan;
    const namespaces = new Map<string, pulumi.Resource>();
    const created: pulumi.Resource[] = [];
    for (const { cluster, object } of plan.objects) {
      const member = members[cluster];
      if (!member) throw new Error(`canalkit bug: no member ${cluster} passed for ${plan.name}`);
      const base = { parent: this, provider: member.cluster.provider };
      const resourceName = `${name}-${cluster}-${String(object["kind"]).toLowerCase()}${object["apiVersion"].startsWith("multicluster.x-k8s.io") ? "-mcs" : ""}`;
      const kind = `${object["apiVersion"]}/${object["kind"]}`;
      if (kind === "v1/Namespace") {
        // Retained: the namespace may hold the application's own objects.
        namespaces.set(cluster, shared[cluster] ?? createKubernetesResource(resourceName, object, { ...base, dependsOn: member.cluster.apiReadyResources, retainOnDelete: true }));
        this.namespaces[cluster] = namespaces.get(cluster)!;
      } else if (kind === "v1/Service") {
        created.push(createKubernetesResource(resourceName, object, { ...base, dependsOn: [namespaces.get(cluster)!] }));
      } else {
        // flomesh.io kinds pass through the manager's fail-closed webhooks: wait for it.
        created.push(createKubernetesResource(resourceName, object, {
          ...base,
          dependsOn: [namespaces.get(cluster)!, ...member.erieCanal.ready],
          ignoreChanges: object["kind"] === "ServiceExport" ? ['metadata.annotations["multicluster.flomesh.io/export-hash"]'] : [],
        }));
      }
    }
    if (verify !== false) {
      const keyOf = (cluster: string) => clusterSet.members.find((m) => m.name === cluster)!.key;
      this.reconciler = new ExportReconciler(`${name}-reconciler`, {
        serviceName: plan.name,
        namespace: plan.namespace,
        exporters: reconcilerEntry<ExporterEntry[]>(members, `exporters ${plan.exporters.map((c) => `${c} ${keyOf(c)}`).join(" ")}`, () =>
          pulumi.output(plan.exporters.map((c) => {
            const { cluster, erieCanal } = members[c]!;
            return reconcilerEntry<ExporterEntry>(erieCanal, `exporter ${c} ${keyOf(c)}`, () => pulumi.output({ cluster: c, clusterKey: keyOf(c), kubeconfig: cluster.kubeconfig, gatewayHost: erieCanal.gatewayHost, gatewayPort: erieCanal.gatewayPort }));
          })),
        ),
        consumers: reconcilerEntry<ConsumerEntry[]>(members, `consumers ${plan.consumers.map((c) => `${c} ${keyOf(c)}`).join(" ")}`, () =>
          pulumi.output(plan.consumers.map((c) => reconcilerEntry<ConsumerEntry>(members[c]!.cluster, `consumer ${c} ${keyOf(c)}`, () => pulumi.output({ cluster: c, clusterKey: keyOf(c), kubeconfig: members[c]!.cluster.kubeconfig })))),
        ),
        rules: plan.rules.map((r) => ({ portNumber: r.portNumber, path: r.path })),
        ...(verify?.timeoutSeconds !== undefined ? { timeoutSeconds: verify.timeoutSeconds } : {}),
        ...(verify?.repairAfterSeconds !== undefined ? { repairAfterSeconds: verify.repairAfterSeconds } : {}),
        ...(verify?.pollSeconds !== undefined ? { pollSeconds: verify.pollSeconds } : {}),
      }, { parent: this, dependsOn: [...created, ...after] });
    }
    this.registerOutputs({ exporters: plan.exporters, consumers: plan.consumers, mode: plan.mode });
  }
}
