/**
 * The canalkit stack program: reads and validates the stack config, then builds each layer for
 * every cluster. `pulumi up` runs it through `stacks/index.ts`; `canalkit synth` runs the same
 * function under the SDK's mocks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { clusterCapabilities, deleteObjectsWithTheirCluster, EksCluster, planApiAccess, type KitCluster } from "../components/cluster";
import { Canal, type CanalArgs } from "../components/cni";
import { CanalkitInputError } from "../components/errors";
import { ClusterSet, ClusterSetNetwork, createServiceNamespaces, ErieCanal, erieCanalSettings, MultiClusterService, OsmEdge, planClusterSet, planMultiClusterService, type ClusterSetMembers, type ErieCanalOptions, type MultiClusterServiceSpec } from "../components/multicluster";
import { CertManager } from "../components/tls";
import { addressAt, ClusterNetwork, ROUTES_RESERVED_PER_TABLE, UNDERLAY_MTU, parseCidr, resolveAvailabilityZones, type PathMtuClass } from "../components/network";
import { derivedMtuClass } from "./config/crossChecks";
import { atConfigPath, canalkitConfigObject, validateFlatConfig } from "./config/validate";
import type { ClusterConfig, StackConfig } from "./config/schema";
import { MeshProbe, VpcRouteController, VpcRouteReconciler } from "../components/controllers";

/** Reads every `canalkit:` key of the running stack's config into one object. */
export function readStackConfig(): Record<string, unknown> {
  return canalkitConfigObject(pulumi.runtime.allConfig());
}

/**
 * The keys of the running stack's config whose values came encrypted. The SDK keeps them in
 * `PULUMI_CONFIG_SECRET_KEYS` (set by the CLI, and by `canalkit synth` for `secure:` values).
 */
export function configSecretKeys(): string[] {
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  const keys = Object.keys(pulumi.runtime.allConfig());
  if (isSecret) return keys.filter((k) => isSecret(k));
  try {
    const fromEnv: unknown = JSON.parse(process.env["PULUMI_CONFIG_SECRET_KEYS"] ?? "[]");
    return Array.isArray(fromEnv) ? fromEnv.map(String) : [];
  } catch {
    return [];
  }
}

/** Tags every AWS resource of the stack carries. */
export function stackTags(config: StackConfig): Record<string, string> {
  return { ...config.tags, environment: config.environment, owner: config.owner, "canalkit.io/stack": pulumi.getStack() };
}

/** The AWS identity a cluster is deployed with: its own, else its region's, else the stack's. */
export interface DeployIdentity {
  /** Role assumed by the cluster's AWS provider and its kubeconfig; undefined: ambient credentials. */
  roleArn?: string;
  /** Profile the provider and `aws eks get-token` take their source credentials from. */
  profile?: string;
}

/** Resolves the deploy identity of cluster `index`. */
export function deployIdentity(config: StackConfig, index: number): DeployIdentity {
  const cluster = config.clusters[index]!;
  const region = regionIdentity(config, cluster.region);
  const roleArn = cluster.aws?.roleArn ?? region.roleArn;
  const profile = cluster.aws?.profile ?? region.profile;
  return { ...(roleArn ? { roleArn } : {}), ...(profile ? { profile } : {}) };
}

/** The stack's identity in one region. */
function regionIdentity(config: StackConfig, region: string): DeployIdentity {
  const roleArn = config.aws.regions[region]?.roleArn ?? config.aws.roleArn;
  return { ...(roleArn ? { roleArn } : {}), ...(config.aws.profile ? { profile: config.aws.profile } : {}) };
}

/**
 * The AWS provider of every cluster: one per region for the stack's identity (`aws-<region>`), and
 * one per cluster that names its own identity (`aws-<cluster>`, for clusters in other accounts).
 * Each assumes its role with a session name naming the stack, so CloudTrail shows who deployed.
 */
function clusterProviders(config: StackConfig, tags: Record<string, string>): { byCluster: aws.Provider[]; byRegion: Map<string, aws.Provider> } {
  const byRegion = new Map<string, aws.Provider>();
  const args = (region: string, identity: DeployIdentity): aws.ProviderArgs => ({
    region: region as aws.Region,
    defaultTags: { tags },
    ...(identity.profile ? { profile: identity.profile } : {}),
    ...(identity.roleArn ? { assumeRoles: [{ roleArn: identity.roleArn, sessionName: `canalkit-${pulumi.getStack()}` }] } : {}),
  });
  const byCluster = config.clusters.map((cluster, index) => {
    if (cluster.aws) return new aws.Provider(`aws-${cluster.name}`, args(cluster.region, deployIdentity(config, index)));
    if (!byRegion.has(cluster.region)) {
      byRegion.set(cluster.region, new aws.Provider(`aws-${cluster.region}`, args(cluster.region, regionIdentity(config, cluster.region))));
    }
    return byRegion.get(cluster.region)!;
  });
  return { byCluster, byRegion };
}

