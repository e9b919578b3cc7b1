/**
 * A local EC2 API server for tests of code that calls EC2 through the AWS SDK v3. It speaks the EC2
 * query protocol (form-encoded `Action=…` requests, XML answers) for the calls the route
 * controller makes — DescribeInstances, DescribeRouteTables (both paged with MaxResults /
 * NextToken), CreateRoute, ReplaceRoute, DeleteRoute — and enforces what matters: one route per
 * destination (`RouteAlreadyExists`), `InvalidRoute.NotFound`, the per-table route quota
 * (`RouteLimitExceeded`), unknown ids (listed ids fail the call; `Filter` values just match
 * nothing, as EC2 does), a route's target interface must exist
 * (`InvalidNetworkInterfaceID.NotFound`) and a route whose interface is gone is reported as
 * `blackhole`; plus injected faults, lost answers (the write happens, the connection closes
 * before the answer) and a request log.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A route as EC2 stores it. */
export interface FakeRoute {
  destinationCidrBlock: string;
  networkInterfaceId?: string;
  gatewayId?: string;
  origin: "CreateRouteTable" | "CreateRoute";
}

/** A logged call. */
export interface Ec2Call {
  action: string;
  params: Record<string, string>;
  status: number;
  /** The request's `Authorization` header (SigV4: names the access key and the scope). */
  authorization?: string;
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The fake EC2 endpoint. */
export class FakeEc2Api {
  readonly calls: Ec2Call[] = [];
  readonly routeTables = new Map<string, FakeRoute[]>();
  readonly instances = new Map<string, { primaryEni: string; privateIp: string }>();
  /** Interfaces that exist besides the instances' primary ones (routes may target them). */
  readonly networkInterfaces = new Set<string>();
  /** Called before an action is served: lets a test act as a concurrent writer at that moment. */
  beforeAction?: (action: string, params: Record<string, string>) => void;
  routeQuota = 50;
  /** Page size the server uses when the client asks for more (forces paging in tests). */
  pageSize = 2;
  private faults: { action: string; status: number; code: string; times: number }[] = [];
  private lost: { action: string; times: number }[] = [];
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Fails the next `times` calls of `action` with an EC2 error. */
  injectFault(action: string, status: number, code: string, times = 1): void {
    this.faults.push({ action, status, code, times });
  }

  /** The next `times` calls of `action` are served, but the answer never reaches the client. */
  loseAnswer(action: string, times = 1): void {
    this.lost.push({ action, times });
  }

  /** Whether an interface exists (a primary interface of a known instance, or a listed one). */
  interfaceExists(eni: string): boolean {
    return this.networkInterfaces.has(eni) || [...this.instances.values()].some((i) => i.primaryEni === eni);
  }

