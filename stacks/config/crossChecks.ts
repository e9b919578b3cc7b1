/**
 * Rules across the keys of a stack file that no single key's schema can state, checked on the
 * validated config before any resource exists. Every problem names the key exactly as the stack
 * file spells it, the value, and a fix the schema accepts.
 */
import { CanalkitInputError } from "../../components/errors";
import { validateEndpointAccess, validateKubernetesVersion, validateNodeGroups } from "../../components/cluster/validation";
import { endpointWithRunnerDefaults } from "../../components/cluster/apiAccess";
import { labelValueProblem, qualifiedNameProblem } from "../../components/cluster/nodeLabels";
import { availabilityZoneTable, checkAvailabilityZones, checkRegion } from "../../components/network/awsRegions";
import { cidrsOverlap, cidrSize, parseCidr, subBlock } from "../../components/network/cidr";
import { UNDERLAY_MTU } from "../../components/network/mtu";
import { planNetwork } from "../../components/network/planNetwork";
import type { NetworkPlan, PathMtuClass } from "../../components/network/types";
import { eksNetworkFacts } from "../../components/cluster/eksNetworkFacts";
import { underlayClassFor } from "../../components/multicluster/clusterSetNetwork";
import { exportedPortNameProblem, unorderedFailoverConsumers, unorderedFailoverMessage } from "../../components/multicluster/serviceValidation";
import { canalkitPolicies } from "../../policies/rules/index";
import { canalSettings } from "../../components/cni/settings";
import { stackKeyOf } from "./keyPaths";
import { closest, configKeyPath as key } from "./messages";
import type { StackConfig } from "./schema";

/** Where a stack adds AZ names for Regions the kit's table lacks. */
const REGIONS_KEY = "canalkit:awsRegions";
/** DNS-1123 label, the rule Kubernetes applies to Service port names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Addresses AWS keeps in every subnet (network, router, DNS, reserved, broadcast). */
const AWS_RESERVED_PER_SUBNET = 5;
/** Cross-account ENIs EKS may place in the cluster's subnets for the control plane. */
const EKS_CONTROL_PLANE_ENIS = 4;

/** Collects problems instead of stopping at the first, so one run reports them all. */
class Problems {
  readonly list: CanalkitInputError[] = [];
  add(field: string, value: unknown, problem: string, fix: string): void {
    this.list.push(new CanalkitInputError(field, value, problem, fix));
  }
  /** Runs a check that throws `CanalkitInputError`, keeping its error. */
  run(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof CanalkitInputError) this.list.push(e);
      else throw e;
    }
  }
}

/**
 * The underlay MTU class of a cluster: derived from the cluster set's connectivity when the stack
 * has one; an explicit class may only be narrower than the derived one.
 */
export function derivedMtuClass(index: number, config: StackConfig): PathMtuClass {
  const cluster = config.clusters[index]!;
  return config.clusterSet
    ? underlayClassFor(cluster.name, config.clusterSet.connectivity, config.clusters.map((c) => ({ clusterName: c.name, region: c.region })))
    : "intra-vpc";
}

