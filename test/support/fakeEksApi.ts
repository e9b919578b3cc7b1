/**
 * A local EKS API server for tests of code that calls EKS through the AWS SDK v3. It speaks the
 * REST-JSON protocol for the add-on calls `DefaultCniRemoval` makes — DescribeAddon
 * (`GET /clusters/{name}/addons/{addon}`) and DeleteAddon (`DELETE …?preserve=`) — and is strict
 * where the controller depends on it: requests must be SigV4-signed for service `eks`; an unknown
 * cluster or add-on is `ResourceNotFoundException` (404); a deleted add-on goes `DELETING`, then
 * is gone (after `deletingLooks` DescribeAddon calls, or when the test calls `finishDeleting`);
 * DeleteAddon of an add-on already `DELETING` is refused (`InvalidRequestException`, "invalid
 * given the state": the strictest reading, so a blind second delete fails here); without
 * `preserve=true` the add-on's Kubernetes objects are removed (`onAddonDeleted`). Plus injected
 * faults, lost answers (the call is served, the connection closes before the answer) and a log.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** An add-on as EKS stores it. */
export interface FakeAddon {
  status: "ACTIVE" | "DELETING" | "DELETE_FAILED" | "DEGRADED";
  addonVersion: string;
  /** Set by DeleteAddon: whether the add-on's objects are to be kept in the cluster. */
  preserve?: boolean;
  /** DescribeAddon calls answered since the deletion began. */
  looksWhileDeleting: number;
  issues: { code: string; message: string }[];
}

/** A logged call. */
export interface EksCall {
  operation: "DescribeAddon" | "DeleteAddon" | "Unknown";
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The request's `Authorization` header (SigV4: names the access key and the scope). */
  authorization?: string;
}

/** The fake EKS endpoint. */
export class FakeEksApi {
  readonly calls: EksCall[] = [];
  /** Add-ons per cluster name (a cluster with no add-ons is an empty map; an absent key is no cluster). */
  readonly clusters = new Map<string, Map<string, FakeAddon>>();
  /** DescribeAddon looks after which a `DELETING` add-on is gone; `Infinity`: only `finishDeleting` ends it. */
  deletingLooks = 2;
  /** Called when an add-on is gone: EKS deletes what it installed unless it was deleted with `preserve`. */
  onAddonDeleted?: (cluster: string, addon: string, preserve: boolean) => void;
  /** When set, a deletion fails with these health issues (`DELETE_FAILED` at the next DescribeAddon). */
  deletionFails?: FakeAddon["issues"];
  private faults: { operation: string; status: number; type: string; times: number }[] = [];
  private lost: { operation: string; times: number }[] = [];
  private server?: http.Server;

