/**
 * `VpcRouteReconciler` for the `native-vpc` topology: during `pulumi up` (and refresh) it reads the
 * nodes' `spec.podCIDR` and `providerID`, finds each node's primary network interface, and makes
 * the VPC route tables hold exactly one route per node pod CIDR to it (`planVpcRoutes`). Routes it
 * created are recorded in its state: only those are ever replaced or removed.
 */
import type * as ec2 from "@aws-sdk/client-ec2";
import * as pulumi from "@pulumi/pulumi";
import { connectKubernetes } from "./kubernetesApi";
import { numberFailure } from "./checks";
import { withoutCredentials } from "./redact";
import { retryTransient } from "./retry";
import { planVpcRoutes, type ExistingRoute, type OwnedRoute, type RouteNode } from "./vpcRoutes";

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
  controllerVersion: string;
}

/** Outputs: the inputs, the routes owned, and whether the tables matched at the last look. */
export interface VpcRouteReconcilerOutputs extends VpcRouteReconcilerInputs {
  ownedRoutes: OwnedRoute[];
  inSync: boolean;
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

/** The nodes with a pod CIDR inside the pool, and their primary network interfaces. */
async function routeNodes(inputs: VpcRouteReconcilerInputs, aws: ReturnType<typeof ec2Client>): Promise<RouteNode[]> {
  const { core } = connectKubernetes(inputs.kubeconfig);
  const nodes = (await retryTransient(() => core.listNode())).items;
  const wanted = nodes
    .map((n) => ({ name: n.metadata?.name ?? "", podCidr: n.spec?.podCIDR ?? "", instanceId: instanceIdOf(n.spec?.providerID) }))
    .filter((n) => n.podCidr && n.instanceId && insidePool(n.podCidr, inputs.podCidr));
  if (wanted.length === 0) return [];
  const enis = new Map<string, string>();
  for await (const page of aws.sdk.paginateDescribeInstances({ client: aws.client }, { InstanceIds: wanted.map((n) => n.instanceId!) })) {
    for (const reservation of page.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        const primary = (instance.NetworkInterfaces ?? []).find((eni) => eni.Attachment?.DeviceIndex === 0);
        if (instance.InstanceId && primary?.NetworkInterfaceId) enis.set(instance.InstanceId, primary.NetworkInterfaceId);
      }
    }
  }
  return wanted.filter((n) => enis.has(n.instanceId!)).map((n) => ({ name: n.name, podCidr: n.podCidr, networkInterfaceId: enis.get(n.instanceId!)! }));
}

async function routeTables(inputs: VpcRouteReconcilerInputs, aws: ReturnType<typeof ec2Client>): Promise<Map<string, ExistingRoute[]>> {
  const tables = new Map<string, ExistingRoute[]>();
  for await (const page of aws.sdk.paginateDescribeRouteTables({ client: aws.client }, { RouteTableIds: inputs.routeTableIds })) {
    for (const table of page.RouteTables ?? []) {
      tables.set(table.RouteTableId!, (table.Routes ?? []).filter((r) => r.DestinationCidrBlock).map((r) => ({ destination: r.DestinationCidrBlock!, target: r.NetworkInterfaceId ?? r.GatewayId ?? r.NatGatewayId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId ?? r.InstanceId })));
    }
  }
  return tables;
}

/**
 * Reads, plans and applies; returns what is owned afterwards and how many changes were made.
 * `nodes` replaces the cluster's nodes (an empty list removes every owned route).
 */
export async function reconcileVpcRoutes(inputs: VpcRouteReconcilerInputs, owned: OwnedRoute[], nodes?: RouteNode[]): Promise<{ owned: OwnedRoute[]; changed: number }> {
  const aws = ec2Client(inputs);
  const plan = planVpcRoutes({ nodes: nodes ?? (await routeNodes(inputs, aws)), tables: await routeTables(inputs, aws), owned, quota: inputs.routeQuota });
  for (const change of plan.changes) {
    const target = { RouteTableId: change.routeTableId, DestinationCidrBlock: change.destination };
    try {
      if (change.action === "create") await aws.client.send(new aws.sdk.CreateRouteCommand({ ...target, NetworkInterfaceId: change.networkInterfaceId! }));
      else if (change.action === "replace") await aws.client.send(new aws.sdk.ReplaceRouteCommand({ ...target, NetworkInterfaceId: change.networkInterfaceId! }));
      else await aws.client.send(new aws.sdk.DeleteRouteCommand(target));
    } catch (error) {
      // Already as wanted (a retry after a lost answer): idempotent, not a failure.
      const code = (error as { name?: string }).name;
      if ((change.action === "delete" && code === "InvalidRoute.NotFound") || (change.action === "create" && code === "RouteAlreadyExists")) continue;
      throw new Error(`VpcRouteReconciler ${inputs.clusterName}: ${change.action} of the route ${change.destination} in ${change.routeTableId} failed: ${(error as Error).message}`);
    }
  }
  return { owned: plan.owned, changed: plan.changes.length };
}

