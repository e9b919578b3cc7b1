/**
 * The CRDs of the multi-cluster layer: the flomesh.io CRDs of ErieCanal v0.1.3 that the kit
 * declares itself, and the About API's ClusterProperty. The flomesh.io ones are declared by the kit so custom resources can be
 * created in the same `pulumi up` (the chart applies them from a pod, too late for Pulumi). The
 * schemas carry the real field structure, and `validateCustomResource` checks objects against
 * them before deploy, as the API server would.
 */
import Ajv, { type ValidateFunction } from "ajv";
import type { KubernetesObject } from "../cni/objects";

type Schema = Record<string, unknown>;

const str = (extra: Schema = {}): Schema => ({ type: "string", ...extra });
const int32 = (extra: Schema = {}): Schema => ({ type: "integer", format: "int32", ...extra });
const obj = (properties: Record<string, Schema>, required?: string[]): Schema => ({ type: "object", properties, ...(required ? { required } : {}) });
const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: "array", items, ...extra });

const conditions = arr(obj({ type: str(), status: str(), reason: str(), message: str(), lastTransitionTime: str(), observedGeneration: { type: "integer" } }, ["type", "status"]), { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] });

/** The spec schemas per kind (ErieCanal v0.1.3 facts). */
const SPECS: Record<string, { plural: string; scope: "Cluster" | "Namespaced"; shortNames?: string[]; spec: Schema; status: Schema }> = {
  Cluster: {
    plural: "clusters",
    scope: "Cluster",
    spec: obj({
      isInCluster: { type: "boolean", default: false },
      region: str({ default: "default" }),
      zone: str({ default: "default" }),
      group: str({ default: "default" }),
      gatewayHost: str(),
      gatewayPort: int32({ default: 80, minimum: 1, maximum: 65535 }),
      kubeconfig: str(),
    }),
    status: obj({ conditions }),
  },
  ServiceExport: {
    plural: "serviceexports",
    scope: "Namespaced",
    spec: obj({
      rules: arr(obj({ portNumber: int32(), path: str(), pathType: str({ enum: ["Exact", "Prefix"] }) }, ["pathType"]), { minItems: 1 }),
      pathRewrite: obj({ from: str(), to: str() }),
      sessionSticky: { type: "boolean" },
      loadBalancer: str({ enum: ["RoundRobinLoadBalancer", "HashingLoadBalancer", "LeastWorkLoadBalancer"], default: "RoundRobinLoadBalancer" }),
      targetClusters: arr(str()),
      serviceAccountName: str(),
    }),
    status: obj({ conditions }),
  },
  ServiceImport: {
    plural: "serviceimports",
    scope: "Namespaced",
    spec: obj(
      {
        type: str({ enum: ["ClusterSetIP", "Headless"] }),
        ips: arr(str(), { maxItems: 1 }),
        ports: arr(
          obj(
            {
              name: str(),
              protocol: str({ default: "TCP" }),
              appProtocol: str(),
              port: int32(),
              endpoints: arr(obj({ clusterKey: str(), target: obj({ host: str(), ip: str(), port: int32(), path: str() }, ["host", "ip", "path", "port"]) }, ["clusterKey", "target"])),
            },
            ["endpoints", "port"],
          ),
          { "x-kubernetes-list-type": "atomic" },
        ),
        sessionAffinity: str(),
        sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int32() }) }),
        serviceAccountName: str(),
      },
      ["ports"],
    ),
    status: obj({ clusters: arr(obj({ cluster: str(), addresses: arr(str()) }, ["cluster"]), { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["cluster"] }) }),
  },
  GlobalTrafficPolicy: {
    plural: "globaltrafficpolicies",
    scope: "Namespaced",
    spec: obj({ lbType: str({ enum: ["Locality", "ActiveActive", "FailOver"], default: "Locality" }), targets: arr(obj({ clusterKey: str(), weight: { type: "integer" } }, ["clusterKey"])) }, ["lbType"]),
    status: { type: "object" },
  },
  // Legacy sidecar profiles: the manager pod's init creates the default ProxyProfile (as the
  // chart's does) and the manager's role covers the kind, so the CRD must exist even though the
  // kit never injects sidecars with it (osm-edge does that).
  ProxyProfile: {
    plural: "proxyprofiles",
    scope: "Cluster",
    shortNames: ["pf"],
    spec: obj({
      config: { type: "object", additionalProperties: str() },
      disabled: { type: "boolean", default: false },
      mode: str({ enum: ["Local", "Remote"], default: "Remote" }),
      namespace: str(),
      restartPolicy: str({ enum: ["Never", "Always"], default: "Never" }),
      restartScope: str({ enum: ["Owner"], default: "Owner" }),
      selector: { type: "object", "x-kubernetes-map-type": "atomic", "x-kubernetes-preserve-unknown-fields": true },
      serviceEnv: arr({ type: "object", "x-kubernetes-preserve-unknown-fields": true }),
      sidecars: arr(
        obj({
          name: str(),
          image: str(),
          imagePullPolicy: str(),
          command: arr(str()),
          args: arr(str()),
          env: arr({ type: "object", "x-kubernetes-preserve-unknown-fields": true }),
          resources: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          startupScriptName: str(),
        }, ["name"]),
        { minItems: 1, maxItems: 5, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] },
      ),
    }),
    status: obj({ configMaps: { type: "object", additionalProperties: str() } }, ["configMaps"]),
  },
};