  /** Calls that changed something. */
  writes(): Ec2Call[] {
    return this.calls.filter((c) => /^(Create|Replace|Delete)Route$/.test(c.action) && c.status === 200);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    const action = params["Action"] ?? "";
    const lost = this.lost.find((l) => l.times > 0 && l.action === action);
    if (lost) lost.times -= 1;
    this.beforeAction?.(action, params);
    const answer = (status: number, xml: string) => {
      this.calls.push({ action, params, status, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      if (lost) {
        req.socket.destroy();
        return;
      }
      res.writeHead(status, { "Content-Type": "text/xml;charset=UTF-8" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    };
    const fail = (status: number, code: string, message: string) =>
      answer(status, `<Response><Errors><Error><Code>${code}</Code><Message>${escape(message)}</Message></Error></Errors><RequestID>req-fake</RequestID></Response>`);
    const ok = (body: string) => answer(200, `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-fake</requestId>${body}</${action}Response>`);
    const fault = this.faults.find((f) => f.times > 0 && f.action === action);
    if (fault) {
      fault.times -= 1;
      return fail(fault.status, fault.code, `injected ${fault.code}`);
    }
    const list = (prefix: string) => Object.entries(params).filter(([k]) => new RegExp(`^${prefix}\\.\\d+$`).test(k)).map(([, v]) => v);
    /** Values of the `Filter.N` named `name`, or undefined when there is no such filter. */
    const filter = (name: string): string[] | undefined => {
      const n = Object.entries(params).find(([k, v]) => /^Filter\.\d+\.Name$/.test(k) && v === name)?.[0].split(".")[1];
      return n === undefined ? undefined : list(`Filter\\.${n}\\.Value`);
    };
    const page = <T>(items: T[]) => {
      const start = Number(params["NextToken"] ?? "0");
      const size = Math.min(Number(params["MaxResults"] ?? "1000"), this.pageSize);
      const next = start + size < items.length ? `<nextToken>${start + size}</nextToken>` : "";
      return { items: items.slice(start, start + size), next };
    };
    switch (action) {
      case "DescribeInstances": {
        const ids = list("InstanceId");
        const unknown = ids.find((id) => !this.instances.has(id));
        if (unknown) return fail(400, "InvalidInstanceID.NotFound", `The instance ID '${unknown}' does not exist`);
        const wanted = filter("instance-id");
        const { items, next } = page(ids.length ? ids : [...this.instances.keys()].filter((id) => !wanted || wanted.includes(id)));
        const xml = items
          .map((id) => {
            const i = this.instances.get(id)!;
            return `<item><reservationId>r-${id}</reservationId><instancesSet><item><instanceId>${id}</instanceId><privateIpAddress>${i.privateIp}</privateIpAddress><networkInterfaceSet><item><networkInterfaceId>${i.primaryEni}</networkInterfaceId><attachment><deviceIndex>0</deviceIndex></attachment></item></networkInterfaceSet></item></instancesSet></item>`;
          })
          .join("");
        return ok(`<reservationSet>${xml}</reservationSet>${next}`);
      }
      case "DescribeRouteTables": {
        const ids = list("RouteTableId");
        const unknown = ids.find((id) => !this.routeTables.has(id));
        if (unknown) return fail(400, "InvalidRouteTableID.NotFound", `The routeTable ID '${unknown}' does not exist`);
        const wanted = filter("route-table-id");
        const { items, next } = page(ids.length ? ids : [...this.routeTables.keys()].filter((id) => !wanted || wanted.includes(id)));
        const xml = items
          .map((id) => {
            const routes = this.routeTables
              .get(id)!
              .map((r) => {
                // A route whose interface was deleted stays, reported as a blackhole.
                const state = r.networkInterfaceId && !this.interfaceExists(r.networkInterfaceId) ? "blackhole" : "active";
                return `<item><destinationCidrBlock>${r.destinationCidrBlock}</destinationCidrBlock>${r.networkInterfaceId ? `<networkInterfaceId>${r.networkInterfaceId}</networkInterfaceId>` : ""}${r.gatewayId ? `<gatewayId>${r.gatewayId}</gatewayId>` : ""}<state>${state}</state><origin>${r.origin}</origin></item>`;
              })
              .join("");
            return `<item><routeTableId>${id}</routeTableId><routeSet>${routes}</routeSet></item>`;
          })
          .join("");
        return ok(`<routeTableSet>${xml}</routeTableSet>${next}`);
      }
      case "CreateRoute":
      case "ReplaceRoute":
      case "DeleteRoute": {
        const table = this.routeTables.get(params["RouteTableId"] ?? "");
        if (!table) return fail(400, "InvalidRouteTableID.NotFound", `The routeTable ID '${params["RouteTableId"]}' does not exist`);
        const destination = params["DestinationCidrBlock"] ?? "";
        const index = table.findIndex((r) => r.destinationCidrBlock === destination);
        const eni = params["NetworkInterfaceId"];
        if (action !== "DeleteRoute" && eni !== undefined && !this.interfaceExists(eni)) {
          return fail(400, "InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${eni}' does not exist`);
        }
        if (action === "CreateRoute") {
          if (index >= 0) return fail(400, "RouteAlreadyExists", `The route identified by ${destination} already exists.`);
          if (table.length >= this.routeQuota) return fail(400, "RouteLimitExceeded", `The maximum number of routes has been reached.`);
          table.push({ destinationCidrBlock: destination, networkInterfaceId: params["NetworkInterfaceId"]!, origin: "CreateRoute" });
        } else if (index < 0) {
          return fail(400, "InvalidRoute.NotFound", `no route with destination-cidr-block ${destination} in route table ${params["RouteTableId"]}`);
        } else if (action === "ReplaceRoute") {
          table[index] = { destinationCidrBlock: destination, networkInterfaceId: params["NetworkInterfaceId"]!, origin: "CreateRoute" };
        } else {
          table.splice(index, 1);
        }
        return ok(action === "DeleteRoute" ? "<return>true</return>" : "<return>true</return>");
      }
      default:
        return fail(400, "InvalidAction", `The action ${action} is not valid for this web service.`);
    }
  }
}