/** Whether the tables hold exactly what the plan wants (a refresh; no writes). */
export async function vpcRoutesInSync(inputs: VpcRouteReconcilerInputs, owned: OwnedRoute[]): Promise<boolean> {
  const aws = ec2Client(inputs);
  try {
    return planVpcRoutes({ nodes: await routeNodes(inputs, aws), tables: await routeTables(inputs, aws), owned, quota: inputs.routeQuota }).changes.length === 0;
  } catch {
    return false;
  }
}

const KEYS_THAT_MATTER: (keyof VpcRouteReconcilerInputs)[] = ["clusterName", "region", "routeTableIds", "podCidr", "routeQuota", "ec2Endpoint", "controllerVersion"];

/** The dynamic provider. */
export const vpcRouteReconcilerProvider: pulumi.dynamic.ResourceProvider<VpcRouteReconcilerInputs, VpcRouteReconcilerOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!Array.isArray(news.routeTableIds) || news.routeTableIds.length === 0) failures.push({ property: "routeTableIds", reason: "at least one route table is required" });
    else if (!news.routeTableIds.every((id) => typeof id === "string" && /^rtb-[0-9a-f]+$/.test(id))) failures.push({ property: "routeTableIds", reason: `routeTableIds = ${JSON.stringify(news.routeTableIds)}: every entry must be a route table id (rtb-…)` });
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(news.podCidr ?? "")) failures.push({ property: "podCidr", reason: `podCidr = ${JSON.stringify(news.podCidr)}: must be an IPv4 CIDR` });
    const quota = numberFailure("routeQuota", news.routeQuota, 1, 1000, "must be from 1 to 1000");
    if (quota) failures.push(quota);
    return { inputs: news, failures };
  },
  async diff(_id, olds: VpcRouteReconcilerOutputs, news) {
    const changed = KEYS_THAT_MATTER.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed || olds.inSync !== true };
  },
  async create(inputs) {
    const { owned } = await withoutCredentials([inputs.kubeconfig], () => reconcileVpcRoutes(inputs, []));
    return { id: `${inputs.clusterName}/vpc-routes`, outs: { ...inputs, ownedRoutes: owned, inSync: true } };
  },
  async read(id, props) {
    if (!props) throw new Error(`VpcRouteReconciler ${id}: cannot be read without its recorded state (import is not supported)`);
    const current: VpcRouteReconcilerOutputs = { ...props, inSync: await withoutCredentials([props.kubeconfig], () => vpcRoutesInSync(props, props.ownedRoutes ?? [])) };
    return { id, props: current };
  },
  async update(_id, olds: VpcRouteReconcilerOutputs, news) {
    return withoutCredentials([olds.kubeconfig, news.kubeconfig], () => updateRoutes(olds, news));
  },
  async delete(_id, props) {
    await withoutCredentials([props.kubeconfig], () => deleteRoutes(props));
  },
};

async function updateRoutes(olds: VpcRouteReconcilerOutputs, news: VpcRouteReconcilerInputs): Promise<{ outs: VpcRouteReconcilerOutputs }> {
  {
    // Routes owned in tables no longer managed are released by removing them first.
    const dropped = (olds.ownedRoutes ?? []).filter((o) => !news.routeTableIds.includes(o.routeTableId));
    if (dropped.length > 0) await reconcileVpcRoutes({ ...olds, routeTableIds: [...new Set(dropped.map((o) => o.routeTableId))] }, dropped, []);
    const { owned } = await reconcileVpcRoutes(news, (olds.ownedRoutes ?? []).filter((o) => news.routeTableIds.includes(o.routeTableId)));
    return { outs: { ...news, ownedRoutes: owned, inSync: true } };
  }
}

async function deleteRoutes(props: VpcRouteReconcilerOutputs): Promise<void> {
  {
    // Remove exactly the routes this resource created (and that still point where it put them).
    try {
      await reconcileVpcRoutes(props, props.ownedRoutes ?? [], []);
    } catch (error) {
      // A route table already deleted took its routes with it.
      if (!/InvalidRouteTableID\.NotFound/.test(`${(error as Error).name} ${(error as Error).message}`)) throw error;
    }
  }
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
}

/** Keeps one VPC route per node pod CIDR in the cluster's route tables (native-vpc). */
export class VpcRouteReconciler extends pulumi.dynamic.Resource {
  declare readonly ownedRoutes: pulumi.Output<OwnedRoute[]>;
  declare readonly inSync: pulumi.Output<boolean>;

  constructor(name: string, args: VpcRouteReconcilerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      vpcRouteReconcilerProvider,
      name,
      { ...args, kubeconfig: pulumi.secret(args.kubeconfig), controllerVersion: VPC_ROUTE_RECONCILER_VERSION, ownedRoutes: undefined, inSync: undefined },
      { ...opts, additionalSecretOutputs: ["kubeconfig"] },
      "canalkit",
      "VpcRouteReconciler",
    );
  }
}
