/**
 * `VpcRouteReconciler` for the `native-vpc` topology: during `pulumi up` (and refresh) it reads the
 * nodes' `spec.podCIDR` and `providerID`, finds each node's primary network interface, and makes
 * the VPC route tables hold exactly one route per node pod CIDR to it (`planVpcRoutes`). Routes it
 * created are recorded in its state: only those are ever replaced or removed.
 */
import type * as ec2 from "@aws-sdk/client-ec2";
import * as pulumi from "@pulumi/pulumi";
import { ControllerResource } from "./engineLoader";
import { connectKubernetes } from "./kubernetesApi";
import { numberFailure, waitFailures } from "./checks";
import { withoutCredentials } from "./redact";
import { readOrKeepLast } from "./refresh";
import { retryTransient } from "./retry";
import { planVpcRoutes, RoutePlanError, type ExistingRoute, type OwnedRoute, type RouteNode } from "./vpcRoutes";

/** Bumped whenever what the controller manages changes. */
export const VPC_ROUTE_RECONCILER_VERSION = "vpc-route-reconciler/1";

/** Inputs as the provider receives them. */
export interface VpcRouteReconcilerInputs {
  clusterName: string;
  region: string;
  kubeconfig: string;
  routeTableIds: string[];
  /** Only node CIDRs inside the pod CIDR are routed. */
  podCidr: string;
  routeQuota: number;
  /** EC2 endpoint override (VPC endpoints, tests); default: the regional endpoint. */
  ec2Endpoint?: string;
  /**
   * `reconcile` (default): this resource writes the routes. `verify`: the in-cluster
   * `VpcRouteController` writes them; this resource hands over the routes it owned, then waits
   * (up to `timeoutSeconds`) until every node is routed and writes nothing itself.
   */
  mode?: "reconcile" | "verify";
  /** `verify` only: how long to wait for every node's route. Default 180. */
  timeoutSeconds?: number;
  /** `verify` only: how often to look. Default 5. */
  pollSeconds?: number;
  controllerVersion: string;
}

/** Outputs: the inputs, the routes owned, and whether the tables matched at the last look. */
export interface VpcRouteReconcilerOutputs extends VpcRouteReconcilerInputs {
  ownedRoutes: OwnedRoute[];
  inSync: boolean;
  /** Nodes the last reconcile could not route, each with why (empty when all are routed). */
  pendingNodes?: string[];
  /** Set by a refresh that could not read the cluster or EC2 (the rest is the last recorded state). */
  warning?: string;
}

/** The instance id in a node's `providerID` (`aws:///us-east-1a/i-0abc…`). */
export function instanceIdOf(providerId: string | undefined): string | undefined {
  return /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerId ?? "")?.[1];
}

/** Whether a node's pod CIDR lies inside the cluster's pod CIDR. */
function insidePool(cidr: string, pool: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Address4 } = require("ip-address") as typeof import("ip-address");
  return Address4.isValid(cidr) && new Address4(cidr).isInSubnet(new Address4(pool));
}

function ec2Client(inputs: VpcRouteReconcilerInputs): { client: ec2.EC2Client; sdk: typeof ec2 } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@aws-sdk/client-ec2") as typeof ec2;
  // Credentials come from the environment the engine runs in (profile, SSO, keys), never inputs.
  return { sdk, client: new sdk.EC2Client({
      region: inputs.region,
      ...(inputs.ec2Endpoint ? { endpoint: inputs.ec2Endpoint } : {}),
      maxAttempts: 5,
      // Bounded like the Kubernetes requests: an endpoint that never answers fails the attempt.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
    }) };
}

/** The nodes to route, and the nodes that could not be resolved this time (each with why). */
interface ClusterNodes {
  nodes: RouteNode[];
  /** Pod CIDRs of nodes still in the cluster whose interface is unknown now: their routes stay. */
  keep: string[];
  pending: string[];
}

