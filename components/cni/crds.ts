/**
 * The CRDs Canal installs: 22 in `crd.projectcalico.org` and the network-policy-api
 * `ClusterNetworkPolicy`, with upstream's names, groups, kinds, scopes, versions and validation
 * schemas (`calicoCrdSchemas.ts`), so objects users apply with kubectl are validated as upstream
 * validates them.
 */
import { CANAL_CRD_SCHEMAS } from "./calicoCrdSchemas";
import { clusterScoped, type KubernetesObject } from "./objects";

/** Identity of one CRD. */
export interface CrdFacts {
  plural: string;
  kind: string;
  scope: "Cluster" | "Namespaced";
  group: string;
  version: string;
  /** Whether the version has a `status` subresource. */
  statusSubresource?: boolean;
  /** Whether objects carry a `status` field. */
  hasStatus?: boolean;
  shortNames?: string[];
  annotations?: Record<string, string>;
  /** Columns `kubectl get` shows. */
  printerColumns?: { name: string; type: string; jsonPath: string }[];
}

const CALICO_GROUP = "crd.projectcalico.org";

function calico(plural: string, kind: string, scope: "Cluster" | "Namespaced" = "Cluster", extra: Partial<CrdFacts> = {}): CrdFacts {
  return { plural, kind, scope, group: CALICO_GROUP, version: "v1", ...extra };
}

/** Every CRD of Calico v3.32.1's Canal manifest. */
export const CANAL_CRDS: readonly CrdFacts[] = [
  calico("bgpconfigurations", "BGPConfiguration"),
  calico("bgpfilters", "BGPFilter"),
  calico("bgppeers", "BGPPeer"),
  calico("blockaffinities", "BlockAffinity"),
  calico("caliconodestatuses", "CalicoNodeStatus", "Cluster", { hasStatus: true }),
  calico("clusterinformations", "ClusterInformation"),
  calico("felixconfigurations", "FelixConfiguration"),
  calico("globalnetworkpolicies", "GlobalNetworkPolicy"),
  calico("globalnetworksets", "GlobalNetworkSet"),
  calico("hostendpoints", "HostEndpoint"),
  calico("ipamblocks", "IPAMBlock"),
  calico("ipamconfigs", "IPAMConfig"),
  calico("ipamhandles", "IPAMHandle"),
  calico("ippools", "IPPool"),
  calico("ipreservations", "IPReservation"),
  calico("kubecontrollersconfigurations", "KubeControllersConfiguration", "Cluster", { hasStatus: true, statusSubresource: true }),
  calico("networkpolicies", "NetworkPolicy", "Namespaced"),
  calico("networksets", "NetworkSet", "Namespaced"),
  calico("stagedglobalnetworkpolicies", "StagedGlobalNetworkPolicy"),
  calico("stagedkubernetesnetworkpolicies", "StagedKubernetesNetworkPolicy", "Namespaced"),
  calico("stagednetworkpolicies", "StagedNetworkPolicy", "Namespaced"),
  calico("tiers", "Tier"),
  {
    plural: "clusternetworkpolicies",
    kind: "ClusterNetworkPolicy",
    scope: "Cluster",
    group: "policy.networking.k8s.io",
    version: "v1alpha2",
    hasStatus: true,
    statusSubresource: true,
    shortNames: ["cnp"],
    printerColumns: [
      { name: "Tier", type: "string", jsonPath: ".spec.tier" },
      { name: "Priority", type: "string", jsonPath: ".spec.priority" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
    annotations: { "policy.networking.k8s.io/bundle-version": "v0.2.0", "policy.networking.k8s.io/channel": "standard" },
  },
];

/** Singular form as upstream spells it: the kind in lower case. */
function singular(kind: string): string {
  return kind.toLowerCase();
}

/** The schema of one CRD version: upstream's `spec`/`status` structure under the common fields. */
function schema(facts: CrdFacts): Record<string, unknown> {
  const body = CANAL_CRD_SCHEMAS[`${facts.plural}.${facts.group}`];
  if (!body) throw new Error(`canalkit bug: no schema for ${facts.plural}.${facts.group}`);
  return {
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      ...(body.spec ? { spec: body.spec } : {}),
      ...(body.status ? { status: body.status } : {}),
    },
    ...(body.top ?? {}),
  };
}

/** Builds one CRD object. */
export function buildCrd(facts: CrdFacts): KubernetesObject {
  const crd = clusterScoped("apiextensions.k8s.io/v1", "CustomResourceDefinition", `${facts.plural}.${facts.group}`, {
    spec: {
      group: facts.group,
      names: {
        kind: facts.kind,
        listKind: `${facts.kind}List`,
        plural: facts.plural,
        singular: singular(facts.kind),
        ...(facts.shortNames ? { shortNames: facts.shortNames } : {}),
      },
      scope: facts.scope,
      versions: [
        {
          name: facts.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema(facts) },
          ...(facts.statusSubresource ? { subresources: { status: {} } } : {}),
          ...(facts.printerColumns ? { additionalPrinterColumns: facts.printerColumns } : {}),
        },
      ],
    },
  });
  if (facts.annotations) crd.metadata.annotations = { ...facts.annotations };
  return crd;
}

/** All Canal CRD objects. */
export function buildCanalCrds(): KubernetesObject[] {
  return CANAL_CRDS.map(buildCrd);
}
