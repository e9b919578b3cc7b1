/**
 * A multi-cluster service as one declaration — "service S in namespace N, exported from A and B,
 * consumed in C, mode FailOver" — validated the way ErieCanal's webhooks would and further, then
 * turned into the ServiceExports (exporters) and GlobalTrafficPolicies (consumers) it needs.
 */
import { CanalkitInputError } from "../errors";
import type { ClusterSetPlan } from "./planClusterSet";
import { DNS_LABEL } from "../dnsLabel";
import { exportedPortNameProblem, unorderedFailoverConsumers, unorderedFailoverMessage, validateServicePorts, validateWeights } from "./serviceValidation";

/** How consumers spread traffic over the exporters (GlobalTrafficPolicy `spec.lbType`). */
export type TrafficMode = "Locality" | "ActiveActive" | "FailOver";

/** A Service port. */
export interface ServicePortSpec {
  port: number;
  name?: string;
  protocol?: "TCP" | "UDP" | "SCTP";
  targetPort?: number;
}

/** One exporting cluster and its Service as it exists (or as the kit will create it) there. */
export interface ExporterSpec {
  /** Member name. */
  cluster: string;
  /** The Service in that cluster: its type and ports. */
  service: { type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"; ports: ServicePortSpec[] };
  /** Whether the kit creates the Service (with this selector) or it already exists. */
  selector?: Record<string, string>;
}

/** One exported path (ServiceExport `spec.rules[]`). */
export interface ExportRuleSpec {
  portNumber: number;
  path: string;
  pathType: "Exact" | "Prefix";
}

/** The declaration. */
export interface MultiClusterServiceSpec {
  name: string;
  namespace: string;
  exporters: ExporterSpec[];
  consumers: string[];
  mode: TrafficMode;
  /** Exported paths; default one `Prefix` rule per Service port at `/<namespace>/<name>`. */
  rules?: ExportRuleSpec[];
  /**
   * FailOver: the exporters in order of preference (default: declaration order). A consumer that
   * exports calls its own copy first and fails over to these; one that does not may name only one
   * (osm-edge v1.3.0 spreads calls evenly over remote exporters).
   */
  failoverOrder?: string[];
  /** ActiveActive: weight per exporter (default equal). */
  weights?: Record<string, number>;
  /** Locality: the one preferred exporter (default none: the consumer's own locality). */
  localityTarget?: string;
  pathRewrite?: { from: string; to: string };
  sessionSticky?: boolean;
  loadBalancer?: "RoundRobinLoadBalancer" | "HashingLoadBalancer" | "LeastWorkLoadBalancer";
  /** Also emit upstream MCS `multicluster.x-k8s.io` ServiceExports. */
  upstreamMcs?: boolean;
}

/** A Kubernetes object destined for one cluster. */
export interface PlacedObject {
  cluster: string;
  object: Record<string, any>;
}

/** The plan of one multi-cluster service. */
export interface MultiClusterServicePlan {
  name: string;
  namespace: string;
  mode: TrafficMode;
  exporters: string[];
  consumers: string[];
  rules: ExportRuleSpec[];
  objects: PlacedObject[];
  /** FailOver: per consumer, the clusters that answer its calls in order (its own copy first when it exports). */
  failover?: Record<string, string[]>;
}


function portsSignature(ports: ServicePortSpec[]): string {
  return JSON.stringify([...ports].map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP", name: p.name ?? "" })).sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)));
}

/** Validates the declaration against the set and plans its objects. */
export function planMultiClusterService(spec: MultiClusterServiceSpec, set: ClusterSetPlan, field = `services.${spec.name}`): MultiClusterServicePlan {
  for (const [k, v] of [["name", spec.name], ["namespace", spec.namespace]] as const) {
    if (!DNS_LABEL.test(v)) throw new CanalkitInputError(`${field}.${k}`, v, "is not a DNS label", "use lowercase letters, digits and '-'");
  }
  const members = new Map(set.members.map((m) => [m.name, m]));
  const member = (name: string, where: string) => {
    const m = members.get(name);
    if (!m) throw new CanalkitInputError(where, name, `is not a member of cluster set ${set.name}`, `use one of ${[...members.keys()].join(", ")}, or add the cluster to the set`);
    return m;
  };
  if (spec.exporters.length === 0) throw new CanalkitInputError(`${field}.exporters`, [], "a multi-cluster service needs at least one exporter", "name the clusters that run the service");
  if (spec.consumers.length === 0) throw new CanalkitInputError(`${field}.consumers`, [], "a multi-cluster service needs at least one consumer", "name the clusters that call the service");
  const exporterNames = spec.exporters.map((e, i) => member(e.cluster, `${field}.exporters[${i}].cluster`).name);
  spec.consumers.forEach((c, i) => member(c, `${field}.consumers[${i}]`));
  const dup = exporterNames.find((n, i) => exporterNames.indexOf(n) !== i);
  if (dup) throw new CanalkitInputError(`${field}.exporters`, exporterNames, `${dup} exports the service twice`, "list each exporter once");
  spec.exporters.forEach((e, i) => {
    validateServicePorts(`${field}.exporters[${i}].service.ports`, e.service.ports);
    e.service.ports.forEach((p, j) => {
      const wrong = exportedPortNameProblem(p.name, p.port);
      if (wrong) throw new CanalkitInputError(`${field}.exporters[${i}].service.ports[${j}].name`, p.name, wrong.problem, wrong.fix);
    });
  });
  if (spec.mode === "ActiveActive" && spec.weights) validateWeights(`${field}.weights`, spec.weights, exporterNames);

  // Pre-apply conflict detection: ErieCanal only marks Conflict at run time.
  const first = spec.exporters[0]!;
  for (const [i, e] of spec.exporters.entries()) {
    if (e.service.type === "ExternalName") throw new CanalkitInputError(`${field}.exporters[${i}].service.type`, "ExternalName", "ExternalName Services cannot be exported", "export a ClusterIP Service");
    if (e.service.ports.length === 0) throw new CanalkitInputError(`${field}.exporters[${i}].service.ports`, [], `${e.cluster} declares no ports for ${spec.namespace}/${spec.name}`, "declare the Service's ports");
    if ((e.service.type ?? "ClusterIP") !== (first.service.type ?? "ClusterIP") || portsSignature(e.service.ports) !== portsSignature(first.service.ports)) {
      throw new CanalkitInputError(
        `${field}.exporters[${i}].service`,
        { cluster: e.cluster, type: e.service.type ?? "ClusterIP", ports: e.service.ports.map((p) => p.port) },
        `conflicts with ${first.cluster}'s ${spec.namespace}/${spec.name} (type ${first.service.type ?? "ClusterIP"}, ports ${first.service.ports.map((p) => p.port).join(", ")}); ErieCanal would mark the export Conflict at run time`,
        `make ${e.cluster} and ${first.cluster} expose ${spec.namespace}/${spec.name} with the same type and ports`,
      );
    }
  }
  const servicePorts = new Set(first.service.ports.map((p) => p.port));
  const rules = spec.rules ?? first.service.ports.map((p) => ({ portNumber: p.port, path: `/${spec.namespace}/${spec.name}${first.service.ports.length > 1 ? `/${p.port}` : ""}`, pathType: "Prefix" as const }));
  if (rules.length === 0) throw new CanalkitInputError(`${field}.rules`, [], "an export needs at least one rule", "give a rule per exported port");
  const seenPaths = new Map<string, number>();
  rules.forEach((r, i) => {
    if (!r.path.startsWith("/")) throw new CanalkitInputError(`${field}.rules[${i}].path`, r.path, "must start with /", `write /${r.path}`);
    if (!servicePorts.has(r.portNumber)) throw new CanalkitInputError(`${field}.rules[${i}].portNumber`, r.portNumber, `no exporter's Service declares port ${r.portNumber}`, `use one of ${[...servicePorts].join(", ")}`);
    const key = `${r.pathType} ${r.path}`;
    const j = seenPaths.get(key);
    if (j !== undefined) throw new CanalkitInputError(`${field}.rules[${i}]`, key, `collides with ${field}.rules[${j}] on the same path and pathType`, "give each rule its own path");
    seenPaths.set(key, i);
  });

  const keyOf = (name: string) => members.get(name)!.key;
  let targets: { clusterKey: string; weight?: number }[] = [];
  switch (spec.mode) {
    case "Locality":
      if (spec.failoverOrder || spec.weights) throw new CanalkitInputError(`${field}.mode`, "Locality", "takes no failoverOrder or weights", "use FailOver for an order, ActiveActive for weights");
      if (spec.localityTarget) targets = [{ clusterKey: keyOf(exporterOf(spec.localityTarget, exporterNames, `${field}.localityTarget`)) }];
      break;
    case "FailOver": {
      if (spec.weights || spec.localityTarget) throw new CanalkitInputError(`${field}.mode`, "FailOver", "takes a failoverOrder, not weights or a localityTarget", "list the exporters in order of preference in failoverOrder");
      const order = spec.failoverOrder ?? exporterNames;
      if (order.length === 0) throw new CanalkitInputError(`${field}.failoverOrder`, order, "FailOver needs at least one target", "list the exporters in order of preference");
      targets = order.map((n, i) => ({ clusterKey: keyOf(exporterOf(n, exporterNames, `${field}.failoverOrder[${i}]`)) }));
      const [unordered] = unorderedFailoverConsumers(spec.consumers, exporterNames, order);
      if (unordered !== undefined) {
        const { problem, fix } = unorderedFailoverMessage(`${spec.namespace}/${spec.name}`, order, `export the service from ${unordered} as well`);
        throw new CanalkitInputError(`${field}.consumers[${spec.consumers.indexOf(unordered)}]`, unordered, problem, `${fix}, or list only the one exporter it should call in failoverOrder`);
      }
      break;
    }
    case "ActiveActive": {
      if (spec.failoverOrder || spec.localityTarget) throw new CanalkitInputError(`${field}.mode`, "ActiveActive", "takes weights, not a failoverOrder or localityTarget", "give a weight per exporter");
      const weights = spec.weights ?? Object.fromEntries(exporterNames.map((n) => [n, 1]));
      targets = Object.entries(weights).flatMap(([n, w]) => {
        if (!Number.isInteger(w) || w < 0) throw new CanalkitInputError(`${field}.weights.${n}`, w, "must be a whole number ≥ 0", "use for example 50");
        const clusterKey = keyOf(exporterOf(n, exporterNames, `${field}.weights.${n}`));
        // osm-edge reads a target's weight 0 as full weight (100); a cluster left out of the
        // targets gets no calls — what weight 0 means here.
        return w === 0 ? [] : [{ clusterKey, weight: w }];
      });
      break;
    }
    default:
      throw new CanalkitInputError(`${field}.mode`, spec.mode, "is not a traffic mode", "use Locality, ActiveActive or FailOver");
  }

  const objects: PlacedObject[] = [];
  const failover: Record<string, string[]> = {};
  const namespaceObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: spec.namespace } };
  for (const e of spec.exporters) {
    objects.push({ cluster: e.cluster, object: namespaceObject });
    if (e.selector) {
      objects.push({
        cluster: e.cluster,
        object: { apiVersion: "v1", kind: "Service", metadata: { name: spec.name, namespace: spec.namespace }, spec: { type: e.service.type ?? "ClusterIP", selector: e.selector, ports: e.service.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP", ...(p.name ? { name: p.name } : {}), ...(p.targetPort ? { targetPort: p.targetPort } : {}) })) } },
      });
    }
    objects.push({
      cluster: e.cluster,
      object: {
        apiVersion: "flomesh.io/v1alpha1",
        kind: "ServiceExport",
        metadata: { name: spec.name, namespace: spec.namespace },
        spec: {
          rules: rules.map((r) => ({ portNumber: r.portNumber, path: r.path, pathType: r.pathType })),
          serviceAccountName: "*",
          ...(spec.pathRewrite ? { pathRewrite: spec.pathRewrite } : {}),
          ...(spec.sessionSticky !== undefined ? { sessionSticky: spec.sessionSticky } : {}),
          ...(spec.loadBalancer ? { loadBalancer: spec.loadBalancer } : {}),
        },
      },
    });
    if (spec.upstreamMcs) objects.push({ cluster: e.cluster, object: { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceExport", metadata: { name: spec.name, namespace: spec.namespace } } });
  }
  for (const c of spec.consumers) {
    if (!exporterNames.includes(c)) objects.push({ cluster: c, object: namespaceObject });
    // A consumer's own key changes nothing for osm-edge (its import never holds its own
    // endpoints) but says what happens, and keeps the list from being empty — every exporter.
    const chain = spec.mode === "FailOver" ? failoverChain(c, exporterNames, spec.failoverOrder ?? exporterNames) : undefined;
    if (chain) failover[c] = chain;
    const own = chain ? chain.map((n) => ({ clusterKey: keyOf(n) })) : targets;
    objects.push({
      cluster: c,
      object: { apiVersion: "flomesh.io/v1alpha1", kind: "GlobalTrafficPolicy", metadata: { name: spec.name, namespace: spec.namespace }, spec: { lbType: spec.mode, ...(own.length > 0 ? { targets: own } : {}) } },
    });
  }
  return { name: spec.name, namespace: spec.namespace, mode: spec.mode, exporters: exporterNames, consumers: spec.consumers, rules, objects, ...(spec.mode === "FailOver" ? { failover } : {}) };
}

/**
 * Who answers a FailOver consumer's calls, in order. osm-edge v1.3.0 calls a consumer's own copy
 * first and balances evenly over every listed remote exporter, so the order can only be kept with
 * one remote — the first in the order other than the consumer (a consumer that does not export is
 * refused above when the order names more than one).
 */
function failoverChain(consumer: string, exporters: string[], order: string[]): string[] {
  const standby = order.filter((n) => n !== consumer).slice(0, 1);
  return exporters.includes(consumer) ? [consumer, ...standby] : standby;
}

function exporterOf(name: string, exporters: string[], where: string): string {
  if (!exporters.includes(name)) throw new CanalkitInputError(where, name, "is a target that does not export the service", `target only exporters: ${exporters.join(", ")}`);
  return name;
}
