/**
 * `ClusterNetwork`: turns a network plan into AWS resources — VPC, subnets per AZ, internet and
 * NAT gateways, route tables, and the node and control-plane security groups with exactly the
 * plan's rules. The plan is computed (and validated) before the first resource is registered.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { availabilityZoneTable, checkAvailabilityZones, checkRegion } from "./awsRegions";
import { planNetwork } from "./planNetwork";
import type { NetworkPlan, NetworkPlanInput, RoutingFacts, SecurityGroupRulePlan } from "./types";

/** Inputs of a `ClusterNetwork`. Planning inputs are plain values: they are validated up front. */
export interface ClusterNetworkArgs extends Omit<NetworkPlanInput, "clusterName"> {
  /** Cluster the network serves. Default: the resource name. */
  clusterName?: string;
  /** AWS region, recorded in the network facts (the provider decides where resources go). */
  region?: string;
  /**
   * AZ names of Regions the kit's table (`KNOWN_AVAILABILITY_ZONES`) lacks or lists short, for
   * Regions and zones AWS opened after this release. Used only when `region` is given.
   */
  knownAvailabilityZones?: Record<string, string[]>;
  /** Tags for every taggable resource (environment, owner, ...). */
  tags?: Record<string, string>;
  /**
   * Pulumi `protect` on the VPC (staging and prod): `pulumi destroy` stops at it until it is
   * unprotected. Only the VPC: subnets, route tables and security-group rules stay replaceable.
   */
  protect?: boolean;
  /** VPC flow logs to CloudWatch Logs. Off by default. */
  flowLogs?: { enabled: boolean; retentionInDays?: number; trafficType?: "ACCEPT" | "REJECT" | "ALL" };
}

/** Protocols whose rules carry a port (or ICMP type/code) range. */
const PORTED_PROTOCOLS = new Set(["tcp", "udp", "icmp"]);

/**
 * The network facts a `ClusterNetwork` records as its inputs, so they live in Pulumi state and
 * policies, the diagram and later layers can read them without re-planning.
 */
export function networkFacts(plan: NetworkPlan, region: string | undefined): Record<string, unknown> {
  return {
    clusterName: plan.clusterName,
    region: region ?? null,
    topology: plan.routing.topology,
    vpcCidr: plan.vpcCidr,
    podCidr: plan.podCidr,
    serviceCidr: plan.serviceCidr,
    pathMtuClass: plan.mtu.pathMtuClass,
    podMtu: plan.mtu.pod,
    vxlanPort: plan.routing.vxlanPort ?? null,
    natStrategy: plan.natStrategy,
    disableSourceDestCheck: plan.routing.disableSourceDestCheck,
    admitPodCidr: plan.routing.admitPodCidr,
    routeTableQuota: plan.routing.routeTableQuota,
    maxNodes: plan.routing.maxNodes ?? null,
    typha: plan.typha,
    availabilityZones: plan.azs.map((az) => ({ name: az.name, publicSubnetCidr: az.publicSubnetCidr, privateSubnetCidr: az.privateSubnetCidr })),
  };
}

/** The AWS network of one cluster, planned for its Canal topology. */
export class ClusterNetwork extends pulumi.ComponentResource {
  /** The validated plan the resources were built from. */
  readonly plan: NetworkPlan;
  /** Routing facts the cluster and CNI layers must honour. */
  readonly routing: RoutingFacts;
  readonly clusterName: string;
  readonly region: string | undefined;
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** Pod (veth) MTU for the CNI. */
  readonly podMtu: number;
  /** Public subnet ids in AZ order. */
  readonly publicSubnetIds: pulumi.Output<string>[];
  /** Private (node) subnet ids in AZ order. */
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** Subnet ids by AZ name. */
  readonly subnetsByAz: Record<string, { publicSubnetId: pulumi.Output<string>; privateSubnetId: pulumi.Output<string> }>;
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  readonly controlPlaneSecurityGroupId: pulumi.Output<string>;
  readonly publicRouteTableId: pulumi.Output<string>;
  /** Private route table ids in AZ order (native-vpc pod routes and peer routes go here). */
  readonly privateRouteTableIds: pulumi.Output<string>[];
  /** NAT gateway ids by AZ name. */
  readonly natGatewayIds: Record<string, pulumi.Output<string>>;
  /**
   * The network's resources a cloud load balancer can hold on to (VPC, subnets, gateways, route
   * tables, security groups). Whatever creates load balancers through Kubernetes — the cluster's
   * Kubernetes provider — depends on all of them, so on destroy the Services (and with them the
   * load balancers' interfaces) are gone before any of these is deleted. A dependency on the
   * component alone would cover only its direct children, not the subnets under the VPC.
   */
  readonly networkResources: pulumi.Resource[];