/** Whether staging/prod protection applies: config, else on outside dev. */
export function protectionFor(config: StackConfig): { protect: boolean; deletionProtection: boolean; kmsDeletionWindowDays: number } {
  const protect = config.protection.protect ?? config.environment !== "dev";
  return { protect, deletionProtection: config.protection.deletionProtection ?? protect, kmsDeletionWindowDays: config.protection.kmsDeletionWindowDays };
}

/**
 * The underlay MTU class of a cluster: derived from the cluster set's connectivity when the stack
 * has one, so the Canal MTU is right without anyone computing it. An explicit class may only be
 * narrower than the derived one.
 */
export function pathMtuClassFor(index: number, config: StackConfig): PathMtuClass {
  const cluster = config.clusters[index]!;
  const derived: PathMtuClass = derivedMtuClass(index, config);
  const stated = cluster.network.pathMtuClass;
  if (stated && UNDERLAY_MTU[stated] > UNDERLAY_MTU[derived]) {
    throw new CanalkitInputError(
      `canalkit:clusters[${index}].network.pathMtuClass`,
      stated,
      `allows ${UNDERLAY_MTU[stated]}-byte packets, but ${config.clusterSet!.connectivity} between the set's clusters carries at most ${UNDERLAY_MTU[derived]}`,
      `remove it (the kit derives ${derived}) or state ${derived}`,
    );
  }
  return stated ?? derived;
}

/** The network layer of one cluster. */
async function buildNetwork(index: number, cluster: ClusterConfig, pathMtuClass: PathMtuClass, provider: aws.Provider, tags: Record<string, string>, knownAvailabilityZones: Record<string, string[]>, protect: boolean): Promise<ClusterNetwork> {
  const azs = Array.isArray(cluster.availabilityZones)
    ? cluster.availabilityZones
    : await resolveAvailabilityZones(`canalkit:clusters[${index}].availabilityZones`, cluster.availabilityZones, provider);
  const { flowLogs, ...network } = cluster.network;
  return atConfigPath(["clusters", index], () =>
    new ClusterNetwork(cluster.name, {
      ...network,
      pathMtuClass,
      clusterName: cluster.name,
      region: cluster.region,
      availabilityZones: azs,
      knownAvailabilityZones,
      tags,
      flowLogs: { enabled: flowLogs },
      protect,
    }, { provider }),
  );
}

/** Canal's args from a cluster's `cni` config: stack config names the allocator image directly. */
function canalOptions(cluster: EksCluster, cni: ClusterConfig["cni"], maxNodes: number | undefined): CanalArgs {
  const { nodePodCidrAllocatorImage, ...options } = cni;
  return { cluster, ...options, ...(maxNodes !== undefined ? { maxNodes } : {}), ...(nodePodCidrAllocatorImage ? { overrides: { nodePodCidrAllocator: nodePodCidrAllocatorImage } } : {}) };
}

/** The cluster and CNI layers of one cluster: EKS, Canal, then CoreDNS once pods can get networking. */

