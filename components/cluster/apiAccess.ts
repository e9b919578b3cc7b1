/**
 * How the machine running `pulumi up` reaches a cluster's API server. The Kubernetes provider and
 * the controllers run on that machine, so a cluster it cannot reach fails the first deploy after
 * the control plane exists (pulumi-eks#1134). This planner decides the endpoint settings from
 * where the runner is, and refuses combinations that cannot work, before anything is created.
 */
import { CanalkitInputError } from "../errors";
import { cidrContains, parseCidr } from "../network/cidr";
import { validateEndpointAccess, type EndpointAccess } from "./validation";

/** Where `pulumi up` runs. */
export interface RunnerLocation {
  /** `internet`: reaches public endpoints from `cidrs`; `vpc`: routed into the clusters' VPCs. */
  location: "internet" | "vpc";
  /** Public egress ranges (internet) or the runner network's private ranges (vpc). */
  cidrs: string[];
}

/** The endpoint settings and the path the runner takes. */
export interface ApiAccessPlan {
  /** Endpoint settings for the EKS cluster. */
  endpoint: { private: boolean; public: boolean; publicAccessCidrs: string[] };
  /** The endpoint the runner uses. */
  via: "public-endpoint" | "private-endpoint";
  /** Ranges the control-plane security group must admit on TCP 443 (runner in a VPC), else empty. */
  privateClientCidrs: string[];
  /** One line for synth's summary and the stack outputs. */
  description: string;
}

/** The endpoint settings with a public endpoint's CIDRs defaulting to an internet runner's. */
export function endpointWithRunnerDefaults(access: EndpointAccess, runner: RunnerLocation | undefined): EndpointAccess {
  const fill = (access.public ?? false) && (access.publicAccessCidrs ?? []).length === 0 && runner?.location === "internet";
  return fill ? { ...access, publicAccessCidrs: runner.cidrs } : access;
}

/**
 * Plans API access for one cluster. `field` is the endpoint's key path (for errors), `runnerField`
 * the runner's. Without a runner, a public endpoint limited to named CIDRs is taken as the path.
 */
export function planApiAccess(field: string, access: EndpointAccess, runner: RunnerLocation | undefined, runnerField = "canalkit:runner"): ApiAccessPlan {
  runner?.cidrs.forEach((c, i) => parseCidr(`${runnerField}.cidrs[${i}]`, c));
  const endpoint = validateEndpointAccess(field, endpointWithRunnerDefaults(access, runner));
  endpoint.publicAccessCidrs.forEach((c, i) => c === "0.0.0.0/0" || parseCidr(`${field}.publicAccessCidrs[${i}]`, c));
  if (!runner) {
    if (!endpoint.public) {
      throw new CanalkitInputError(
        `${field}.public`,
        false,
        "the API server would be private only, and nothing says how the machine running pulumi up reaches it (the Kubernetes provider and the controllers run there)",
        `either set ${field}.public: true with publicAccessCidrs listing the runner's egress ranges, or declare ${runnerField}: { location: vpc, cidrs: [<runner network>] } for a runner inside a network routed to the VPC`,
      );
    }
    return { endpoint, via: "public-endpoint", privateClientCidrs: [], description: `public endpoint from ${endpoint.publicAccessCidrs.join(", ")}` };
  }
  if (runner.location === "internet") {
    if (!endpoint.public) {
      throw new CanalkitInputError(
        `${field}.public`,
        false,
        `${runnerField}.location is internet, but this API server has no public endpoint`,
        `set ${field}.public: true (publicAccessCidrs default to ${runnerField}.cidrs), or run pulumi up inside a network routed to the VPC and set ${runnerField}.location: vpc`,
      );
    }
    const open = endpoint.publicAccessCidrs.includes("0.0.0.0/0");
    const outside = runner.cidrs.filter((r) => !open && !endpoint.publicAccessCidrs.some((c) => cidrContains(parseCidr(field, c), parseCidr(runnerField, r))));
    if (outside.length > 0) {
      throw new CanalkitInputError(
        `${field}.publicAccessCidrs`,
        endpoint.publicAccessCidrs,
        `does not admit the runner's ${outside.join(", ")} (${runnerField}.cidrs)`,
        `add ${outside.join(", ")} to ${field}.publicAccessCidrs, or leave publicAccessCidrs out to use ${runnerField}.cidrs`,
      );
    }
    return { endpoint, via: "public-endpoint", privateClientCidrs: [], description: `public endpoint from ${endpoint.publicAccessCidrs.join(", ")} (runner on the internet)` };
  }
  if (!endpoint.private) {
    throw new CanalkitInputError(`${field}.private`, false, `${runnerField}.location is vpc, but this API server has no private endpoint`, `set ${field}.private: true`);
  }
  if (endpoint.public) {
    // With both endpoints on, the API server's name resolves to the public addresses outside the
    // cluster's own VPC, so a runner in a peered network would not take the private path.
    throw new CanalkitInputError(
      `${field}.public`,
      true,
      `${runnerField}.location is vpc, but with the public endpoint on, the API server's name resolves to public addresses outside the cluster's VPC, so the runner would not use the private endpoint`,
      `set ${field}.public: false, or declare the runner's public egress addresses with ${runnerField}.location: internet`,
    );
  }
  return { endpoint, via: "private-endpoint", privateClientCidrs: [...runner.cidrs], description: `private endpoint from the runner network ${runner.cidrs.join(", ")} (TCP 443 admitted; routes and DNS as in README)` };
}