/**
 * The kinds osm-edge v1.3.0 also ships (osm-bootstrap rewrites their CRDs' spec at every start,
 * without short names, with conversion None and label openservicemesh.io/reconcile=false). The
 * kit declares one definition of each, in that shape, so both controllers read the same CRD;
 * see docs/multicluster.md.
 */
export const SHARED_WITH_OSM_EDGE = new Set(["ServiceExport", "ServiceImport", "GlobalTrafficPolicy"]);

/** The flomesh.io group and version. */
export const FLOMESH_API = { group: "flomesh.io", version: "v1alpha1" } as const;

/** The flomesh.io kinds the kit declares. */
export const FLOMESH_KINDS = Object.keys(SPECS);

/** One served version of a CRD. */
export interface CrdVersionSpec {
  name: string;
  served: boolean;
  storage: boolean;
  /** The object's `spec` and `status` schemas; apiVersion, kind and metadata are added. */
  spec: Schema;
  status: Schema;
  statusSubresource?: boolean;
  printerColumns?: { name: string; type: string; jsonPath: string }[];
}

/**
 * What one CRD is made of. Other modules (osm-edge, the MCS API) describe their CRDs the same way
 * and build them with `buildCustomResourceDefinition`.
 */
export interface CrdSpec {
  group: string;
  kind: string;
  plural: string;
  scope: "Cluster" | "Namespaced";
  shortNames?: string[];
  categories?: string[];
  labels?: Record<string, string>;
  versions: CrdVersionSpec[];
}

function objectSchema(version: Pick<CrdVersionSpec, "spec" | "status">): Schema {
  return obj({ apiVersion: str(), kind: str(), metadata: { type: "object" }, spec: version.spec, status: version.status });
}

