/**
 * `ClusterSet`: joins members to one control plane. For each member it creates the control
 * plane's least-privilege identity in the member, the About API's ClusterProperty CRD and objects, and on
 * the control plane the `Cluster` resource carrying the member's locality, gateway and kubeconfig
 * (built from that identity's token, a secret everywhere).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KitCluster } from "../cluster/types";
import { createKubernetesResource } from "../kubernetesResources";
import type { ClusterLocality } from "./clusterKey";
import { buildClusterPropertyCrd } from "./crds";
import { clusterPropertyObjects, clusterResourceObject, memberAccessObjects, memberKubeconfig, CONTROL_PLANE_ACCOUNT } from "./memberAccess";
import { planClusterSet, type ClusterSetPlan } from "./planClusterSet";
import { ClusterJoin } from "../controllers/clusterJoin";
import { GatewayAddress } from "./erieCanalGatewayAddress";

/** What a cluster set needs from ErieCanal in one cluster (the `ErieCanal` component provides it). */
export interface ErieCanalInstallation {
  /** The ErieCanal namespace. */
  readonly namespace: string;
  /** Host consumers reach the cluster's gateway at. */
  readonly gatewayHost: pulumi.Input<string>;
  readonly gatewayPort: pulumi.Input<number>;
  /** Resources custom resources must wait for (the manager's webhooks fail closed). */
  readonly ready: pulumi.Resource[];
  /** What plain objects in the ErieCanal namespace need (the namespace); default `ready`. */
  readonly namespaceReady?: pulumi.Resource[];
}

/** One member. */
export interface ClusterSetMemberArgs extends ClusterLocality {
  cluster: KitCluster;
  erieCanal: ErieCanalInstallation;
  /** About API id; default derived from the cluster key. */
  clusterId?: string;
  /** The member's API server URL and CA as the control plane reaches them. */
  apiServer: { url: pulumi.Input<string>; certificateAuthorityData: pulumi.Input<string> };
}

/** Inputs of a `ClusterSet`. */
export interface ClusterSetArgs {
  /** Set name (`clusterset.k8s.io`). */
  name: string;
  /** The member that runs the control plane (it is a member too when it exports services). */
  controlPlane: string;
  /** Members by cluster name. */
  members: ClusterSetMemberArgs[];
  /**
   * Verify every join during `pulumi up` (`ClusterJoin`): wait until each member's mesh config
   * names this control plane. Default on with a 300 s bound; `false` skips it.
   */
  verifyJoins?: false | { timeoutSeconds?: number; pollSeconds?: number };
  /**
   * Wait during `pulumi up` until each member's gateway host resolves to an IPv4 address before
   * creating its `Cluster` (`GatewayAddress`): ErieCanal's Cluster admission resolves it and an
   * NLB's name resolves minutes after it exists. Default on with a 600 s bound; `false` skips it.
   */
  gatewayDnsWait?: false | { timeoutSeconds?: number; pollSeconds?: number };
}

/** A joined set of clusters. */
export class ClusterSet extends pulumi.ComponentResource {
  readonly plan: ClusterSetPlan;
  /** Cluster key per member name. */
  readonly clusterKeys: Record<string, string>;
  /** Kubeconfig per member for the control plane's identity (secrets). */
  readonly memberKubeconfigs: Record<string, pulumi.Output<string>>;
  /** The `Cluster` resources on the control plane, by member name. */
  readonly clusterResources: Record<string, k8s.apiextensions.CustomResource>;
  /** The verified joins, by member name (empty when `verifyJoins: false`). */
  readonly joins: Record<string, ClusterJoin>;