/** Every cross-key problem of a validated stack config (empty when there is none). */
export function crossKeyProblems(config: StackConfig): CanalkitInputError[] {
  const p = new Problems();
  const table = availabilityZoneTable(config.awsRegions);
  const clusterNames = [...new Set(config.clusters.map((c) => c.name))];

  for (const [region, zones] of Object.entries(config.awsRegions)) {
    zones.forEach((zone, j) => {
      if (!zone.startsWith(region) || !/^[a-z]$/.test(zone.slice(region.length))) {
        p.add(`${REGIONS_KEY}.${region}[${j}]`, zone, `is not an availability zone name of ${region}`, `write zone names as the Region plus one letter, for example ${region}a`);
      }
    });
  }

  const plans: (NetworkPlan | undefined)[] = [];
  // Clusters whose own network keys are wrong: their ranges are not compared with others (that
  // would only repeat the same mistake as a knock-on).
  const badNetwork = new Set<number>();
  config.clusters.forEach((c, i) => {
    const at = key(["clusters", i]);
    const first = config.clusters.findIndex((o) => o.name === c.name);
    if (first !== i) p.add(`${at}.name`, c.name, `is also the name of ${key(["clusters", first])}`, "give every cluster a unique name");

    let zones: readonly string[] | undefined;
    p.run(() => {
      zones = checkRegion(`${at}.region`, c.region, table, REGIONS_KEY);
    });
    let azNames: string[] | undefined;
    if (zones && Array.isArray(c.availabilityZones)) {
      const names = c.availabilityZones;
      p.run(() => checkAvailabilityZones(`${at}.availabilityZones`, c.region, names, zones!, REGIONS_KEY));
      const dup = names.findIndex((n, j) => names.indexOf(n) !== j);
      if (dup >= 0) p.add(`${at}.availabilityZones[${dup}]`, names[dup], "is listed twice", `list each zone once, for example availabilityZones: [${zones.slice(0, Math.max(2, new Set(names).size)).join(", ")}]`);
      else azNames = names;
    } else if (zones && typeof c.availabilityZones === "number") {
      if (c.availabilityZones > zones.length) p.add(`${at}.availabilityZones`, c.availabilityZones, `${c.region} has ${zones.length} availability zones (${zones.join(", ")})`, `ask for at most ${zones.length}`);
      // The plan's subnet sizes depend only on the count, so stand-in names do.
      else azNames = zones.slice(0, c.availabilityZones);
    }

    const stated = c.network.pathMtuClass;
    const derived = derivedMtuClass(i, config);
    if (stated && UNDERLAY_MTU[stated] > UNDERLAY_MTU[derived]) {
      p.add(`${at}.network.pathMtuClass`, stated, `allows ${UNDERLAY_MTU[stated]}-byte packets, but ${config.clusterSet!.connectivity} between the set's clusters carries at most ${UNDERLAY_MTU[derived]}`, `remove it (the kit derives ${derived}) or state ${derived}`);
    }

    let plan: NetworkPlan | undefined;
    if (azNames) {
      const names = azNames;
      const before = p.list.length;
      p.run(() => {
        const { flowLogs: _f, ...network } = c.network;
        plan = relabel(at, () => planNetwork({ ...network, pathMtuClass: stated ?? derived, clusterName: c.name, availabilityZones: names }));
      });
      if (p.list.length > before) badNetwork.add(i);
    }
    plans.push(plan);

    const groupsAt = `${at}.eks.nodeGroups`;
    p.run(() => validateKubernetesVersion(`${at}.eks.kubernetesVersion`, c.eks.kubernetesVersion));
    // Public CIDRs default to an internet runner's (canalkit:runner); whether the runner can reach
    // the API server at all is checked by the stack program.
    p.run(() => validateEndpointAccess(`${at}.eks.endpoint`, endpointWithRunnerDefaults(c.eks.endpoint, config.runner)));
    p.run(() => validateNodeGroups(groupsAt, c.eks.nodeGroups, plan?.routing));
    if (plan) {
      // Canal's own checks (interface, node CIDR size, Typha) run now, not after the cluster exists.
      const facts = eksNetworkFacts(plan);
      const { nodePodCidrAllocatorImage, ...cni } = c.cni;
      p.run(() => {
        try {
          canalSettings(facts, { ...cni, ...(plan!.routing.maxNodes !== undefined ? { maxNodes: plan!.routing.maxNodes } : {}), ...(nodePodCidrAllocatorImage ? { overrides: { nodePodCidrAllocator: nodePodCidrAllocatorImage } } : {}) });
        } catch (e) {
          if (!(e instanceof CanalkitInputError)) throw e;
          throw new CanalkitInputError(stackKeyOf(["clusters", i], e.field, config), e.value, e.problem, e.fix);
        }
      });
      // The allocator gives every node its own block of the pod CIDR: all nodes at maxSize need one.
      if (plan.routing.topology !== "ipip-crosssubnet") {
        const perNode = c.cni.nodeCidrPrefixLength ?? 24;
        const podPrefix = parseCidr("podCidr", plan.podCidr).prefix;
        const capacity = 2 ** Math.max(0, perNode - podPrefix);
        const nodes = c.eks.nodeGroups.reduce((n, g) => n + g.maxSize, 0);
        if (perNode >= podPrefix && nodes > capacity) {
          const stated = c.cni.nodeCidrPrefixLength !== undefined;
          p.add(
            stated ? `${at}.cni.nodeCidrPrefixLength` : `${at}.network.podCidr`,
            stated ? perNode : c.network.podCidr,
            `the pod CIDR ${plan.podCidr} holds ${capacity} node block${capacity === 1 ? "" : "s"} of /${perNode}, but the node groups can grow to ${nodes} nodes; nodes past that get no pod CIDR`,
            stated ? `use a longer prefix, for example nodeCidrPrefixLength: ${Math.min(28, podPrefix + Math.ceil(Math.log2(nodes)))}` : `use a larger pod range, for example podCidr: 100.64.0.0/16`,
          );
        }
      }
      const usable = plan.azs.reduce((n, az) => n + Number(cidrSize(parseCidr("subnet", az.privateSubnetCidr))) - AWS_RESERVED_PER_SUBNET, 0);
      const totalMax = c.eks.nodeGroups.reduce((n, g) => n + g.maxSize, 0);
      if (totalMax > usable) {
        const worst = c.eks.nodeGroups.reduce((a, g, j) => (g.maxSize > c.eks.nodeGroups[a]!.maxSize ? j : a), 0);
        p.add(
          `${groupsAt}[${worst}].maxSize`,
          c.eks.nodeGroups[worst]!.maxSize,
          `the node groups can grow to ${totalMax} nodes, but the private subnets of ${c.network.vpcCidr} hold ${usable} addresses (${plan.azs.map((a) => a.privateSubnetCidr).join(", ")}, ${AWS_RESERVED_PER_SUBNET} reserved by AWS in each); nodes past that fail to launch`,
          `lower the maxSize values to ${usable} nodes in total, or give ${at}.network.vpcCidr a larger block (for example a /16)`,
        );
      }
    }
  });

  const set = config.clusterSet;
  if (set) {
    if (!clusterNames.includes(set.controlPlane)) {
      const guess = closest(set.controlPlane, clusterNames);
      p.add("canalkit:clusterSet.controlPlane", set.controlPlane, `is not a cluster of the stack${guess ? ` (did you mean ${guess}?)` : ""}`, `use one of ${clusterNames.join(", ")}`);
    }
    // VPCs must be disjoint, and no pod range may cover a connected peer's VPC: pod traffic to it
    // would stay on the overlay instead of leaving for the peer.
    config.clusters.forEach((b, j) => {
      config.clusters.slice(0, j).forEach((a, i) => {
        if (badNetwork.has(i) || badNetwork.has(j) || !overlap(a.network.vpcCidr, b.network.vpcCidr)) return;
        const free = freeBlock(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], 16, config.clusters.map((c) => c.network.vpcCidr));
        p.add(key(["clusters", j, "network", "vpcCidr"]), b.network.vpcCidr, `overlaps ${a.name}'s VPC ${a.network.vpcCidr} (${key(["clusters", i, "network", "vpcCidr"])}), so routes between the set's VPCs would be ambiguous`, `give ${b.name} a VPC range disjoint from every other cluster's${free ? `, for example vpcCidr: ${free}` : ""}`);
      });
    });
    if (set.connectivity !== "internet") {
      config.clusters.forEach((a, i) => {
        config.clusters.forEach((b, j) => {
          if (i === j || badNetwork.has(i) || badNetwork.has(j) || !overlap(a.network.podCidr, b.network.vpcCidr)) return;
          const taken = config.clusters.flatMap((c) => [c.network.vpcCidr, c.network.serviceCidr]).concat([a.network.vpcCidr]);
          const free = freeBlock(["100.64.0.0/10", "10.0.0.0/8"], 16, taken);
          p.add(key(["clusters", i, "network", "podCidr"]), a.network.podCidr, `overlaps the VPC ${b.network.vpcCidr} of ${b.name}, which ${set.connectivity} connects to ${a.name}; pods of ${a.name} could not reach it`, `use a pod range disjoint from every connected VPC${free ? `, for example podCidr: ${free}` : ""}`);
        });
      });
    }
    checkServices(p, config, clusterNames);
  }

  const policyNames = canalkitPolicies.map((x) => x.name);
  for (const name of Object.keys(config.policy.overrides)) {
    if (policyNames.includes(name)) continue;
    const guess = closest(name, policyNames) ?? closest(`canalkit-${name}`, policyNames);
    p.add(key(["policy", "overrides", name]), config.policy.overrides[name], `names no policy of the pack${guess ? ` (did you mean ${guess}?)` : ""}, so it would change nothing`, guess ? `rename it to ${guess}` : `use a policy name from docs/policies.md, for example ${policyNames[0]}`);
  }

  for (const t of ["environment", "owner", "canalkit.io/stack"]) {
    if (t in config.tags) p.add(key(["tags", t]), config.tags[t], "is set by the kit on every resource (from the stack), so this value would be overwritten", `remove it${t === "canalkit.io/stack" ? "" : `; set canalkit:${t} instead`}`);
  }
  for (const t of Object.keys(config.tags)) {
    if (t.toLowerCase().startsWith("aws:")) p.add(key(["tags", t]), config.tags[t], "uses the aws: prefix, which AWS reserves for its own tags", "choose a key without the aws: prefix");
  }
  return p.list;
}

