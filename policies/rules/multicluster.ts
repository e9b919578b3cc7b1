/**
 * Multi-cluster policies: exports backed by matching Services and agreeing across clusters,
 * traffic policies that target set members with valid target counts, and member kubeconfigs only
 * ever inside secrets.
 */
import type { PolicyResource } from "@pulumi/policy";
import { clusterOfKubernetesProvider } from "../../components/cluster/providerName";
import { violation, type CanalkitPolicy } from "./types";

const SERVICE_EXPORT = "kubernetes:flomesh.io/v1alpha1:ServiceExport";
const GTP = "kubernetes:flomesh.io/v1alpha1:GlobalTrafficPolicy";
const SERVICE = "kubernetes:core/v1:Service";

/** The cluster a Kubernetes resource is applied to: its provider's name (`<cluster>-k8s`). */
function clusterOf(r: PolicyResource): string {
  return (r.provider && clusterOfKubernetesProvider(r.provider.name)) ?? "_default";
}

const id = (r: PolicyResource) => `${r.props["metadata"]?.["namespace"] ?? "default"}/${r.props["metadata"]?.["name"]}`;

/** Every Service of the stack, keyed by `<cluster>|<namespace>/<name>`. */
function servicesByClusterAndName(resources: PolicyResource[]): Map<string, PolicyResource> {
  const services = new Map<string, PolicyResource>();
  for (const r of resources) if (r.type === SERVICE) services.set(`${clusterOf(r)}|${id(r)}`, r);
  return services;
}

function portsOf(service: PolicyResource): number[] {
  return ((service.props["spec"]?.["ports"] ?? []) as { port: number }[]).map((p) => p.port).sort((a, b) => a - b);
}

/** Every ServiceExport has a Service with the exported ports in its cluster. */
export const serviceExportHasService: CanalkitPolicy = {
  name: "canalkit-service-export-has-service",
  description: "Every ServiceExport has a Service of the same namespace and name in the same cluster, declaring every exported port.",
  severity: "high",
  area: "multicluster",
  remediation: "declare the Service in the exporting cluster (MultiClusterService can create it from a selector) with the exported ports.",
  validateStack: (args, report) => {
    const services = servicesByClusterAndName(args.resources);
    for (const e of args.resources) {
      if (e.type !== SERVICE_EXPORT) continue;
      const service = services.get(`${clusterOf(e)}|${id(e)}`);
      const exported = ((e.props["spec"]?.["rules"] ?? []) as { portNumber?: number }[]).map((r) => r.portNumber).filter((p): p is number => p !== undefined);
      if (!service) {
        // An existing Service the kit does not manage is not visible here; the export says so by intent.
        if (e.props["metadata"]?.["annotations"]?.["canalkit.io/service-managed-elsewhere"] === "true") continue;
        report(violation(serviceExportHasService, `ServiceExport ${id(e)} in ${clusterOf(e)} has no Service in that cluster.`), e.urn);
        continue;
      }
      const ports = new Set(portsOf(service));
      const missing = exported.filter((p) => !ports.has(p));
      if (missing.length > 0) report(violation(serviceExportHasService, `ServiceExport ${id(e)} in ${clusterOf(e)} exports port(s) ${missing.join(", ")} that its Service does not declare.`), e.urn);
    }
  },
};

/** Exports of one service agree on type and ports across clusters. */
export const exportsAgree: CanalkitPolicy = {
  name: "canalkit-exports-agree",
  description: "All clusters exporting the same namespace/name expose Services of the same type and ports (ErieCanal would mark the exports Conflict at run time).",
  severity: "high",
  area: "multicluster",
  remediation: "give the Service the same type and ports in every exporting cluster.",
  validateStack: (args, report) => {
    const services = servicesByClusterAndName(args.resources);
    const firstByService = new Map<string, { cluster: string; signature: string }>();
    for (const e of args.resources) {
      if (e.type !== SERVICE_EXPORT) continue;
      const service = services.get(`${clusterOf(e)}|${id(e)}`);
      if (!service) continue;
      const signature = `${service.props["spec"]?.["type"] ?? "ClusterIP"} ${portsOf(service).join(",")}`;
      const first = firstByService.get(id(e));
      if (!first) firstByService.set(id(e), { cluster: clusterOf(e), signature });
      else if (first.signature !== signature) {
        report(violation(exportsAgree, `${id(e)} is exported from ${first.cluster} as ${first.signature} but from ${clusterOf(e)} as ${signature}.`), e.urn);
      }
    }
  },
};