/** The nodes with a pod CIDR inside the pool, and their primary network interfaces. */
async function routeNodes(inputs: VpcRouteReconcilerInputs, aws: ReturnType<typeof ec2Client>): Promise<ClusterNodes> {
  const { core } = connectKubernetes(inputs.kubeconfig);
  const nodes = (await retryTransient(() => core.listNode())).items;
  const wanted = nodes
    .map((n) => ({ name: n.metadata?.name ?? "", podCidr: n.spec?.podCIDR ?? "", instanceId: instanceIdOf(n.spec?.providerID) }))
    .filter((n) => n.podCidr && n.instanceId && insidePool(n.podCidr, inputs.podCidr));
  if (wanted.length === 0) return { nodes: [], keep: [], pending: [] };
  const enis = new Map<string, string>();
  const ids = [...new Set(wanted.map((n) => n.instanceId!))];
  // A filter, not InstanceIds: one unknown id (terminated, or too new to be listed) would fail
  // the whole call for every node; a filter just leaves it out. EC2 takes 200 values per filter.
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    for await (const page of aws.sdk.paginateDescribeInstances({ client: aws.client }, { Filters: [{ Name: "instance-id", Values: chunk }] })) {
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          if (instance.State?.Name === "terminated" || instance.State?.Name === "shutting-down") continue;
          const primary = (instance.NetworkInterfaces ?? []).find((eni) => eni.Attachment?.DeviceIndex === 0);
          if (instance.InstanceId && primary?.NetworkInterfaceId) enis.set(instance.InstanceId, primary.NetworkInterfaceId);
        }
      }
    }
  }
  const unresolved = wanted.filter((n) => !enis.has(n.instanceId!));
  return {
    nodes: wanted.filter((n) => enis.has(n.instanceId!)).map((n) => ({ name: n.name, podCidr: n.podCidr, networkInterfaceId: enis.get(n.instanceId!)! })),
    keep: unresolved.map((n) => n.podCidr),
    pending: unresolved.map((n) => `${n.name}: EC2 does not list its instance ${n.instanceId}`),
  };
}

/** The managed route tables that exist, with their routes (a filter: a deleted table is just absent). */
async function routeTables(inputs: Pick<VpcRouteReconcilerInputs, "routeTableIds">, aws: ReturnType<typeof ec2Client>): Promise<Map<string, ExistingRoute[]>> {
  const tables = new Map<string, ExistingRoute[]>();
  for await (const page of aws.sdk.paginateDescribeRouteTables({ client: aws.client }, { Filters: [{ Name: "route-table-id", Values: inputs.routeTableIds }] })) {
    for (const table of page.RouteTables ?? []) {
      tables.set(
        table.RouteTableId!,
        (table.Routes ?? [])
          .filter((r) => r.DestinationCidrBlock)
          .map((r) => ({ destination: r.DestinationCidrBlock!, target: r.NetworkInterfaceId ?? r.GatewayId ?? r.NatGatewayId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId ?? r.InstanceId, ...(r.State ? { state: r.State } : {}) })),
      );
    }
  }
  return tables;
}

/** What a reconcile did. */
export interface ReconcileResult {
  owned: OwnedRoute[];
  changed: number;
  /** Nodes left out this time, each with why (their routes are kept as they are). */
  pending: string[];
}

/** The target a table holds for a destination now, read back after an ambiguous answer. */
async function currentTarget(aws: ReturnType<typeof ec2Client>, table: string, destination: string): Promise<string | undefined> {
  return (await routeTables({ routeTableIds: [table] }, aws)).get(table)?.find((r) => r.destination === destination)?.target;
}

/**
 * Reads, plans and applies; returns what is owned afterwards, how many changes were made and the
 * nodes left out. `nodes` replaces the cluster's nodes (an empty list removes every owned route).
 * Route tables that do not exist fail the call, named, unless `missingTables` is `"skip"` (a
 * delete: a deleted table took its routes with it).
 */
