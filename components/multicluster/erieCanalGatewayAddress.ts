/**
 * `GatewayAddress`: waits during `pulumi up` until a member's gateway host resolves, because
 * ErieCanal's `Cluster` admission (flomesh-io/ErieCanal@v0.1.3 pkg/webhooks/cluster/cluster_webhook.go)
 * refuses a `gatewayHost` that is neither an IPv4 address nor a DNS name resolving to one, and an
 * NLB's name exists minutes before it resolves. The `Cluster` takes its host from this resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { ControllerResource } from "../controllers/engineLoader";

/** Bumped whenever what the check accepts changes. */
export const GATEWAY_ADDRESS_VERSION = "gateway-address/1";

/** Inputs as the provider receives them (resolved). */
export interface GatewayAddressInputs {
  memberName: string;
  host: string;
  timeoutSeconds: number;
  pollSeconds: number;
  controllerVersion: string;
}

/** Outputs: the inputs and the IPv4 addresses the host resolved to. */
export interface GatewayAddressOutputs extends GatewayAddressInputs {
  addresses: string[];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether an IPv4 address is one the webhook refuses (loopback or unspecified). */
function unusable(ip: string): boolean {
  return ip.startsWith("127.") || ip === "0.0.0.0";
}

/** How the webhook classifies a host: an IPv4 literal, a DNS name, or neither (refused outright). */
export function classifyGatewayHost(host: string): "ipv4" | "dns" | "invalid" {
  if (IPV4.test(host)) return "ipv4";
  return host.length <= 253 && DNS1123_SUBDOMAIN.test(host) ? "dns" : "invalid";
}

/** What the waiting needs from the world; injectable so tests drive it without the network or a clock. */
export interface GatewayAddressWorld {
  /** IPv4 addresses of a name (rejects or returns [] when it does not resolve). */
  resolve4(host: string): Promise<string[]>;
  /** Waits between attempts. */
  sleep(seconds: number): Promise<void>;
}

const realWorld: GatewayAddressWorld = {
  async resolve4(host) {
    // Loaded inside the call, only in the engine's provider process that resolves.
    const dns = require("node:dns") as typeof import("node:dns");
    const found = await dns.promises.lookup(host, { family: 4, all: true });
    return found.map((a) => a.address);
  },
  sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
};

/**
 * Resolves the host as the webhook does, attempt after attempt (`timeoutSeconds / pollSeconds`
 * of them), until it gives a usable IPv4 address; fails naming the host and what was seen.
 */
export async function waitForGatewayAddress(inputs: Pick<GatewayAddressInputs, "memberName" | "host" | "timeoutSeconds" | "pollSeconds">, world: GatewayAddressWorld = realWorld): Promise<string[]> {
  const kind = classifyGatewayHost(inputs.host);
  if (kind === "invalid") throw new Error(`GatewayAddress ${inputs.memberName}: gatewayHost "${inputs.host}" is neither an IPv4 address nor a DNS name; ErieCanal refuses it`);
  if (kind === "ipv4") {
    if (unusable(inputs.host)) throw new Error(`GatewayAddress ${inputs.memberName}: gatewayHost ${inputs.host} is a loopback or unspecified address; ErieCanal refuses it`);
    return [inputs.host];
  }
  const attempts = Math.max(1, Math.floor(inputs.timeoutSeconds / inputs.pollSeconds) + 1);
  let seen = "no answer";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const usable = (await world.resolve4(inputs.host)).filter((ip) => IPV4.test(ip) && !unusable(ip));
      if (usable.length > 0) return usable;
      seen = "no usable IPv4 address";
    } catch (error) {
      seen = (error as Error).message.split("\n")[0] ?? "lookup failed";
    }
    if (attempt < attempts) await world.sleep(inputs.pollSeconds);
  }
  throw new Error(
    `GatewayAddress ${inputs.memberName}: the gateway host ${inputs.host} did not resolve to an IPv4 address within ${inputs.timeoutSeconds}s (last: ${seen}); ` +
      `ErieCanal's Cluster admission would refuse it. Check the gateway Service's load balancer, or raise the wait (ClusterSet gatewayDnsWait).`,
  );
}

/** The dynamic provider. */
export const gatewayAddressProvider: pulumi.dynamic.ResourceProvider<GatewayAddressInputs, GatewayAddressOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (typeof news.host !== "string" || news.host === "") failures.push({ property: "host", reason: "host is required" });
    if (!(news.timeoutSeconds > 0 && news.timeoutSeconds <= 3600)) failures.push({ property: "timeoutSeconds", reason: `timeoutSeconds = ${news.timeoutSeconds}: must be from 1 to 3600` });
    if (!(news.pollSeconds > 0 && news.pollSeconds <= news.timeoutSeconds)) failures.push({ property: "pollSeconds", reason: `pollSeconds = ${news.pollSeconds}: must be positive and at most timeoutSeconds` });
    return { inputs: news, failures };
  },
  async diff(_id, olds: GatewayAddressOutputs, news) {
    const changed = olds.host !== news.host || olds.controllerVersion !== news.controllerVersion || olds.memberName !== news.memberName;
    return { changes: changed, replaces: [] };
  },
  async create(inputs) {
    const addresses = await waitForGatewayAddress(inputs);
    return { id: inputs.host, outs: { ...inputs, addresses } };
  },
  async update(_id, _olds, news) {
    return { outs: { ...news, addresses: await waitForGatewayAddress(news) } };
  },
  async delete() {
    // Nothing to undo: this only waited.
  },
};

/** Inputs of `GatewayAddress`. */
export interface GatewayAddressArgs {
  memberName: pulumi.Input<string>;
  /** The gateway's host (the NLB's DNS name). */
  host: pulumi.Input<string>;
  /** How long to wait. Default 600 (NLB names take minutes to resolve). */
  timeoutSeconds?: pulumi.Input<number>;
  /** How often to look. Default 10. */
  pollSeconds?: pulumi.Input<number>;
}

/** Waits during `pulumi up` until a gateway host resolves as ErieCanal's Cluster admission needs. */
export class GatewayAddress extends ControllerResource {
  /** The host, once it resolves. */
  declare readonly host: pulumi.Output<string>;
  declare readonly addresses: pulumi.Output<string[]>;

  constructor(name: string, args: GatewayAddressArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "GatewayAddress",
      name,
      { ...args, timeoutSeconds: args.timeoutSeconds ?? 600, pollSeconds: args.pollSeconds ?? 10, controllerVersion: GATEWAY_ADDRESS_VERSION, addresses: undefined },
      opts,
    );
  }
}