function buildClusterAndCni(index: number, config: StackConfig, network: ClusterNetwork, provider: aws.Provider, tags: Record<string, string>, onCluster: (eks: EksCluster) => void): { eks: EksCluster; canal: Canal } {
  const cluster = config.clusters[index]!;
  const identity = deployIdentity(config, index);
  const protection = protectionFor(config);
  const apiAccess = planApiAccess(`canalkit:clusters[${index}].eks.endpoint`, cluster.eks.endpoint, config.runner);
  // EksCluster's errors name its arguments (nodeGroups[0].releaseVersion, adminPrincipalArns, …).
  const eks = atConfigPath(["clusters", index], () =>
    new EksCluster(cluster.name, {
      network,
      region: cluster.region,
      kubernetesVersion: cluster.eks.kubernetesVersion,
      versionField: `canalkit:clusters[${index}].eks.kubernetesVersion`,
      apiAccess,
      logging: cluster.eks.logging,
      logRetentionDays: cluster.eks.logRetentionDays,
      nodeGroups: cluster.eks.nodeGroups,
      adminPrincipalArns: cluster.eks.adminPrincipalArns,
      addonVersions: cluster.eks.addonVersions,
      ...(identity.roleArn ? { deployRoleArn: identity.roleArn } : {}),
      ...(identity.profile ? { awsProfile: identity.profile } : {}),
      protect: protection.protect,
      deletionProtection: protection.deletionProtection,
      kmsDeletionWindowDays: protection.kmsDeletionWindowDays,
      apiServerGone: config.destroy.unreachableClusters.includes(cluster.name),
      tags,
    }, { provider }),
  );
  onCluster(eks);
  const canal = atConfigPath(["clusters", index], () => new Canal(`${cluster.name}-canal`, canalOptions(eks, cluster.cni, network.routing.maxNodes)));
  eks.installCoreDns(canal.ready);
  if (network.routing.topology === "native-vpc") {
    // Pod traffic between nodes follows VPC routes, one per node pod CIDR: written in the cluster
    // as nodes come and go; `pulumi up` checks that every node is routed.
    const routes = new VpcRouteController(`${cluster.name}-vpc-route-controller`, {
      cluster: eks,
      eksClusterName: eks.cluster.name,
      podIdentityAgent: eks.podIdentityAgent,
      region: cluster.region,
      podCidr: network.plan.podCidr,
      routeTableIds: network.privateRouteTableIds,
      tags,
      ...(cluster.cni.nodePodCidrAllocatorImage ? { image: cluster.cni.nodePodCidrAllocatorImage } : {}),
    }, { dependsOn: canal.ready });
    new VpcRouteReconciler(`${cluster.name}-vpc-routes`, {
      clusterName: cluster.name,
      region: cluster.region,
      kubeconfig: eks.kubeconfig,
      routeTableIds: network.privateRouteTableIds,
      podCidr: network.plan.podCidr,
      routeQuota: network.routing.routeTableQuota,
      mode: "verify",
    }, { dependsOn: [...canal.ready, ...routes.ready] });
  }
  return { eks, canal };
}

/**
 * What other stacks read through StackReference for one cluster (docs/outputs.md). The kubeconfig
 * is a secret; everything else is plain.
 */
export function clusterOutputs(eks: EksCluster, network: ClusterNetwork, identity: DeployIdentity): Record<string, unknown> {
  return {
    clusterName: eks.clusterName,
    region: eks.region,
    kubernetesVersion: eks.kubernetesVersion,
    kubeconfig: eks.kubeconfig,
    endpoint: eks.cluster.endpoint,
    certificateAuthorityData: eks.cluster.certificateAuthority.data,
    apiAccess: eks.apiAccessDescription,
    deployRoleArn: identity.roleArn ?? null,
    oidcIssuer: eks.oidcIssuer,
    podIdentity: { agentAddon: eks.podIdentityAgent.addonName, agentVersion: eks.podIdentityAgent.addonVersion, trustedService: "pods.eks.amazonaws.com" },
    nodeRoleArn: eks.nodeRole.arn,
    nodeRoleName: eks.nodeRole.name,
    clusterSecurityGroupId: eks.clusterSecurityGroupId,
    nodeSecurityGroupId: network.nodeSecurityGroupId,
    controlPlaneSecurityGroupId: network.controlPlaneSecurityGroupId,
    topology: network.routing.topology,
    podCidr: network.podCidr,
    serviceCidr: network.serviceCidr,
    podMtu: network.podMtu,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    privateSubnetIds: network.privateSubnetIds,
    publicSubnetIds: network.publicSubnetIds,
    privateRouteTableIds: network.privateRouteTableIds,
  };
}