export async function reconcileVpcRoutes(inputs: VpcRouteReconcilerInputs, owned: OwnedRoute[], nodes?: RouteNode[], missingTables: "fail" | "skip" = "fail"): Promise<ReconcileResult> {
  const aws = ec2Client(inputs);
  const cluster: ClusterNodes = nodes ? { nodes, keep: [], pending: [] } : await routeNodes(inputs, aws);
  const tables = await routeTables(inputs, aws);
  const missing = inputs.routeTableIds.filter((id) => !tables.has(id));
  if (missing.length > 0 && missingTables === "fail") {
    throw new RoutePlanError(`VpcRouteReconciler ${inputs.clusterName}: route table ${missing.join(", ")} does not exist${missing.length > 1 ? " (none of them)" : ""}; give the cluster's current route table ids (the network's routeTableIds), or remove the deleted ones`);
  }
  const plan = planVpcRoutes({ nodes: cluster.nodes, tables, owned: owned.filter((o) => tables.has(o.routeTableId)), quota: inputs.routeQuota, keep: cluster.keep });
  // What is owned as the changes land, so a failure partway still records every route written.
  const held = new Map(owned.filter((o) => tables.has(o.routeTableId)).map((o) => [`${o.routeTableId} ${o.destination}`, o]));
  const landed = (change: (typeof plan.changes)[number]) => {
    const at = `${change.routeTableId} ${change.destination}`;
    if (change.action === "delete") held.delete(at);
    else held.set(at, { routeTableId: change.routeTableId, destination: change.destination, networkInterfaceId: change.networkInterfaceId!, node: change.node! });
  };
  const failWith = (error: Error) => Object.assign(error, { ownedSoFar: [...held.values()].sort((a, b) => `${a.routeTableId} ${a.destination}`.localeCompare(`${b.routeTableId} ${b.destination}`)) });
  for (const change of plan.changes) {
    const target = { RouteTableId: change.routeTableId, DestinationCidrBlock: change.destination };
    try {
      if (change.action === "create") await aws.client.send(new aws.sdk.CreateRouteCommand({ ...target, NetworkInterfaceId: change.networkInterfaceId! }));
      else if (change.action === "replace") await aws.client.send(new aws.sdk.ReplaceRouteCommand({ ...target, NetworkInterfaceId: change.networkInterfaceId! }));
      else await aws.client.send(new aws.sdk.DeleteRouteCommand(target));
      landed(change);
    } catch (error) {
      const code = (error as { name?: string }).name;
      // Already gone (a retry after a lost answer, or removed by hand): as wanted.
      if (change.action === "delete" && code === "InvalidRoute.NotFound") {
        landed(change);
        continue;
      }
      if (change.action === "create" && code === "RouteAlreadyExists") {
        // The plan saw no route here, so one appeared since. After a retry (the first answer
        // lost) it is ours when it points where ours would; anything else belongs to someone else.
        const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        const now = await currentTarget(aws, change.routeTableId, change.destination);
        if (attempts > 1 && now === change.networkInterfaceId) {
          landed(change);
          continue;
        }
        throw failWith(new RoutePlanError(
          `VpcRouteReconciler ${inputs.clusterName}: create of the route ${change.destination} in ${change.routeTableId}: the table already routes it to ${now ?? "another target"}, a route canalkit did not create; it will not take it over. Remove that route, or give the cluster a pod CIDR that no other route uses`,
        ));
      }
      throw failWith(new Error(`VpcRouteReconciler ${inputs.clusterName}: ${change.action} of the route ${change.destination} in ${change.routeTableId} failed: ${(error as Error).message}`));
    }
  }
  return { owned: plan.owned, changed: plan.changes.length, pending: cluster.pending };
}