function overlap(a: string, b: string): boolean {
  try {
    return cidrsOverlap(parseCidr("a", a), parseCidr("b", b));
  } catch {
    return false; // malformed CIDRs are reported by the network planner, with their own key
  }
}

/** The first /prefix block inside one of `ranges` that overlaps none of `taken`, for suggestions. */
function freeBlock(ranges: string[], prefix: number, taken: string[]): string | undefined {
  for (const within of ranges) {
    const outer = parseCidr("within", within);
    const count = 2 ** (prefix - outer.prefix);
    for (let i = 0; i < count; i++) {
      const text = subBlock(outer, prefix, i)!.text;
      if (!taken.some((t) => overlap(t, text))) return text;
    }
  }
  return undefined;
}

/** Re-labels a planner's relative field (`network.podCidr`) with the cluster's key in the file. */
function relabel<T>(at: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof CanalkitInputError)) throw e;
    const field = e.field === "network.availabilityZones" ? "availabilityZones" : e.field;
    throw new CanalkitInputError(`${at}.${field}`, e.value, e.problem, e.fix);
  }
}

type ServiceConfig = NonNullable<StackConfig["clusterSet"]>["services"][number];

/** Multi-cluster services: unique, their clusters exist, ports nameable and exportable, weights sane. */
function checkServices(p: Problems, config: StackConfig, clusterNames: string[]): void {
  const services = config.clusterSet!.services;
  const clusterRef = (field: string, name: string) => {
    if (clusterNames.includes(name)) return;
    const guess = closest(name, clusterNames);
    p.add(field, name, `is not a cluster of the stack${guess ? ` (did you mean ${guess}?)` : ""}`, `use one of ${clusterNames.join(", ")}`);
  };
  services.forEach((s: ServiceConfig, i) => {
    const at = key(["clusterSet", "services", i]);
    const first = services.findIndex((o) => o.name === s.name && o.namespace === s.namespace);
    if (first !== i) p.add(`${at}.name`, s.name, `declares ${s.namespace}/${s.name} again (also ${key(["clusterSet", "services", first])}); both would create the same Kubernetes objects`, `merge the two entries into one, or give this one another name`);

    s.exporters.forEach((e, j) => {
      clusterRef(`${at}.exporters[${j}].cluster`, e.cluster);
      const k = s.exporters.findIndex((o) => o.cluster === e.cluster);
      if (k !== j) p.add(`${at}.exporters[${j}].cluster`, e.cluster, `is already exporters[${k}]`, "list each exporting cluster once");
    });
    s.consumers.forEach((c, j) => {
      clusterRef(`${at}.consumers[${j}]`, c);
      const k = s.consumers.indexOf(c);
      if (k !== j) p.add(`${at}.consumers[${j}]`, c, `is already consumers[${k}]`, "list each consuming cluster once");
    });

    const multi = s.ports.length > 1;
    s.ports.forEach((port, j) => {
      const pat = `${at}.ports[${j}]`;
      if (multi && port.name === undefined) p.add(`${pat}.name`, undefined, `is missing: Kubernetes requires a name on every port of a Service with more than one port (${s.ports.map((x) => x.port).join(", ")})`, `add name: port-${port.port} (a lowercase DNS label, unique among the ports)`);
      if (port.name !== undefined && !DNS_LABEL.test(port.name)) p.add(`${pat}.name`, port.name, "is not a Kubernetes port name (a lowercase DNS label: letters, digits and '-')", `write it as ${port.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || `port-${port.port}`}`);
      const dupName = s.ports.findIndex((o) => o.name !== undefined && o.name === port.name);
      if (port.name !== undefined && dupName !== j) p.add(`${pat}.name`, port.name, `is also the name of ports[${dupName}]`, "give every port its own name");
      const notHttp = exportedPortNameProblem(port.name, port.port);
      if (notHttp) p.add(`${pat}.name`, port.name, notHttp.problem, notHttp.fix);
      const dupPort = s.ports.findIndex((o) => o.port === port.port);
      if (dupPort !== j) {
        const protocols = `${s.ports[dupPort]!.protocol ?? "TCP"} and ${port.protocol ?? "TCP"}`;
        p.add(`${pat}.port`, port.port, `repeats ports[${dupPort}].port (${protocols}); ErieCanal exports a service per port number at /${s.namespace}/${s.name}/${port.port}, so both would claim the same gateway path`, `export each port number once: remove ports[${j}], or give it a port number of its own`);
      }
    });

    if (s.selector) {
      for (const [k, v] of Object.entries(s.selector)) {
        const entry = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `${at}.selector.${k}` : `${at}.selector[${JSON.stringify(k)}]`;
        const problem = qualifiedNameProblem(k) ?? labelValueProblem(v);
        if (problem) p.add(entry, qualifiedNameProblem(k) ? k : v, `the selector ${problem}`, "use label keys and values as the pods carry them, for example app: echo");
      }
    }

    const weighted = s.exporters.map((e, j) => [e, j] as const).filter(([e]) => e.weight !== undefined);
    if (s.mode !== "ActiveActive" && weighted.length > 0) {
      const [, j] = weighted[0]!;
      p.add(`${at}.exporters[${j}].weight`, s.exporters[j]!.weight, `only applies to ActiveActive, but ${s.name} is ${s.mode}`, s.mode === "FailOver" ? "remove the weights and list the exporters in order of preference" : "remove the weights, or use mode ActiveActive");
    }
    if (s.mode === "ActiveActive" && weighted.length > 0) {
      s.exporters.forEach((e, j) => {
        if (e.weight === undefined) p.add(`${at}.exporters[${j}].weight`, undefined, `is missing while other exporters have weights, so ${e.cluster} would get no traffic`, `give ${e.cluster} a weight, for example weight: ${weighted[0]![0].weight || 50}, or remove every weight for an even split`);
      });
      if (weighted.every(([e]) => e.weight === 0)) p.add(`${at}.exporters[${weighted[0]![1]}].weight`, 0, "is 0 like every other weight, so no exporter would get traffic", "give the exporters positive weights, for example 50 each, or remove every weight for an even split");
    }
    if (s.mode === "FailOver") {
      const order = s.exporters.map((e) => e.cluster);
      for (const c of unorderedFailoverConsumers(s.consumers, order, order)) {
        const { problem, fix } = unorderedFailoverMessage(`${s.namespace}/${s.name}`, order, `add ${c} to exporters`);
        p.add(`${at}.consumers[${s.consumers.indexOf(c)}]`, c, problem, fix);
      }
    }
    if (s.localityTarget !== undefined) {
      if (s.mode !== "Locality") p.add(`${at}.localityTarget`, s.localityTarget, `only applies to mode Locality, but ${s.name} is ${s.mode}`, "remove localityTarget, or use mode Locality");
      else if (!s.exporters.some((e) => e.cluster === s.localityTarget)) p.add(`${at}.localityTarget`, s.localityTarget, "is not one of the service's exporters", `use one of ${s.exporters.map((e) => e.cluster).join(", ")}`);
    }
  });
}

