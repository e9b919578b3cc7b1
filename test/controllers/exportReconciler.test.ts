import { afterEach, describe, expect, it } from "vitest";
import { expectedImport, exportReconcilerProvider, importProblems, reconcileExports, RETRIGGER_ANNOTATION, type ExportReconcilerInputs } from "../../components/controllers";
import { validateCustomResource } from "../../components/multicluster";
import { testKubeconfig } from "../support/kubeconfig";
import { FakeKubernetesApi, type StoredObject } from "../support/fakeKubernetesApi";

const NS = "shop";
const EXPORTS = `/apis/flomesh.io/v1alpha1/namespaces/${NS}/serviceexports`;
const IMPORTS = `/apis/flomesh.io/v1alpha1/namespaces/${NS}/serviceimports`;
const KEYS = { east: "r/z/g/east", west: "r/z/g/west", north: "r/z/g/north" } as const;
const GATEWAYS = { east: "east.elb.example", west: "west.elb.example" } as const;

const serviceExport = (status?: Record<string, unknown>): StoredObject => ({
  apiVersion: "flomesh.io/v1alpha1",
  kind: "ServiceExport",
  metadata: { name: "catalog", namespace: NS },
  spec: { rules: [{ portNumber: 8080, path: `/${NS}/catalog`, pathType: "Prefix" }] },
  ...(status ? { status } : {}),
});
const endpoint = (cluster: "east" | "west") => ({ clusterKey: KEYS[cluster], target: { host: GATEWAYS[cluster], ip: "10.0.0.1", port: 80, path: `/${NS}/catalog` } });
const serviceImport = (exporters: ("east" | "west")[]): StoredObject => ({
  apiVersion: "flomesh.io/v1alpha1",
  kind: "ServiceImport",
  metadata: { name: "catalog", namespace: NS },
  spec: { type: "ClusterSetIP", ports: [{ port: 8080, protocol: "TCP", endpoints: exporters.map(endpoint) }] },
});

describe("what a consumer should import", () => {
  const inputs = {
    exporters: (["east", "west"] as const).map((c) => ({ cluster: c, clusterKey: KEYS[c], kubeconfig: "", gatewayHost: GATEWAYS[c], gatewayPort: 80 })),
    rules: [{ portNumber: 8080, path: "/shop/catalog" }],
  };

  it("is one endpoint per other exporter on every exported port", () => {
    expect(expectedImport(inputs, "north").get(8080)!.map((e) => e.clusterKey)).toEqual([KEYS.east, KEYS.west]);
    // An exporter never imports its own endpoint.
    expect(expectedImport(inputs, "east").get(8080)!.map((e) => e.clusterKey)).toEqual([KEYS.west]);
  });

  it("names what is missing or wrong", () => {
    const expected = expectedImport(inputs, "north");
    expect(importProblems(serviceImport(["east", "west"]), expected)).toEqual([]);
    expect(importProblems(undefined, expected)).toEqual(["no ServiceImport"]);
    expect(importProblems(serviceImport(["east"]), expected)).toEqual([`port 8080: no endpoint for ${KEYS.west}`]);
    const moved = serviceImport(["east", "west"]);
    (moved["spec"] as any).ports[0].endpoints[1].target.host = "old.elb.example";
    expect(importProblems(moved, expected)).toEqual([`port 8080: endpoint for ${KEYS.west} points at old.elb.example:80/shop/catalog, not west.elb.example:80/shop/catalog`]);
  });
});