  constructor(name: string, args: ClusterNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    const clusterName = args.clusterName ?? name;
    // Planned before super(): bad input fails before anything is registered.
    if (args.region !== undefined) {
      // AZ names of another Region (or a Region that does not exist) fail here, not at `pulumi up`.
      const zones = checkRegion("region", args.region, availabilityZoneTable(args.knownAvailabilityZones), "knownAvailabilityZones");
      if (Array.isArray(args.availabilityZones)) checkAvailabilityZones("availabilityZones", args.region, args.availabilityZones, zones, "knownAvailabilityZones");
    }
    const { knownAvailabilityZones: _known, ...planInput } = args;
    const plan = planNetwork({ ...planInput, clusterName });
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = networkFacts(plan, args.region);
    super("canalkit:network:ClusterNetwork", name, facts, opts);
    this.plan = plan;
    this.routing = plan.routing;
    this.clusterName = clusterName;
    this.region = args.region;
    this.vpcCidr = plan.vpcCidr;
    this.podCidr = plan.podCidr;
    this.serviceCidr = plan.serviceCidr;
    this.podMtu = plan.mtu.pod;

    const baseTags = { ...(args.tags ?? {}), "canalkit.io/cluster": clusterName };
    const tagged = (resourceName: string, extra: Record<string, string> = {}) => ({ ...baseTags, Name: resourceName, ...extra });
    const parent = { parent: this };

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: plan.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tagged(`${clusterName}-vpc`) }, { parent: this, protect: args.protect ?? false });
    // Children inherit `protect` from their parent; only the VPC itself is protected.
    const inVpc = { parent: vpc, protect: false };
    this.vpcId = vpc.id;
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tagged(`${clusterName}-igw`) }, inVpc);

    const clusterTag = { [`kubernetes.io/cluster/${clusterName}`]: "shared" };
    const publicSubnets: aws.ec2.Subnet[] = [];
    const privateSubnets: aws.ec2.Subnet[] = [];
    for (const az of plan.azs) {
      publicSubnets.push(
        new aws.ec2.Subnet(`${name}-public-${az.index}`, {
          vpcId: vpc.id,
          availabilityZone: az.name,
          cidrBlock: az.publicSubnetCidr,
          mapPublicIpOnLaunch: false,
          tags: tagged(`${clusterName}-public-${az.name}`, { ...clusterTag, "kubernetes.io/role/elb": "1" }),
        }, inVpc),
      );
      privateSubnets.push(
        new aws.ec2.Subnet(`${name}-private-${az.index}`, {
          vpcId: vpc.id,
          availabilityZone: az.name,
          cidrBlock: az.privateSubnetCidr,
          tags: tagged(`${clusterName}-private-${az.name}`, { ...clusterTag, "kubernetes.io/role/internal-elb": "1" }),
        }, inVpc),
      );
    }
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.subnetsByAz = Object.fromEntries(plan.azs.map((az) => [az.name, { publicSubnetId: publicSubnets[az.index]!.id, privateSubnetId: privateSubnets[az.index]!.id }]));

    const natGateways: Record<string, aws.ec2.NatGateway> = {};
    for (const azName of plan.natGatewayAzs) {
      const az = plan.azs.find((a) => a.name === azName)!;
      const eip = new aws.ec2.Eip(`${name}-nat-eip-${az.index}`, { domain: "vpc", tags: tagged(`${clusterName}-nat-${az.name}`) }, parent);
      natGateways[azName] = new aws.ec2.NatGateway(`${name}-nat-${az.index}`, {
        allocationId: eip.id,
        subnetId: publicSubnets[az.index]!.id,
        tags: tagged(`${clusterName}-nat-${az.name}`),
      }, { parent: publicSubnets[az.index]!, dependsOn: [igw] });
    }
    this.natGatewayIds = Object.fromEntries(Object.entries(natGateways).map(([az, nat]) => [az, nat.id]));

    // Routes are separate resources, never inline: controllers and peering add routes to these
    // tables, and inline routes would make Pulumi delete them on the next update.
    const routeTables: Record<string, aws.ec2.RouteTable> = {};
    for (const table of plan.routeTables) {
      const rt = new aws.ec2.RouteTable(`${name}-rt-${table.key}`, { vpcId: vpc.id, tags: tagged(`${clusterName}-${table.key}`) }, inVpc);
      routeTables[table.key] = rt;
      for (const route of table.routes) {
        new aws.ec2.Route(`${name}-rt-${table.key}-default`, {
          routeTableId: rt.id,
          destinationCidrBlock: route.destinationCidr,
          ...(route.target.kind === "internet-gateway" ? { gatewayId: igw.id } : { natGatewayId: natGateways[route.target.az]!.id }),
        }, { parent: rt });
      }
      for (const azName of table.associatedAzs) {
        const az = plan.azs.find((a) => a.name === azName)!;
        const subnet = (table.tier === "public" ? publicSubnets : privateSubnets)[az.index]!;
        new aws.ec2.RouteTableAssociation(`${name}-rta-${table.tier}-${az.index}`, { routeTableId: rt.id, subnetId: subnet.id }, { parent: rt });
      }
    }
    this.publicRouteTableId = routeTables["public"]!.id;
    this.privateRouteTableIds = plan.azs.map((az) => routeTables[`private-${az.index}`]!.id);

    const nodeSg = new aws.ec2.SecurityGroup(`${name}-nodes-sg`, {
      vpcId: vpc.id,
      description: `canalkit ${clusterName} nodes (${plan.routing.topology})`,
      tags: tagged(`${clusterName}-nodes`, { [`kubernetes.io/cluster/${clusterName}`]: "owned" }),
    }, inVpc);
    const cpSg = new aws.ec2.SecurityGroup(`${name}-cp-sg`, {
      vpcId: vpc.id,
      description: `canalkit ${clusterName} control plane`,
      tags: tagged(`${clusterName}-control-plane`),
    }, inVpc);
    this.nodeSecurityGroupId = nodeSg.id;
    this.controlPlaneSecurityGroupId = cpSg.id;
    const groups = { node: nodeSg, controlPlane: cpSg };
    this.networkResources = [vpc, igw, ...publicSubnets, ...privateSubnets, ...Object.values(natGateways), ...Object.values(routeTables), nodeSg, cpSg];
    for (const rule of plan.securityGroupRules) this.createRule(name, rule, groups, baseTags);

    if (args.flowLogs?.enabled) this.createFlowLogs(name, clusterName, vpc, args.flowLogs, tagged);

    this.registerOutputs({
      ...facts,
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      nodeSecurityGroupId: this.nodeSecurityGroupId,
      controlPlaneSecurityGroupId: this.controlPlaneSecurityGroupId,
      privateRouteTableIds: this.privateRouteTableIds,
      podMtu: this.podMtu,
    });
  }

  private createRule(name: string, rule: SecurityGroupRulePlan, groups: Record<"node" | "controlPlane", aws.ec2.SecurityGroup>, tags: Record<string, string>): void {
    const group = groups[rule.group];
    const common = {
      securityGroupId: group.id,
      ipProtocol: rule.protocol,
      description: rule.description,
      tags: { ...tags, "canalkit.io/purpose": rule.purpose },
      ...(PORTED_PROTOCOLS.has(rule.protocol) ? { fromPort: rule.fromPort, toPort: rule.toPort } : {}),
      ...(rule.peer.kind === "cidr" ? { cidrIpv4: rule.peer.cidr } : { referencedSecurityGroupId: groups[rule.peer.role].id }),
    };
    if (rule.direction === "ingress") {
      new aws.vpc.SecurityGroupIngressRule(`${name}-sgr-${rule.key}`, common, { parent: group });
    } else {
      new aws.vpc.SecurityGroupEgressRule(`${name}-sgr-${rule.key}`, common, { parent: group });
    }
  }

  private createFlowLogs(
    name: string,
    clusterName: string,
    vpc: aws.ec2.Vpc,
    options: NonNullable<ClusterNetworkArgs["flowLogs"]>,
    tagged: (n: string) => Record<string, string>,
  ): void {
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
      name: `/canalkit/${clusterName}/vpc-flow-logs`,
      retentionInDays: options.retentionInDays ?? 30,
      tags: tagged(`${clusterName}-flow-logs`),
    }, { parent: vpc, protect: false });
    const role = new aws.iam.Role(`${name}-flow-logs-role`, {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: tagged(`${clusterName}-flow-logs`),
    }, { parent: vpc, protect: false });
    new aws.iam.RolePolicy(`${name}-flow-logs-policy`, {
      role: role.id,
      policy: logGroup.arn.apply((arn) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"], Resource: [arn, `${arn}:*`] }],
        }),
      ),
    }, { parent: role });
    new aws.ec2.FlowLog(`${name}-flow-log`, {
      vpcId: vpc.id,
      trafficType: options.trafficType ?? "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      tags: tagged(`${clusterName}-flow-log`),
    }, { parent: vpc, protect: false });
  }
}