/**
 * Risks that do not stop the stack but deserve a word: private subnets that hold every node at
 * `maxSize` but not the extra nodes a managed node-group update launches (EKS raises a group by up
 * to twice its number of AZs while it replaces nodes) plus the ENIs EKS and the internal gateway
 * load balancers place there. Past that, updates stall at full scale; the stack still deploys.
 */
export function stackConfigWarnings(config: StackConfig): string[] {
  const warnings: string[] = [];
  config.clusters.forEach((c, i) => {
    const azCount = Array.isArray(c.availabilityZones) ? c.availabilityZones.length : c.availabilityZones;
    const zones = availabilityZoneTable(config.awsRegions)[c.region];
    if (!zones) return;
    let plan: NetworkPlan;
    try {
      const { flowLogs: _f, ...network } = c.network;
      plan = planNetwork({ ...network, clusterName: c.name, availabilityZones: zones.slice(0, azCount) });
    } catch {
      return;
    }
    const usable = plan.azs.reduce((n, az) => n + Number(cidrSize(parseCidr("subnet", az.privateSubnetCidr))) - AWS_RESERVED_PER_SUBNET, 0);
    const totalMax = c.eks.nodeGroups.reduce((n, g) => n + g.maxSize, 0);
    const surge = 2 * azCount;
    const reserved = EKS_CONTROL_PLANE_ENIS + (config.clusterSet ? azCount : 0);
    if (totalMax <= usable && totalMax + surge + reserved > usable) {
      warnings.push(
        `${key(["clusters", i, "network", "vpcCidr"])} = "${c.network.vpcCidr}": its private subnets hold ${usable} addresses; the node groups at maxSize (${totalMax}) plus a node-group update's extra nodes (up to ${surge}) and EKS/load-balancer interfaces (${reserved}) need ${totalMax + surge + reserved}, so an update at full scale would stall. Fix: a larger vpcCidr, or lower maxSize to ${Math.max(1, usable - surge - reserved)} nodes in total.`,
      );
    }
  });
  return warnings;
}