describe("ExportReconciler against three clusters", () => {
  const servers: FakeKubernetesApi[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  const setUp = async () => {
    const apis = { east: new FakeKubernetesApi("t"), west: new FakeKubernetesApi("t"), north: new FakeKubernetesApi("t") };
    const urls: Record<string, string> = {};
    for (const [name, api] of Object.entries(apis)) {
      servers.push(api);
      // Custom resources are checked against the CRDs the kit declares, as the API server would.
      for (const plural of ["serviceexports", "serviceimports"]) api.validateUpdates(plural, (_previous, next) => validateCustomResource(next).join("; ") || undefined);
      urls[name] = await api.start();
    }
    apis.east.seed(EXPORTS, serviceExport());
    apis.west.seed(EXPORTS, serviceExport());
    const inputs: ExportReconcilerInputs = {
      serviceName: "catalog",
      namespace: NS,
      exporters: (["east", "west"] as const).map((c) => ({ cluster: c, clusterKey: KEYS[c], kubeconfig: testKubeconfig(urls[c]!, "t"), gatewayHost: GATEWAYS[c], gatewayPort: 80 })),
      consumers: [{ cluster: "north", clusterKey: KEYS.north, kubeconfig: testKubeconfig(urls["north"]!, "t") }],
      rules: [{ portNumber: 8080, path: `/${NS}/catalog` }],
      timeoutSeconds: 5,
      pollSeconds: 0.05,
      repairAfterSeconds: 0.2,
      controllerVersion: "export-reconciler/1",
    };
    const writes = () => Object.values(apis).reduce((n, api) => n + api.requests.filter((r) => r.method !== "GET").length, 0);
    return { apis, inputs, writes };
  };

  it("does no writes when every consumer already holds the right import", async () => {
    const { apis, inputs, writes } = await setUp();
    apis.north.seed(IMPORTS, serviceImport(["east", "west"]));
    await expect(reconcileExports(inputs)).resolves.toEqual({ repaired: false });
    expect(writes()).toBe(0);
  });

  it("re-triggers the exports for a member that joined after them, and the control plane catches up", async () => {
    const { apis, inputs } = await setUp();
    // The control plane propagates an export again when the export changes.
    for (const cluster of ["east", "west"] as const) {
      apis[cluster].afterRequest = (r) => {
        if (r.method === "PATCH" && r.status === 200) {
          const held = apis.north.get(IMPORTS, "catalog");
          const exporters = new Set([...((held?.["spec"] as any)?.ports?.[0]?.endpoints ?? []).map((e: any) => (e.clusterKey === KEYS.east ? "east" : "west")), cluster]);
          if (held) apis.north.mutate(IMPORTS, "catalog", (o) => (o["spec"] = serviceImport([...exporters] as ("east" | "west")[])["spec"]));
          else apis.north.seed(IMPORTS, serviceImport([cluster]));
        }
      };
    }
    await expect(reconcileExports(inputs)).resolves.toEqual({ repaired: true });
    expect(importProblems(apis.north.get(IMPORTS, "catalog"), expectedImport(inputs, "north"))).toEqual([]);
    const touched = apis.east.get(EXPORTS, "catalog")!;
    expect(touched.metadata["annotations"]).toHaveProperty([RETRIGGER_ANNOTATION]);
    expect(touched["spec"]).toEqual(serviceExport()["spec"]);
  });

  it("converges when the answer to its re-trigger is lost: the patch landed, is sent again, and changes nothing else", async () => {
    const { apis, inputs } = await setUp();
    for (const cluster of ["east", "west"] as const) {
      // The write happens, the connection closes before the answer.
      apis[cluster].injectFault({ method: "PATCH", path: /serviceexports\/catalog$/, status: "lose", times: 1 });
      apis[cluster].afterRequest = (r) => {
        if (r.method === "PATCH" && r.status === 200 && !apis.north.get(IMPORTS, "catalog")) apis.north.seed(IMPORTS, serviceImport(["east", "west"]));
      };
    }
    await expect(reconcileExports(inputs)).resolves.toEqual({ repaired: true });
    for (const cluster of ["east", "west"] as const) {
      const patches = apis[cluster].requests.filter((r) => r.method === "PATCH");
      expect(patches.map((r) => r.status)).toEqual([0, 200]);
      const touched = apis[cluster].get(EXPORTS, "catalog")!;
      expect(touched.metadata["annotations"]).toHaveProperty([RETRIGGER_ANNOTATION]);
      expect(touched["spec"]).toEqual(serviceExport()["spec"]);
    }
  });

  it("fails at once naming the exporter ErieCanal marked Conflict", async () => {
    const { apis, inputs } = await setUp();
    apis.west.mutate(EXPORTS, "catalog", (o) => (o["status"] = { conditions: [{ type: "Conflict", status: "True", reason: "Conflict", message: "Service shop/catalog in r/z/g/east has different ports" }] }));
    await expect(reconcileExports(inputs)).rejects.toThrow(/ExportReconciler shop\/catalog: ErieCanal rejected the export as conflicting — west: Service shop\/catalog in r\/z\/g\/east has different ports/);
  });

  it("fails at the bound with each lagging consumer and what it lacks", async () => {
    const { apis, inputs } = await setUp();
    apis.north.seed(IMPORTS, serviceImport(["east"]));
    apis.east.injectFault({ method: "GET", path: /serviceexports/, status: 500, times: 2 });
    await expect(reconcileExports({ ...inputs, timeoutSeconds: 2 })).rejects.toThrow(/not consumable everywhere after 2s \(exports re-triggered once\): north: port 8080: no endpoint for r\/z\/g\/west/);
  });

  it("refresh reports a consumer that lost its import; the next update repairs it", async () => {
    const { apis, inputs } = await setUp();
    apis.north.seed(IMPORTS, serviceImport(["east", "west"]));
    const created = await exportReconcilerProvider.create(inputs);
    expect(created.outs).toMatchObject({ converged: true, servedBy: ["east", "west"], consumedIn: ["north"], repaired: false });
    apis.north.mutate(IMPORTS, "catalog", (o) => (o["spec"] = serviceImport(["east"])["spec"]));
    const read = await exportReconcilerProvider.read!(created.id, created.outs);
    expect(read.props).toMatchObject({ converged: false, lagging: [`north: port 8080: no endpoint for ${KEYS.west}`] });
    expect((await exportReconcilerProvider.diff!(created.id, read.props!, inputs)).changes).toBe(true);
    apis.north.mutate(IMPORTS, "catalog", (o) => (o["spec"] = serviceImport(["east", "west"])["spec"]));
    const updated = await exportReconcilerProvider.update!(created.id, read.props!, inputs);
    expect(updated.outs).toMatchObject({ converged: true });
  });
});