/**
 * Whether the tables hold exactly what the plan wants (a refresh; no writes); undefined when none
 * of the route tables exists any more (the routes went with them).
 */
export async function vpcRoutesInSync(inputs: VpcRouteReconcilerInputs, owned: OwnedRoute[]): Promise<boolean | undefined> {
  const aws = ec2Client(inputs);
  const tables = await routeTables(inputs, aws);
  if (tables.size === 0) return undefined;
  const cluster = await routeNodes(inputs, aws);
  if (inputs.routeTableIds.some((id) => !tables.has(id)) || cluster.pending.length > 0) return false;
  try {
    return planVpcRoutes({ nodes: cluster.nodes, tables, owned, quota: inputs.routeQuota, keep: cluster.keep }).changes.length === 0;
  } catch (error) {
    // A plan the next update would refuse (a foreign route, the quota): not in sync.
    if (error instanceof RoutePlanError) return false;
    throw error;
  }
}

const KEYS_THAT_MATTER: (keyof VpcRouteReconcilerInputs)[] = ["clusterName", "region", "routeTableIds", "podCidr", "routeQuota", "ec2Endpoint", "mode", "controllerVersion"];

/** The in-cluster controller's ownership record (kept in step with vpcRouteController.ts). */
const RECORD = { namespace: "kube-system", name: "canalkit-vpc-routes" } as const;

/** What is missing for every node to be routed in every table (whoever made the routes). */
export async function unroutedNodes(inputs: VpcRouteReconcilerInputs): Promise<string[]> {
  const aws = ec2Client(inputs);
  const cluster = await routeNodes(inputs, aws);
  const tables = await routeTables(inputs, aws);
  const missing: string[] = inputs.routeTableIds.filter((id) => !tables.has(id)).map((id) => `route table ${id} does not exist`);
  for (const [table, routes] of tables) {
    for (const node of cluster.nodes) {
      const route = routes.find((r) => r.destination === node.podCidr);
      if (route?.target !== node.networkInterfaceId || route.state === "blackhole") missing.push(`${node.name}: ${table} ${route ? `routes ${node.podCidr} to ${route.target}` : `has no route for ${node.podCidr}`}`);
    }
  }
  return [...missing, ...cluster.pending];
}

/**
 * Hands the routes this resource owned to the in-cluster controller: they are added to its
 * ownership record (guarded by the record's resourceVersion), so it keeps and removes them as its
 * own instead of refusing them as someone else's.
 */
async function handOver(kubeconfig: string, owned: OwnedRoute[]): Promise<void> {
  if (owned.length === 0) return;
  const { core, mergePatch } = connectKubernetes(kubeconfig);
  await retryTransient(async () => {
    const existing = await core.readNamespacedConfigMap(RECORD).catch((error: { code?: number }) => {
      if (error?.code === 404) return undefined;
      throw error;
    });
    const held: OwnedRoute[] = JSON.parse(existing?.data?.["routes.json"] ?? "[]");
    const merged = new Map([...held, ...owned].map((o) => [`${o.routeTableId} ${o.destination}`, o]));
    const data = { "routes.json": JSON.stringify([...merged.values()]) };
    if (!existing) await core.createNamespacedConfigMap({ namespace: RECORD.namespace, body: { metadata: { name: RECORD.name, namespace: RECORD.namespace }, data } });
    else await core.patchNamespacedConfigMap({ ...RECORD, body: { metadata: { resourceVersion: existing.metadata?.resourceVersion }, data } }, mergePatch);
  });
}