  constructor(name: string, args: ClusterSetArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planClusterSet({
      name: args.name,
      controlPlane: args.controlPlane,
      members: args.members.map((m) => ({
        name: m.cluster.clusterName,
        region: m.region,
        zone: m.zone,
        group: m.group,
        namespace: m.erieCanal.namespace,
        ...(m.clusterId ? { clusterId: m.clusterId } : {}),
        ...(m.cluster.networkFacts.vpcCidr ? { vpcCidr: m.cluster.networkFacts.vpcCidr } : {}),
      })),
    });
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = {
      name: plan.name,
      controlPlane: plan.controlPlane,
      namespace: plan.namespace,
      members: plan.members.map((m) => ({ name: m.name, key: m.key, clusterId: m.clusterId })),
    };
    super("canalkit:multicluster:ClusterSet", name, facts, opts);
    this.plan = plan;
    this.clusterKeys = Object.fromEntries(plan.members.map((m) => [m.name, m.key]));
    this.memberKubeconfigs = {};
    this.clusterResources = {};
    this.joins = {};
    const control = args.members.find((m) => m.cluster.clusterName === plan.controlPlane)!;

    for (const [i, member] of args.members.entries()) {
      const planned = plan.members[i]!;
      const provider = member.cluster.provider;
      const created = new Map<string, pulumi.CustomResource>();
      // No EKS cluster serves about.k8s.io: the kit installs the ClusterProperty CRD in each member.
      const propertyCrd = createKubernetesResource(`${name}-${planned.name}-crd-clusterproperties`, buildClusterPropertyCrd(), {
        parent: this,
        provider,
        dependsOn: member.cluster.apiReadyResources,
      });
      for (const object of [...memberAccessObjects(plan.namespace), ...clusterPropertyObjects(planned.clusterId, plan.name)]) {
        const resourceName = `${name}-${planned.name}-${object.kind.toLowerCase()}-${object.metadata.name}`;
        // Only flomesh.io objects pass ErieCanal's webhooks; the access objects need its namespace,
        // and ClusterProperty (About API) needs its CRD and nothing of ErieCanal.
        const dependsOn =
          object.kind === "ClusterProperty" ? [...member.cluster.apiReadyResources, propertyCrd] : [...member.cluster.apiReadyResources, ...(member.erieCanal.namespaceReady ?? member.erieCanal.ready)];
        const resource = createKubernetesResource(resourceName, object, { parent: this, provider, dependsOn });
        created.set(`${object.kind}/${object.metadata.name}`, resource);
      }
      const tokenSecret = created.get(`Secret/${CONTROL_PLANE_ACCOUNT}-token`) as k8s.core.v1.Secret;
      // The token controller fills data.token; it is base64 and secret like the whole kubeconfig.
      const token = tokenSecret.data.apply((d) => Buffer.from(d?.["token"] ?? "", "base64").toString("utf8"));
      const kubeconfig = pulumi.secret(
        pulumi.all([member.apiServer.url, member.apiServer.certificateAuthorityData, token]).apply(([url, ca, t]) =>
          memberKubeconfig({ memberName: planned.name, server: url, certificateAuthorityData: ca, token: t }),
        ),
      );
      this.memberKubeconfigs[planned.name] = kubeconfig;
      // The Cluster's admission resolves gatewayHost: take it from the wait, once it resolves.
      const gatewayAddress =
        args.gatewayDnsWait === false
          ? undefined
          : new GatewayAddress(`${name}-${planned.name}-gateway-address`, {
              memberName: planned.name,
              host: member.erieCanal.gatewayHost,
              ...(args.gatewayDnsWait?.timeoutSeconds !== undefined ? { timeoutSeconds: args.gatewayDnsWait.timeoutSeconds } : {}),
              ...(args.gatewayDnsWait?.pollSeconds !== undefined ? { pollSeconds: args.gatewayDnsWait.pollSeconds } : {}),
            }, { parent: this });
      const gatewayHost = gatewayAddress ? gatewayAddress.host : member.erieCanal.gatewayHost;
      const clusterObject = pulumi.all([gatewayHost, member.erieCanal.gatewayPort, kubeconfig]).apply(([host, port, kc]) =>
        clusterResourceObject({ name: planned.name, region: planned.region, zone: planned.zone, group: planned.group, gatewayHost: host, gatewayPort: port, kubeconfig: kc }),
      );
      this.clusterResources[planned.name] = new k8s.apiextensions.CustomResource(`${name}-${planned.name}-cluster`, {
        apiVersion: "flomesh.io/v1alpha1",
        kind: "Cluster",
        metadata: { name: planned.name },
        spec: clusterObject.apply((o) => o["spec"] as Record<string, unknown>),
      }, {
        parent: this,
        provider: control.cluster.provider,
        dependsOn: [...control.erieCanal.ready, ...created.values(), ...(gatewayAddress ? [gatewayAddress] : [])],
        // The manager's webhook adds the connector-mode label at admission.
        ignoreChanges: ['metadata.labels["multicluster.flomesh.io/connector-mode"]'],
        additionalSecretOutputs: ["spec"],
      });
      if (args.verifyJoins !== false) {
        this.joins[planned.name] = new ClusterJoin(`${name}-${planned.name}-join`, {
          memberName: planned.name,
          clusterKey: planned.key,
          namespace: plan.namespace,
          controlPlaneName: plan.controlPlane,
          controlPlaneKubeconfig: control.cluster.kubeconfig,
          memberKubeconfig: member.cluster.kubeconfig,
          ...(args.verifyJoins?.timeoutSeconds !== undefined ? { timeoutSeconds: args.verifyJoins.timeoutSeconds } : {}),
          ...(args.verifyJoins?.pollSeconds !== undefined ? { pollSeconds: args.verifyJoins.pollSeconds } : {}),
        }, { parent: this, dependsOn: [this.clusterResources[planned.name]!] });
      }
    }
    this.registerOutputs({ ...facts, clusterKeys: this.clusterKeys, memberKubeconfigs: this.memberKubeconfigs });
  }
}