/** GlobalTrafficPolicy targets are set members, with valid target counts per mode. */
export const trafficPolicyTargets: CanalkitPolicy = {
  name: "canalkit-traffic-policy-targets",
  description: "GlobalTrafficPolicy targets are cluster keys of the cluster set; FailOver has at least one target and at most one besides the consumer's own (osm-edge v1.3.0 spreads evenly over more), Locality at most one; ActiveActive weights are above 0 (osm-edge reads 0 as full weight).",
  severity: "high",
  area: "multicluster",
  remediation: "target only members of the set (by cluster key); give FailOver one target to fail over to besides the consumer itself and Locality at most one; leave an exporter that should get no calls out of an ActiveActive policy instead of weighting it 0.",
  validateStack: (args, report) => {
    const keys = new Set<string>();
    const keyOfMember = new Map<string, string>();
    let sets = 0;
    for (const r of args.resources) {
      if (r.type !== "canalkit:multicluster:ClusterSet") continue;
      sets++;
      for (const m of (r.props["members"] ?? []) as { name: string; key: string }[]) {
        keys.add(m.key);
        keyOfMember.set(m.name, m.key);
      }
    }
    for (const g of args.resources) {
      if (g.type !== GTP) continue;
      const spec = g.props["spec"] ?? {};
      const targets = (spec["targets"] ?? []) as { clusterKey: string; weight?: number }[];
      const where = `GlobalTrafficPolicy ${id(g)} in ${clusterOf(g)}`;
      if (spec["lbType"] === "FailOver" && targets.length < 1) report(violation(trafficPolicyTargets, `${where} is FailOver with no target.`), g.urn);
      if (spec["lbType"] === "Locality" && targets.length > 1) report(violation(trafficPolicyTargets, `${where} is Locality with ${targets.length} targets.`), g.urn);
      const remote = targets.filter((t) => t.clusterKey !== keyOfMember.get(clusterOf(g)));
      if (spec["lbType"] === "FailOver" && remote.length > 1) {
        report(violation(trafficPolicyTargets, `${where} is FailOver to ${remote.map((t) => t.clusterKey).join(", ")}: osm-edge v1.3.0 spreads calls evenly over them, not in that order.`), g.urn);
      }
      for (const t of targets) {
        if (sets > 0 && !keys.has(t.clusterKey)) report(violation(trafficPolicyTargets, `${where} targets ${t.clusterKey}, which is not a member of the cluster set.`), g.urn);
        if (t.weight !== undefined && t.weight < 0) report(violation(trafficPolicyTargets, `${where} gives ${t.clusterKey} a negative weight.`), g.urn);
        if (spec["lbType"] === "ActiveActive" && t.weight === 0) report(violation(trafficPolicyTargets, `${where} gives ${t.clusterKey} weight 0, which osm-edge v1.3.0 reads as full weight (100).`), g.urn);
      }
    }
  },
};

/** Text that only a kubeconfig carries. */
const KUBECONFIG_MARKERS = [/kind:\s*Config\b/, /client-key-data:/, /"kind"\s*:\s*"Config"/, /current-context:/];

/**
 * Reads one property; a value only known after deployment (a preview's unknown, which the policy
 * SDK guards by throwing) holds no text yet and reads as undefined.
 */
function readKnown(obj: any, key: string | number): unknown {
  try {
    return obj[key];
  } catch (e) {
    if (e instanceof Error && e.constructor.name === "UnknownValueError") return undefined;
    throw e;
  }
}