/** `verify` mode: hand over, then wait until every node is routed; fails with what is missing. */
async function verifyRoutes(inputs: VpcRouteReconcilerInputs, handedOver: OwnedRoute[]): Promise<VpcRouteReconcilerOutputs> {
  await handOver(inputs.kubeconfig, handedOver);
  const timeoutSeconds = inputs.timeoutSeconds ?? 180;
  const pollSeconds = inputs.pollSeconds ?? 5;
  const deadline = Date.now() + timeoutSeconds * 1000;
  let missing: string[] = [];
  for (;;) {
    missing = await unroutedNodes(inputs);
    if (missing.length === 0) return { ...inputs, ownedRoutes: [], inSync: true, pendingNodes: [] };
    if (Date.now() + pollSeconds * 1000 > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
  }
  throw new Error(
    `VpcRouteReconciler ${inputs.clusterName}: not every node is routed after ${timeoutSeconds}s: ${missing.join("; ")}. ` +
      `The in-cluster controller (kube-system/canalkit-vpc-route-controller) writes the routes: its log names what it refused or could not write.`,
  );
}

/** The dynamic provider. */
export const vpcRouteReconcilerProvider: pulumi.dynamic.ResourceProvider<VpcRouteReconcilerInputs, VpcRouteReconcilerOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!Array.isArray(news.routeTableIds) || news.routeTableIds.length === 0) failures.push({ property: "routeTableIds", reason: "at least one route table is required" });
    else if (!news.routeTableIds.every((id) => typeof id === "string" && /^rtb-[0-9a-f]+$/.test(id))) failures.push({ property: "routeTableIds", reason: `routeTableIds = ${JSON.stringify(news.routeTableIds)}: every entry must be a route table id (rtb-…)` });
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(news.podCidr ?? "")) failures.push({ property: "podCidr", reason: `podCidr = ${JSON.stringify(news.podCidr)}: must be an IPv4 CIDR` });
    const quota = numberFailure("routeQuota", news.routeQuota, 1, 1000, "must be from 1 to 1000");
    if (quota) failures.push(quota);
    if (news.mode !== undefined && news.mode !== "reconcile" && news.mode !== "verify") failures.push({ property: "mode", reason: `mode = ${JSON.stringify(news.mode)}: must be "reconcile" or "verify"` });
    if (news.mode === "verify") failures.push(...waitFailures({ timeoutSeconds: news.timeoutSeconds ?? 180, pollSeconds: news.pollSeconds ?? 5 }));
    return { inputs: news, failures };
  },
  async diff(_id, olds: VpcRouteReconcilerOutputs, news) {
    const changed = KEYS_THAT_MATTER.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed || olds.inSync !== true };
  },
  async create(inputs) {
    const id = `${inputs.clusterName}/vpc-routes`;
    if (inputs.mode === "verify") return { id, outs: await withoutCredentials([inputs.kubeconfig], () => verifyRoutes(inputs, [])) };
    const { owned, pending } = await withoutCredentials([inputs.kubeconfig], () => keepingWhatLanded(id, inputs, () => reconcileVpcRoutes(inputs, [])));
    return { id, outs: { ...inputs, ownedRoutes: owned, inSync: pending.length === 0, pendingNodes: pending } };
  },
  async read(id, props) {
    if (!props) throw new Error(`VpcRouteReconciler ${id}: cannot be read without its recorded state (import is not supported)`);
    // Every route table gone: so are the routes, and the resource. An unreachable cluster or EC2
    // keeps the last state, with a warning.
    let gone = false;
    const result = await readOrKeepLast("VpcRouteReconciler", id, props, [props.kubeconfig], async () => {
      if (props.mode === "verify") return { ...props, inSync: (await unroutedNodes(props)).length === 0 };
      const inSync = await vpcRoutesInSync(props, props.ownedRoutes ?? []);
      gone = inSync === undefined;
      return { ...props, inSync: inSync === true };
    });
    return gone ? { id: "", props: {} as VpcRouteReconcilerOutputs } : result;
  },
  async update(id, olds: VpcRouteReconcilerOutputs, news) {
    if (news.mode === "verify") return { outs: await withoutCredentials([olds.kubeconfig, news.kubeconfig], () => verifyRoutes(news, olds.ownedRoutes ?? [])) };
    return withoutCredentials([olds.kubeconfig, news.kubeconfig], () => keepingWhatLanded(id, news, () => updateRoutes(olds, news)));
  },
  async delete(_id, props) {
    // `verify`: the routes are the in-cluster controller's; nothing here to undo.
    if (props.mode === "verify") return;
    await withoutCredentials([props.kubeconfig], () => deleteRoutes(props));
  },
};