/** Connects the VPCs of the stack's cluster set. */
function buildClusterSetNetwork(config: StackConfig, networks: ClusterNetwork[], providers: aws.Provider[], tags: Record<string, string>): ClusterSetNetwork {
  const set = config.clusterSet!;
  if (!config.clusters.some((c) => c.name === set.controlPlane)) {
    throw new CanalkitInputError("canalkit:clusterSet.controlPlane", set.controlPlane, "is not a cluster of the stack", `use one of ${config.clusters.map((c) => c.name).join(", ")}`);
  }
  return new ClusterSetNetwork(set.name, {
    connectivity: set.connectivity,
    controlPlane: set.controlPlane,
    gatewayPort: set.gatewayPort,
    tags,
    clusters: networks.map((n, i) => ({
      clusterName: n.clusterName,
      region: config.clusters[i]!.region,
      vpcId: n.vpcId,
      vpcCidr: n.vpcCidr,
      privateSubnetIds: n.privateSubnetIds,
      privateRouteTableIds: n.privateRouteTableIds,
      nodeSecurityGroupId: n.nodeSecurityGroupId,
      controlPlaneSecurityGroupId: n.controlPlaneSecurityGroupId,
      provider: providers[i]!,
      // What the cluster itself holds, so the set's quota check counts the whole table and group.
      routeTableQuota: n.routing.routeTableQuota,
      routesInUse: ROUTES_RESERVED_PER_TABLE + (n.routing.topology === "native-vpc" ? (n.routing.maxNodes ?? 0) : 0),
      nodeSecurityGroupRules: n.plan.securityGroupRules.filter((r) => r.group === "node" && r.direction === "ingress").length,
      controlPlaneSecurityGroupRules: n.plan.securityGroupRules.filter((r) => r.group === "controlPlane" && r.direction === "ingress").length,
    })),
    securityGroupRuleQuota: set.securityGroupRuleQuota,
  });
}

type ServiceConfig = NonNullable<StackConfig["clusterSet"]>["services"][number];

/** A service's stack config as a `MultiClusterService` declaration (refusing weights outside ActiveActive). */
function serviceSpec(service: ServiceConfig, index: number): MultiClusterServiceSpec {
  const weighted = service.exporters.findIndex((e) => e.weight !== undefined);
  if (service.mode !== "ActiveActive" && weighted >= 0) {
    throw new CanalkitInputError(`canalkit:clusterSet.services[${index}].exporters[${weighted}].weight`, service.exporters[weighted]!.weight, `only applies to ActiveActive, but ${service.name} is ${service.mode}`, service.mode === "FailOver" ? "remove the weights and list the exporters in order of preference" : "remove the weights, or use mode ActiveActive");
  }
  return {
    name: service.name,
    namespace: service.namespace,
    mode: service.mode,
    exporters: service.exporters.map((e) => ({ cluster: e.cluster, service: { ports: service.ports }, ...(service.selector ? { selector: service.selector } : {}) })),
    consumers: service.consumers,
    ...(service.mode === "FailOver" ? { failoverOrder: service.exporters.map((e) => e.cluster) } : {}),
    ...(weighted >= 0 ? { weights: Object.fromEntries(service.exporters.map((e) => [e.cluster, e.weight ?? 0])) } : {}),
    ...(service.localityTarget ? { localityTarget: service.localityTarget } : {}),
  };
}

/** ErieCanal's options from the stack's cluster set, the same for every member. */
function erieCanalOptions(set: NonNullable<StackConfig["clusterSet"]>, clusters: StackConfig["clusters"]): ErieCanalOptions {
  const ec = set.erieCanal;
  const internal = set.connectivity !== "internet";
  return {
    namespace: ec.namespace,
    version: ec.version,
    imageRepository: ec.imageRepository,
    certManager: ec.certManager,
    // Internet connectivity means no private path between the VPCs: gateways must be public.
    // An internal gateway's NLB keeps the client address, so the cloud provider admits callers on
    // the nodes' security group from these ranges: the set's VPCs, as the gateway rule does —
    // without them it admits every address.
    gateway: { scheme: internal ? "internal" : "internet-facing", httpPort: set.gatewayPort, ...(ec.gatewayTls ? { tls: {} } : {}), ...(internal ? { sourceRanges: clusters.map((c) => c.network.vpcCidr) } : {}) },
  };
}

/**
 * Plans the cluster set, ErieCanal and every service from config alone, so bad multi-cluster
 * input is refused before any resource is registered.
 */
export function validateMultiCluster(config: StackConfig): void {
  const set = config.clusterSet!;
  // ErieCanal's settings for each member (capabilities as EksCluster reports them).
  for (const c of config.clusters) {
    atConfigPath(["clusterSet", "erieCanal"], () => erieCanalSettings(clusterCapabilities({ isEks: true, topology: c.network.topology }), erieCanalOptions(set, config.clusters)), config);
  }
  const plan = atConfigPath(["clusterSet"], () =>
    planClusterSet({ name: set.name, controlPlane: set.controlPlane, members: config.clusters.map((c) => ({ name: c.name, region: c.region, namespace: set.erieCanal.namespace, vpcCidr: c.network.vpcCidr })) }),
  config);
  for (const [index, service] of set.services.entries()) atConfigPath(["clusterSet", "services", index], () => planMultiClusterService(serviceSpec(service, index), plan), config);
  probeEnabled(config);
}