/** Builds the CustomResourceDefinition object of a spec. */
export function buildCustomResourceDefinition(crd: CrdSpec): KubernetesObject {
  if (crd.versions.filter((v) => v.storage).length !== 1) throw new Error(`canalkit bug: ${crd.plural}.${crd.group} needs exactly one storage version`);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${crd.plural}.${crd.group}`, ...(crd.labels ? { labels: crd.labels } : {}) },
    spec: {
      group: crd.group,
      names: {
        kind: crd.kind,
        listKind: `${crd.kind}List`,
        plural: crd.plural,
        singular: crd.kind.toLowerCase(),
        ...(crd.shortNames ? { shortNames: crd.shortNames } : {}),
        ...(crd.categories ? { categories: crd.categories } : {}),
      },
      scope: crd.scope,
      versions: crd.versions.map((v) => ({
        name: v.name,
        served: v.served,
        storage: v.storage,
        schema: { openAPIV3Schema: objectSchema(v) },
        ...(v.statusSubresource === false ? {} : { subresources: { status: {} } }),
        ...(v.printerColumns ? { additionalPrinterColumns: v.printerColumns } : {}),
      })),
    },
  };
}

function flomeshSpec(kind: string): CrdSpec {
  const s = SPECS[kind];
  if (!s) throw new Error(`canalkit bug: no flomesh.io CRD for ${kind}`);
  return {
    group: FLOMESH_API.group,
    kind,
    plural: s.plural,
    scope: s.scope,
    ...(s.shortNames ? { shortNames: s.shortNames } : {}),
    labels: { "app.kubernetes.io/name": "flomesh.io", ...(SHARED_WITH_OSM_EDGE.has(kind) ? { "openservicemesh.io/reconcile": "false" } : {}) },
    versions: [{ name: FLOMESH_API.version, served: true, storage: true, spec: s.spec, status: s.status }],
  };
}

/** The CRD object of a flomesh.io kind. */
export function buildFlomeshCrd(kind: string): KubernetesObject {
  const crd = buildCustomResourceDefinition(flomeshSpec(kind));
  // The shape osm-bootstrap rewrites the shared kinds to at every start (see SHARED_WITH_OSM_EDGE).
  return SHARED_WITH_OSM_EDGE.has(kind) ? { ...crd, spec: { ...(crd["spec"] as Record<string, unknown>), conversion: { strategy: "None" } } } : crd;
}

/** Every flomesh.io CRD the kit declares. */
export function buildFlomeshCrds(): KubernetesObject[] {
  return FLOMESH_KINDS.map(buildFlomeshCrd);
}

/** The About API group (KEP-2149, kubernetes-sigs/about-api). */
export const ABOUT_API = { group: "about.k8s.io", version: "v1alpha1" } as const;

const clusterPropertyVersion = (name: string, storage: boolean): CrdVersionSpec => ({
  name,
  served: true,
  storage,
  // KEP-2149 allows up to 128k code points; upstream's CRD emits no maxLength, so neither does the kit.
  spec: obj({ value: str({ minLength: 1 }) }, ["value"]),
  status: { type: "object" },
  printerColumns: [
    { name: "value", type: "string", jsonPath: ".spec.value" },
    { name: "age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
});

/**
 * `clusterproperties.about.k8s.io`, as kubernetes-sigs/about-api defines it: cluster-scoped,
 * v1alpha1 (what the kit writes) and v1beta1 (storage) served. No EKS cluster ships it, so the
 * kit installs it in every member before the ClusterProperty objects.
 */
export const CLUSTER_PROPERTY_CRD: CrdSpec = {
  group: ABOUT_API.group,
  kind: "ClusterProperty",
  plural: "clusterproperties",
  scope: "Cluster",
  categories: ["multicluster"],
  versions: [clusterPropertyVersion("v1alpha1", false), clusterPropertyVersion("v1beta1", true)],
};

/** The ClusterProperty CRD object. */
export function buildClusterPropertyCrd(): KubernetesObject {
  return buildCustomResourceDefinition(CLUSTER_PROPERTY_CRD);
}

let validators: Map<string, ValidateFunction> | undefined;

/** Every CRD this module declares, for validation. */
function declaredCrds(): CrdSpec[] {
  return [...FLOMESH_KINDS.map(flomeshSpec), CLUSTER_PROPERTY_CRD];
}

/**
 * Validates a custom resource of a kind this module declares (flomesh.io, ClusterProperty) against
 * the CRD schema the kit installs; returns the problems (empty when valid). The Kubernetes-only
 * keywords (`x-kubernetes-*`) are not checked.
 */
export function validateCustomResource(object: Record<string, any>): string[] {
  if (!validators) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    validators = new Map(declaredCrds().flatMap((c) => c.versions.filter((v) => v.served).map((v) => [`${c.group}/${v.name}/${c.kind}`, ajv.compile(objectSchema(v))] as const)));
  }
  const validate = validators.get(`${object["apiVersion"]}/${object["kind"]}`);
  if (!validate) {
    if (String(object["apiVersion"]).startsWith(`${FLOMESH_API.group}/`) && object["apiVersion"] !== `${FLOMESH_API.group}/${FLOMESH_API.version}`) return [`apiVersion ${object["apiVersion"]} is not ${FLOMESH_API.group}/${FLOMESH_API.version}`];
    return [`kind ${object["kind"]} (${object["apiVersion"]}) is not a kind the kit declares`];
  }
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}
