/**
 * The flomesh.io CRDs of ErieCanal v0.1.3 that the kit declares itself, so custom resources can be
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
    shortNames: ["sexp"],
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
    shortNames: ["simp"],
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
    shortNames: ["gtp"],
    spec: obj({ lbType: str({ enum: ["Locality", "ActiveActive", "FailOver"], default: "Locality" }), targets: arr(obj({ clusterKey: str(), weight: { type: "integer" } }, ["clusterKey"])) }, ["lbType"]),
    status: { type: "object" },
  },
  // Legacy sidecar profiles: the manager watches the kind at start, so the CRD must exist even
  // though the kit never injects sidecars with it (osm-edge does that).
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

/** The flomesh.io group and version. */
export const FLOMESH_API = { group: "flomesh.io", version: "v1alpha1" } as const;

/** The flomesh.io kinds the kit declares. */
export const FLOMESH_KINDS = Object.keys(SPECS);

function openApiSchema(kind: string): Schema {
  const s = SPECS[kind]!;
  return obj({ apiVersion: str(), kind: str(), metadata: { type: "object" }, spec: s.spec, status: s.status });
}

/** The CRD object of a flomesh.io kind. */
export function buildFlomeshCrd(kind: string): KubernetesObject {
  const s = SPECS[kind];
  if (!s) throw new Error(`canalkit bug: no flomesh.io CRD for ${kind}`);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${s.plural}.${FLOMESH_API.group}`, labels: { "app.kubernetes.io/name": "flomesh.io" } },
    spec: {
      group: FLOMESH_API.group,
      names: { kind, listKind: `${kind}List`, plural: s.plural, singular: kind.toLowerCase(), ...(s.shortNames ? { shortNames: s.shortNames } : {}) },
      scope: s.scope,
      versions: [{ name: FLOMESH_API.version, served: true, storage: true, schema: { openAPIV3Schema: openApiSchema(kind) }, subresources: { status: {} } }],
    },
  };
}

/** Every flomesh.io CRD the kit declares. */
export function buildFlomeshCrds(): KubernetesObject[] {
  return FLOMESH_KINDS.map(buildFlomeshCrd);
}

let validators: Map<string, ValidateFunction> | undefined;

/**
 * Validates a flomesh.io custom resource against the CRD schema the kit declares; returns the
 * problems (empty when valid). The Kubernetes-only keywords (`x-kubernetes-*`) are not checked.
 */
export function validateCustomResource(object: Record<string, any>): string[] {
  if (!validators) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    validators = new Map(FLOMESH_KINDS.map((k) => [k, ajv.compile(openApiSchema(k))]));
  }
  if (object["apiVersion"] !== `${FLOMESH_API.group}/${FLOMESH_API.version}`) return [`apiVersion ${object["apiVersion"]} is not ${FLOMESH_API.group}/${FLOMESH_API.version}`];
  const validate = validators.get(object["kind"]);
  if (!validate) return [`kind ${object["kind"]} is not a flomesh.io kind the kit declares`];
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}