/**
 * Whether the mesh probe runs: as configured, else on in staging and prod wherever osm-edge is on
 * (it probes through the mesh). Asking for it without osm-edge is refused.
 */
export function probeEnabled(config: StackConfig): boolean {
  const set = config.clusterSet!;
  if (set.probe.enabled === true && !set.erieCanal.osmEdge) {
    throw new CanalkitInputError("canalkit:clusterSet.probe.enabled", true, "probes calls through the osm-edge mesh, but clusterSet.erieCanal.osmEdge is off", "set clusterSet.erieCanal.osmEdge: true, or clusterSet.probe.enabled: false");
  }
  return set.probe.enabled ?? (config.environment !== "dev" && set.erieCanal.osmEdge);
}

/**
 * ErieCanal in every cluster (after Canal, and after cert-manager when on), the cluster set that
 * joins them, and the stack's multi-cluster services. Returns each member's cluster key and
 * gateway, and each service's placement, for the stack outputs.
 */
function buildMultiCluster(config: StackConfig, built: { eks: EksCluster; canal: Canal }[]): Record<string, unknown> {
  const set = config.clusterSet!;
  const ec = set.erieCanal;
  const members = config.clusters.map((c, i) => {
    const { eks, canal } = built[i]!;
    const tls = ec.certManager ? new CertManager(`${c.name}-cert-manager`, { cluster: eks, after: canal.ready }) : undefined;
    const erieCanal = atConfigPath(["clusterSet"], () => new ErieCanal(`${c.name}-erie-canal`, {
      cluster: eks,
      after: [...canal.ready, ...(tls?.ready ?? [])],
      ...erieCanalOptions(set, config.clusters),
    }), config);
    return { cluster: eks as KitCluster, erieCanal, region: c.region, apiServer: { url: eks.cluster.endpoint, certificateAuthorityData: eks.cluster.certificateAuthority.data } };
  });
  const clusterSet = atConfigPath(["clusterSet"], () => new ClusterSet(set.name, { name: set.name, controlPlane: set.controlPlane, members }), config);
  const byName: ClusterSetMembers = Object.fromEntries(members.map((m) => [m.cluster.clusterName, m]));
  const services: Record<string, unknown> = {};
  const mcsByService = new Map<string, MultiClusterService>();
  // One Namespace resource per cluster and namespace, whatever number of services share it.
  const sharedNamespaces = createServiceNamespaces(set.name, set.services.map((s) => ({ resourceName: `${s.namespace}-${s.name}`, namespace: s.namespace, clusters: [...s.exporters.map((e) => e.cluster), ...s.consumers] })), byName, clusterSet);
  for (const [index, service] of set.services.entries()) {
    const namespaces = Object.fromEntries(Object.entries(sharedNamespaces).flatMap(([cluster, byNs]) => (byNs[service.namespace] ? [[cluster, byNs[service.namespace]!]] : [])));
    const mcs = atConfigPath(["clusterSet", "services", index], () => new MultiClusterService(`${service.namespace}-${service.name}`, { clusterSet: clusterSet.plan, members: byName, after: Object.values(clusterSet.joins), namespaces, ...serviceSpec(service, index) }), config);
    mcsByService.set(`${service.namespace}/${service.name}`, mcs);
    services[`${service.namespace}/${service.name}`] = { mode: mcs.plan.mode, exporters: mcs.plan.exporters, consumers: mcs.plan.consumers };
  }
  const probeOn = probeEnabled(config);
  if (ec.osmEdge) {
    // osm-edge in every consuming cluster, with the namespaces of what it consumes in the mesh.
    for (const m of members) {
      const consumed = set.services.filter((s) => s.consumers.includes(m.cluster.clusterName));
      if (consumed.length === 0) continue;
      const serviceCidr = m.cluster.networkFacts.serviceCidr;
      const osm = atConfigPath(["clusterSet", "erieCanal", "osmEdge"], () => new OsmEdge(`${m.cluster.clusterName}-osm-edge`, {
        cluster: m.cluster,
        clusterDnsIp: addressAt("network.serviceCidr", serviceCidr, 10),
        after: m.erieCanal.ready,
        meshedNamespaces: [...new Set(consumed.map((s) => s.namespace))],
        namespacesAfter: consumed.map((s) => mcsByService.get(`${s.namespace}/${s.name}`)!.namespaces[m.cluster.clusterName]!),
      }), config);
      if (!probeOn) continue;
      for (const service of consumed) {
        const mcs = mcsByService.get(`${service.namespace}/${service.name}`)!;
        // Locality never leaves the cluster: a consumer that does not export has nothing to call.
        if (service.mode === "Locality" && !mcs.plan.exporters.includes(m.cluster.clusterName)) continue;
        new MeshProbe(`${m.cluster.clusterName}-${service.namespace}-${service.name}-probe`, {
          serviceName: service.name,
          namespace: service.namespace,
          port: service.ports[0]!.port,
          path: set.probe.path,
          mode: service.mode,
          exporters: mcs.plan.exporters,
          ...(service.mode === "ActiveActive" && service.exporters.some((e) => e.weight !== undefined) ? { weights: Object.fromEntries(service.exporters.map((e) => [e.cluster, e.weight ?? 0])) } : {}),
          consumer: { cluster: m.cluster.clusterName, kubeconfig: m.cluster.kubeconfig },
          ...(set.probe.identityHeader ? { identityHeader: set.probe.identityHeader } : {}),
          calls: set.probe.calls,
          image: osm.plan.settings.images.curl,
          timeoutSeconds: set.probe.timeoutSeconds,
        }, { parent: mcs, dependsOn: [...(mcs.reconciler ? [mcs.reconciler] : []), ...osm.ready, ...osm.meshedNamespaces] });
      }
    }
  }
  return {
    clusterKeys: clusterSet.clusterKeys,
    gateways: Object.fromEntries(members.map((m) => [m.cluster.clusterName, pulumi.interpolate`${m.erieCanal.gatewayHost}:${m.erieCanal.gatewayPort}`])),
    services,
  };
}