  /** The region the endpoint serves (requests signed for another region are refused). */
  constructor(readonly region = "us-east-1") {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Adds a cluster, optionally with a `vpc-cni` add-on in the given status. */
  addCluster(name: string, vpcCni?: FakeAddon["status"]): void {
    const addons = new Map<string, FakeAddon>();
    if (vpcCni) addons.set("vpc-cni", { status: vpcCni, addonVersion: "v1.19.2-eksbuild.1", looksWhileDeleting: 0, issues: [] });
    this.clusters.set(name, addons);
  }

  /** Fails the next `times` calls of `operation` with an EKS error. */
  injectFault(operation: string, status: number, type: string, times = 1): void {
    this.faults.push({ operation, status, type, times });
  }

  /** The next `times` calls of `operation` are served, but the answer never reaches the client. */
  loseAnswer(operation: string, times = 1): void {
    this.lost.push({ operation, times });
  }

  /** A `DELETING` add-on finishes: it is gone, and (without `preserve`) so are its objects. */
  finishDeleting(cluster: string, addon: string): void {
    const state = this.clusters.get(cluster)?.get(addon);
    if (!state || state.status !== "DELETING") return;
    this.clusters.get(cluster)!.delete(addon);
    this.onAddonDeleted?.(cluster, addon, state.preserve ?? false);
  }

  /** A `DELETING` add-on fails to delete, with the health issues EKS reports. */
  failDeleting(cluster: string, addon: string, issues: FakeAddon["issues"]): void {
    const state = this.clusters.get(cluster)?.get(addon);
    if (state) Object.assign(state, { status: "DELETE_FAILED", issues });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    for await (const _ of req) void _;
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const query = Object.fromEntries(url.searchParams);
    const match = /^\/clusters\/([^/]+)\/addons\/([^/]+)$/.exec(url.pathname);
    const operation: EksCall["operation"] = match && method === "GET" ? "DescribeAddon" : match && method === "DELETE" ? "DeleteAddon" : "Unknown";
    const lost = this.lost.find((l) => l.times > 0 && l.operation === operation);
    if (lost) lost.times -= 1;
    const answer = (status: number, body: unknown, errorType?: string) => {
      this.calls.push({ operation, method, path: url.pathname, query, status, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      if (lost) {
        req.socket.destroy();
        return;
      }
      res.writeHead(status, { "Content-Type": "application/json", ...(errorType ? { "x-amzn-ErrorType": `${errorType}:http://internal.amazon.com/coral/com.amazonaws.eks/` } : {}) });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, type: string, message: string, extra: Record<string, string> = {}) => answer(status, { message, ...extra }, type);
    // SigV4 for this region and service, as the real endpoint requires.
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? "");
    if (!scope) return fail(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
    if (scope[1] !== this.region || scope[2] !== "eks") return fail(403, "InvalidSignatureException", `Credential should be scoped to a valid region and service eks, not '${scope[1]}/${scope[2]}'.`);
    const fault = this.faults.find((f) => f.times > 0 && f.operation === operation);
    if (fault) {
      fault.times -= 1;
      return fail(fault.status, fault.type, `injected ${fault.type}`);
    }
    if (!match) return fail(404, "UnknownOperationException", `no operation for ${method} ${url.pathname}`);
    const [clusterName, addonName] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
    const addons = this.clusters.get(clusterName);
    if (!addons) return fail(404, "ResourceNotFoundException", `No cluster found for name: ${clusterName}.`, { clusterName });
    const addon = addons.get(addonName);
    if (!addon) return fail(404, "ResourceNotFoundException", `No addon: ${addonName} found in cluster: ${clusterName}`, { clusterName, addonName });
    if (query["preserve"] !== undefined && !["true", "false"].includes(query["preserve"])) return fail(400, "InvalidParameterException", `preserve must be true or false`);
    const view = () => ({
      addon: {
        addonName,
        clusterName,
        status: addon.status,
        addonVersion: addon.addonVersion,
        addonArn: `arn:aws:eks:${this.region}:111122223333:addon/${clusterName}/${addonName}/fake`,
        health: { issues: addon.issues.map((i) => ({ code: i.code, message: i.message, resourceIds: [] })) },
        createdAt: 1_700_000_000,
        modifiedAt: 1_700_000_000,
        tags: {},
      },
    });
    if (operation === "DeleteAddon") {
      if (addon.status === "DELETING") return fail(400, "InvalidRequestException", `Addon ${addonName} is already being deleted in cluster ${clusterName}`, { clusterName, addonName });
      Object.assign(addon, { status: "DELETING", preserve: query["preserve"] === "true", looksWhileDeleting: 0, issues: [] });
      return answer(200, view());
    }
    if (addon.status === "DELETING" && this.deletionFails) this.failDeleting(clusterName, addonName, this.deletionFails);
    if (addon.status === "DELETING" && ++addon.looksWhileDeleting > this.deletingLooks) {
      this.finishDeleting(clusterName, addonName);
      return fail(404, "ResourceNotFoundException", `No addon: ${addonName} found in cluster: ${clusterName}`, { clusterName, addonName });
    }
    return answer(200, view());
  }
}