/**
 * Runs a reconcile; when it fails after some routes were written, the error carries the state to
 * record (`id`, `properties`, `reasons`: the engine keeps the resource with it, as for a resource
 * that was created but failed to initialize), so no route the kit wrote is ever forgotten.
 */
async function keepingWhatLanded<T>(id: string, inputs: VpcRouteReconcilerInputs, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const owned = (error as { ownedSoFar?: OwnedRoute[] }).ownedSoFar;
    if (!owned) throw error;
    const properties: VpcRouteReconcilerOutputs = { ...inputs, ownedRoutes: owned, inSync: false, pendingNodes: [] };
    throw Object.assign(error as Error, { id, properties, reasons: [(error as Error).message] });
  }
}

async function updateRoutes(olds: VpcRouteReconcilerOutputs, news: VpcRouteReconcilerInputs): Promise<{ outs: VpcRouteReconcilerOutputs }> {
  // Routes owned in tables no longer managed are released by removing them first.
  const dropped = (olds.ownedRoutes ?? []).filter((o) => !news.routeTableIds.includes(o.routeTableId));
  if (dropped.length > 0) await reconcileVpcRoutes({ ...olds, routeTableIds: [...new Set(dropped.map((o) => o.routeTableId))] }, dropped, [], "skip");
  const { owned, pending } = await reconcileVpcRoutes(news, (olds.ownedRoutes ?? []).filter((o) => news.routeTableIds.includes(o.routeTableId)));
  return { outs: { ...news, ownedRoutes: owned, inSync: pending.length === 0, pendingNodes: pending } };
}

async function deleteRoutes(props: VpcRouteReconcilerOutputs): Promise<void> {
  // Remove exactly the routes this resource created (and that still point where it put them),
  // table by table: a table already deleted took its routes with it, the others are cleaned.
  await reconcileVpcRoutes(props, props.ownedRoutes ?? [], [], "skip");
}

/** Inputs of `VpcRouteReconciler`. */
export interface VpcRouteReconcilerArgs {
  clusterName: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** Secret. Lists nodes. */
  kubeconfig: pulumi.Input<string>;
  routeTableIds: pulumi.Input<pulumi.Input<string>[]>;
  podCidr: pulumi.Input<string>;
  /** The route tables' route quota (the network plan's `routeTableQuota`). */
  routeQuota: pulumi.Input<number>;
  ec2Endpoint?: pulumi.Input<string>;
  /** `verify` when a `VpcRouteController` runs in the cluster (see the inputs). Default `reconcile`. */
  mode?: "reconcile" | "verify";
  /** `verify` only. Default 180. */
  timeoutSeconds?: pulumi.Input<number>;
  /** `verify` only. Default 5. */
  pollSeconds?: pulumi.Input<number>;
}

/** Keeps one VPC route per node pod CIDR in the cluster's route tables (native-vpc). */
export class VpcRouteReconciler extends ControllerResource {
  declare readonly ownedRoutes: pulumi.Output<OwnedRoute[]>;
  declare readonly inSync: pulumi.Output<boolean>;

  constructor(name: string, args: VpcRouteReconcilerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "VpcRouteReconciler",
      name,
      { ...args, kubeconfig: pulumi.secret(args.kubeconfig), controllerVersion: VPC_ROUTE_RECONCILER_VERSION, ownedRoutes: undefined, inSync: undefined, pendingNodes: undefined, warning: undefined },
      { ...opts, additionalSecretOutputs: ["kubeconfig"] },
    );
  }
}
