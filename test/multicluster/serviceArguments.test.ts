/**
 * TypeScript users of `planMultiClusterService` (and so `MultiClusterService`) get the same
 * refusals as stack users: unnamed ports on a multi-port Service, a port number repeated with
 * another protocol, ActiveActive weights that starve an exporter or every exporter.
 */
import { describe, expect, it } from "vitest";
import { planClusterSet, planMultiClusterService, type MultiClusterServiceSpec } from "../../components/multicluster";

const set = planClusterSet({
  name: "set",
  controlPlane: "a",
  members: [
    { name: "a", region: "us-east-1", namespace: "erie-canal", vpcCidr: "10.10.0.0/16" },
    { name: "b", region: "us-east-1", namespace: "erie-canal", vpcCidr: "10.11.0.0/16" },
  ],
});
const spec = (ports: MultiClusterServiceSpec["exporters"][number]["service"]["ports"], extra: Partial<MultiClusterServiceSpec> = {}): MultiClusterServiceSpec => ({
  name: "echo",
  namespace: "demo",
  mode: "ActiveActive",
  exporters: ["a", "b"].map((cluster) => ({ cluster, service: { ports } })),
  consumers: ["a"],
  ...extra,
});

describe("planMultiClusterService arguments", () => {
  it("requires names on the ports of a multi-port Service", () => {
    expect(() => planMultiClusterService(spec([{ port: 8080 }, { port: 9090 }]), set)).toThrow(/^services\.echo\.exporters\[0\]\.service\.ports\[0\]\.name = undefined: is missing: Kubernetes requires a name/);
    expect(planMultiClusterService(spec([{ port: 8080, name: "http" }, { port: 9090, name: "metrics" }]), set).rules.map((r) => r.path)).toEqual(["/demo/echo/8080", "/demo/echo/9090"]);
  });

  it("refuses a port number repeated with another protocol, and bad or repeated names", () => {
    expect(() => planMultiClusterService(spec([{ port: 53, name: "dns-tcp" }, { port: 53, name: "dns-udp", protocol: "UDP" }]), set)).toThrow(/ports\[1\]\.port = 53: repeats .*ports\[0\]\.port \(TCP and UDP\)/);
    expect(() => planMultiClusterService(spec([{ port: 80, name: "HTTP" }]), set)).toThrow(/ports\[0\]\.name = "HTTP": is not a Kubernetes port name.*write it as http/);
    expect(() => planMultiClusterService(spec([{ port: 80, name: "web" }, { port: 81, name: "web" }]), set)).toThrow(/ports\[1\]\.name = "web": is also the name of/);
  });

  it("refuses ActiveActive weights that leave an exporter, or all, without traffic", () => {
    const ports = [{ port: 8080 }];
    expect(() => planMultiClusterService(spec(ports, { weights: { a: 50 } }), set)).toThrow(/^services\.echo\.weights\.b = undefined: is missing while other exporters have weights, so b would get no traffic/);
    expect(() => planMultiClusterService(spec(ports, { weights: { a: 0, b: 0 } }), set)).toThrow(/^services\.echo\.weights = .*: gives every exporter weight 0/);
    expect(planMultiClusterService(spec(ports, { weights: { a: 0, b: 10 } }), set).mode).toBe("ActiveActive");
  });
});