/** Cross-key checks of the day-two keys that the schema cannot state. */
function validateDayTwo(config: StackConfig): void {
  config.runner?.cidrs.forEach((c, i) => parseCidr(`canalkit:runner.cidrs[${i}]`, c));
  config.destroy.unreachableClusters.forEach((name, i) => {
    if (!config.clusters.some((c) => c.name === name)) {
      throw new CanalkitInputError(`canalkit:destroy.unreachableClusters[${i}]`, name, "is not a cluster of the stack", `use one of ${config.clusters.map((c) => c.name).join(", ")}`);
    }
  });
  for (const region of Object.keys(config.aws.regions)) {
    if (!config.clusters.some((c) => c.region === region)) {
      throw new CanalkitInputError(`canalkit:aws.regions.${region}`, config.aws.regions[region], "names a region no cluster of the stack uses", `use one of ${[...new Set(config.clusters.map((c) => c.region))].join(", ")}, or remove it`);
    }
  }
  // Every cluster's path from the runner, checked before anything is registered.
  config.clusters.forEach((c, i) => planApiAccess(`canalkit:clusters[${i}].eks.endpoint`, c.eks.endpoint, config.runner));
}

/** Builds the whole stack and returns its outputs. */
export async function defineStack(): Promise<Record<string, unknown>> {
  const { config, warnings } = validateFlatConfig(pulumi.runtime.allConfig(), configSecretKeys());
  for (const warning of warnings) pulumi.log.warn(warning);
  if (config.clusterSet) validateMultiCluster(config);
  const mtuClasses = config.clusters.map((_, index) => pathMtuClassFor(index, config));
  validateDayTwo(config);
  const tags = stackTags(config);
  const { byCluster: providers } = clusterProviders(config, tags);
  const protection = protectionFor(config);
  const outputs: Record<string, unknown> = {};
  // On destroy, in-cluster objects go with their EKS cluster; Services and the like are deleted first.
  const clusterOfProvider = new Map<pulumi.ProviderResource, aws.eks.Cluster>();
  deleteObjectsWithTheirCluster((provider) => clusterOfProvider.get(provider));
  const networks: ClusterNetwork[] = [];
  const built: { eks: EksCluster; canal: Canal }[] = [];
  for (const [index, cluster] of config.clusters.entries()) {
    const provider = providers[index]!;
    const network = await buildNetwork(index, cluster, mtuClasses[index]!, provider, tags, config.awsRegions, protection.protect);
    networks.push(network);
    const { eks, canal } = buildClusterAndCni(index, config, network, provider, tags, (e) => clusterOfProvider.set(e.provider, e.cluster));
    built.push({ eks, canal });
    outputs[cluster.name] = clusterOutputs(eks, network, deployIdentity(config, index));
  }
  if (config.clusterSet) {
    buildClusterSetNetwork(config, networks, providers, tags);
    outputs["clusterSet"] = buildMultiCluster(config, built);
  }
  return outputs;
}