function findKubeconfig(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return KUBECONFIG_MARKERS.some((m) => m.test(value)) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findKubeconfig(readKnown(value, i), `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (value && typeof value === "object") {
    for (const k of Object.keys(value)) {
      const hit = findKubeconfig(readKnown(value, k), path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Resource types that hold a kubeconfig by design, always as a secret. */
const KUBECONFIG_HOLDERS = new Set([
  "pulumi:providers:kubernetes",
  "kubernetes:core/v1:Secret",
  "kubernetes:flomesh.io/v1alpha1:Cluster",
  // The controllers read clusters with kubeconfigs they receive as secret inputs.
  "pulumi-nodejs:dynamic/canalkit:ClusterJoin",
  "pulumi-nodejs:dynamic/canalkit:ExportReconciler",
  "pulumi-nodejs:dynamic/canalkit:VpcRouteReconciler",
  "pulumi-nodejs:dynamic/canalkit:DefaultCniRemoval",
  "pulumi-nodejs:dynamic/canalkit:MeshProbe",
]);

/** Kubeconfigs appear only inside secrets. */
export const kubeconfigsOnlyInSecrets: CanalkitPolicy = {
  name: "canalkit-kubeconfigs-only-in-secrets",
  description: "No resource input carries kubeconfig text in clear; kubeconfigs are Pulumi secrets everywhere (state, outputs, synth output).",
  severity: "critical",
  area: "multicluster",
  remediation: "wrap kubeconfigs in pulumi.secret (the kit's clusters and ClusterSet do); never paste one into a plain config value.",
  enforcementByEnvironment: { dev: "mandatory", staging: "mandatory", prod: "mandatory" },
  validateResource: (args, report) => {
    // The CLI's analyzer hands policies secret values already unwrapped, so the places that hold a
    // kubeconfig by design (and that the kit always makes secret) are left out; offline synth sees
    // secrets masked and checks everything.
    if (KUBECONFIG_HOLDERS.has(args.type)) return;
    const where = findKubeconfig(args.props, "");
    if (where !== undefined) report(violation(kubeconfigsOnlyInSecrets, `${args.name}: ${where || "an input"} holds a kubeconfig in clear.`));
  },
};

/** All members of a set run ErieCanal in the same namespace (joins look the manager up there). */
export const sameErieCanalNamespace: CanalkitPolicy = {
  name: "canalkit-erie-canal-same-namespace",
  description: "Every ErieCanal install of a stack with a cluster set uses the set's namespace: a control plane finds a member's manager and mesh config only in a namespace of its own namespace's name.",
  severity: "high",
  area: "multicluster",
  remediation: "install ErieCanal with the same namespace in every member (the stack's clusterSet.erieCanal.namespace).",
  enforcementByEnvironment: { dev: "mandatory", staging: "mandatory", prod: "mandatory" },
  validateStack: (args, report) => {
    const sets = args.resources.filter((r) => r.type === "canalkit:multicluster:ClusterSet");
    if (sets.length === 0) return;
    const expected = sets[0]!.props["namespace"] as string;
    for (const ec of args.resources.filter((r) => r.type === "canalkit:multicluster:ErieCanal")) {
      if (ec.props["namespace"] !== expected) {
        report(violation(sameErieCanalNamespace, `ErieCanal in ${ec.props["clusterName"]} runs in namespace ${ec.props["namespace"]}, but the cluster set ${sets[0]!.props["name"]} uses ${expected}.`), ec.urn);
      }
    }
  },
};

/** Components that serve admission webhooks, and the input telling whether they use the host network. */
const WEBHOOK_SERVERS: Record<string, string> = { "canalkit:multicluster:ErieCanal": "ErieCanal's manager", "canalkit:tls:CertManager": "cert-manager's webhook", "canalkit:multicluster:OsmEdge": "osm-edge's sidecar injector and validator" };

/** Host ports the control plane is admitted to for webhook servers (WEBHOOK_HOST_PORT_RANGE). */
const WEBHOOK_PORTS = { from: 9443, to: 9499 } as const;
/** osm-edge's webhook Services (the names its webhook configurations carry) and the pods that must serve them. */
const OSM_EDGE_WEBHOOK_SERVICES = ["osm-injector", "osm-validator"];

/** Webhook servers the control plane can reach: host networking where it cannot reach pods. */
export const webhooksReachable: CanalkitPolicy = {
  name: "canalkit-webhooks-reachable",
  description: "Every admission webhook server the kit deploys is reachable from the Kubernetes control plane: in clusters whose control plane cannot reach pod IPs (EKS with an overlay CNI) it runs on the host network, and the deployed ErieCanal manager and osm-edge injector say so, with osm-edge's webhook Services on host ports from 9443-9499.",
  severity: "critical",
  area: "multicluster",
  remediation: "let the component derive webhook networking from the cluster's capabilities (do not override controlPlaneReachesPods on EKS), so the server uses the host network on a port from 9443-9499.",
  enforcementByEnvironment: { dev: "mandatory", staging: "mandatory", prod: "mandatory" },
  validateStack: (args, report) => {
    const unreachablePods = new Set(
      args.resources
        .filter((r) => (r.type === "canalkit:cluster:EksCluster" || r.type === "canalkit:cluster:ExistingCluster") && r.props["controlPlaneReachesPods"] === false)
        .map((r) => r.props["clusterName"] as string),
    );
    for (const r of args.resources) {
      const what = WEBHOOK_SERVERS[r.type];
      if (!what || !unreachablePods.has(r.props["clusterName"])) continue;
      if (r.props["webhookHostNetwork"] !== true) report(violation(webhooksReachable, `${what} in ${r.props["clusterName"]} serves webhooks from a pod IP the control plane cannot reach.`), r.urn);
    }
    // The manager as deployed, not only as the component describes it.
    for (const d of args.resources) {
      if (d.type !== "kubernetes:apps/v1:Deployment" || d.props["metadata"]?.["name"] !== "erie-canal-manager" || !unreachablePods.has(clusterOf(d))) continue;
      if (d.props["spec"]?.["template"]?.["spec"]?.["hostNetwork"] !== true) {
        report(violation(webhooksReachable, `Deployment ${id(d)} in ${clusterOf(d)} serves ErieCanal's webhooks without host networking; the control plane cannot reach it.`), d.urn);
      }
    }
    // osm-edge: the injector pod (with the relay) on the host network, and the webhook Services
    // sending the control plane to host ports it is admitted to.
    for (const r of args.resources) {
      if (!unreachablePods.has(clusterOf(r))) continue;
      const name = r.props["metadata"]?.["name"];
      if (r.type === "kubernetes:apps/v1:Deployment" && name === "osm-injector" && r.props["spec"]?.["template"]?.["spec"]?.["hostNetwork"] !== true) {
        report(violation(webhooksReachable, `Deployment ${id(r)} in ${clusterOf(r)} serves osm-edge's webhooks without host networking; the control plane cannot reach it.`), r.urn);
      }
      if (r.type === SERVICE && OSM_EDGE_WEBHOOK_SERVICES.includes(name)) {
        for (const port of r.props["spec"]?.["ports"] ?? []) {
          const target = port.targetPort ?? port.port;
          if (typeof target !== "number" || target < WEBHOOK_PORTS.from || target > WEBHOOK_PORTS.to) {
            report(violation(webhooksReachable, `Service ${id(r)} in ${clusterOf(r)} sends the control plane to port ${target}, outside the host ports ${WEBHOOK_PORTS.from}-${WEBHOOK_PORTS.to} it is admitted to.`), r.urn);
          }
        }
      }
    }
  },
};

/** Every multi-cluster policy. */
export const multiclusterPolicies: CanalkitPolicy[] = [serviceExportHasService, exportsAgree, trafficPolicyTargets, kubeconfigsOnlyInSecrets, sameErieCanalNamespace, webhooksReachable];
