/**
 * A local Kubernetes API server for tests of code that talks to a real one. It keeps objects in
 * memory and enforces the semantics such code relies on: resourceVersion bumps on every write,
 * 404 for missing objects, 409 for create-on-existing and stale updates, JSON-patch `test`
 * failures as 422 (as the real server reports them), per-kind validation of updates (for example
 * Node `spec.podCIDR` is immutable once set), and injected faults. Every request is logged so
 * tests can count calls.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { applyPatch, type Operation } from "fast-json-patch";

/** A stored object. */
export type StoredObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; [k: string]: unknown }; [field: string]: unknown };

/**
 * Rejects a write with a reason (answered as HTTP 422 Invalid), or accepts it with undefined.
 * `previous` is undefined on create.
 */
export type UpdateValidator = (previous: StoredObject | undefined, next: StoredObject) => string | undefined;

/** A fault answered instead of the real response. */
export interface InjectedFault {
  method: string;
  path: RegExp;
  /**
   * HTTP status to answer; `"drop"` closes the connection without an answer; `"hang"` keeps the
   * request open and never answers (a blackholed endpoint behind a load balancer); `"lose"` does
   * the write, then closes the connection instead of answering (the answer was lost).
   */
  status: number | "drop" | "hang" | "lose";
  /** How many matching requests fail; afterwards requests pass. */
  times: number;
}

/** A logged request. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

interface ParsedPath {
  collection: string;
  name?: string;
  namespace?: string;
  plural: string;
}

/** Splits `/api/v1/...` and `/apis/<group>/<version>/...` paths into collection and name. */
function parsePath(pathname: string): ParsedPath | undefined {
  const parts = pathname.split("/").filter(Boolean);
  let prefix: string[];
  if (parts[0] === "api" && parts.length >= 3) prefix = parts.slice(0, 2);
  else if (parts[0] === "apis" && parts.length >= 4) prefix = parts.slice(0, 3);
  else return undefined;
  const rest = parts.slice(prefix.length);
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const [, namespace, plural, name] = rest;
    return { collection: `/${[...prefix, "namespaces", namespace, plural].join("/")}`, namespace, plural: plural!, ...(name ? { name } : {}) };
  }
  const [plural, name] = rest;
  return { collection: `/${[...prefix, plural].join("/")}`, plural: plural!, ...(name ? { name } : {}) };
}

/** The fake API server. */
export class FakeKubernetesApi {
  readonly requests: LoggedRequest[] = [];
  /** TCP connections clients opened (each costs a TLS handshake against a real API server). */
  connections = 0;
  /** Milliseconds every answer is delayed by (a slow or distant API server). */
  latencyMs = 0;
  /** Requests received whose connection is still open without an answer (hung ones included). */
  openRequests = 0;
  /** Called after each answered request: lets a test act as a concurrent writer at that moment. */
  afterRequest?: (request: LoggedRequest) => void;
  private readonly objects = new Map<string, Map<string, StoredObject>>();
  private readonly validators = new Map<string, UpdateValidator>();
  private readonly faults: InjectedFault[] = [];
  private revision = 1;
  private server?: http.Server;

  /**
   * Whether creating in a namespace that is not stored answers 404, as the real server does. On
   * by default; tests that do not model namespaces turn it off.
   */
  strictNamespaces = true;

  /**
   * @param bearerToken when given, requests without `Authorization: Bearer <token>` get 401.
   * @param tls when given, the server speaks HTTPS with this key and certificate, as real API
   *   servers do (clients then go through their TLS agent, the path the controllers use).
   */
  constructor(
    private readonly bearerToken?: string,
    private readonly tls?: { key: string; cert: string },
  ) {
    // The real server's rule for nodes: a pod CIDR is assigned once.
    this.validators.set("nodes", (previous, next) => {
      const before = (previous?.["spec"] as { podCIDR?: string } | undefined)?.podCIDR;
      const after = (next["spec"] as { podCIDR?: string } | undefined)?.podCIDR;
      if (before && after !== before) return `spec.podCIDR: Forbidden: node updates may not change podCIDR except from "" to valid`;
      return undefined;
    });
  }

  /** Starts listening on a free loopback port and returns the base URL. */
  async start(): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = this.tls ? https.createServer({ key: this.tls.key, cert: this.tls.cert }, handler) : http.createServer(handler);
    this.server.on(this.tls ? "secureConnection" : "connection", () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `${this.tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    // Idle keep-alive connections (and hung requests) would hold close() open.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Stores an object at a collection path, as if created. */
  seed(collection: string, object: StoredObject): StoredObject {
    const stored = this.stamp(structuredClone(object));
    this.collection(collection).set(object.metadata.name, stored);
    return stored;
  }

  /** The stored object, or undefined. */
  get(collection: string, name: string): StoredObject | undefined {
    return this.objects.get(collection)?.get(name);
  }

  /** All stored objects of a collection. */
  list(collection: string): StoredObject[] {
    return [...(this.objects.get(collection)?.values() ?? [])];
  }

  /** Changes an object behind the client's back (a concurrent writer), bumping its version. */
  mutate(collection: string, name: string, change: (object: StoredObject) => void): void {
    const object = this.get(collection, name);
    if (!object) throw new Error(`no ${collection}/${name}`);
    change(object);
    this.stamp(object);
  }

  /** Removes an object behind the client's back (a node that left). */
  remove(collection: string, name: string): void {
    this.objects.get(collection)?.delete(name);
  }

  /** Deletes an object as another client would (EKS removing what an add-on installed), by the same garbage-collection rules. */
  deleteAsClient(collection: string, name: string, policy: "Foreground" | "Background" | "Orphan" = "Background"): void {
    const existing = this.get(collection, name);
    if (existing) this.delete({ collection, plural: collection.split("/").pop()!, name }, existing, policy);
  }

  /** Fails the next `times` requests matching method and path with `status`. */
  injectFault(fault: InjectedFault): void {
    this.faults.push({ ...fault });
  }

  /** Registers a rule every create and update of a resource plural must pass. */
  validateUpdates(plural: string, validator: UpdateValidator): void {
    this.validators.set(plural, validator);
  }

  private collection(path: string): Map<string, StoredObject> {
    let c = this.objects.get(path);
    if (!c) this.objects.set(path, (c = new Map()));
    return c;
  }

  private stamp(object: StoredObject): StoredObject {
    object.metadata.resourceVersion = String(++this.revision);
    object.metadata.uid ??= `uid-${this.revision}`;
    return object;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    this.openRequests++;
    let open = true;
    const closed = () => {
      if (open) this.openRequests--;
      open = false;
    };
    res.on("close", closed);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    let lost = false;
    const reply = (status: number, body: unknown) => {
      const logged = { method, path: url.pathname, status };
      if (lost) {
        // The server did the work; the client never hears of it.
        this.requests.push({ ...logged, status: 0 });
        req.socket.destroy();
        return;
      }
      const serialized = JSON.stringify(body);
      this.requests.push(logged);
      this.afterRequest?.(logged);
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(serialized);
    };
    const status = (code: number, reason: string, message: string) => reply(code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code });

    if (this.bearerToken && req.headers.authorization !== `Bearer ${this.bearerToken}`) return status(401, "Unauthorized", "Unauthorized");
    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(url.pathname));
    if (fault) {
      fault.times -= 1;
      if (fault.status === "drop") {
        this.requests.push({ method, path: url.pathname, status: 0 });
        req.socket.destroy();
        return;
      }
      if (fault.status === "hang") {
        this.requests.push({ method, path: url.pathname, status: -1 });
        return;
      }
      if (fault.status === "lose") lost = true;
      else return status(fault.status, "InternalError", `injected fault ${fault.status}`);
    }
    const path = parsePath(url.pathname);
    if (!path) return status(404, "NotFound", `no route for ${url.pathname}`);
    const items = this.collection(path.collection);
    const existing = path.name ? items.get(path.name) : undefined;

    if (method === "GET" && !path.name) {
      const selector = url.searchParams.get("labelSelector");
      const listed = [...items.values()].filter((o) => matchesLabels(o, selector));
      return reply(200, { kind: "List", apiVersion: "v1", metadata: { resourceVersion: String(this.revision) }, items: listed });
    }
    if (path.name && !existing && method !== "PUT") return status(404, "NotFound", `${path.plural} "${path.name}" not found`);
    if (method === "GET") return reply(200, existing);
    if (method === "DELETE") return reply(200, this.delete(path, existing!, url.searchParams.get("propagationPolicy") ?? "Background"));
    // As the real server: nothing is created in a namespace that does not exist.
    if (method === "POST" && path.namespace && !this.get("/api/v1/namespaces", path.namespace) && this.strictNamespaces) {
      return status(404, "NotFound", `namespaces "${path.namespace}" not found`);
    }
    let body: StoredObject;
    try {
      body = text ? (JSON.parse(text) as StoredObject) : ({} as StoredObject);
    } catch {
      return status(400, "BadRequest", "body is not JSON");
    }
    if (method === "POST" && !path.name) {
      if (!body.metadata?.name) return status(422, "Invalid", "metadata.name: Required value");
      if (items.has(body.metadata.name)) return status(409, "AlreadyExists", `${path.plural} "${body.metadata.name}" already exists`);
      const invalid = this.validators.get(path.plural)?.(undefined, body);
      if (invalid) return status(422, "Invalid", `${path.plural} "${body.metadata.name}" is invalid: ${invalid}`);
      const created = this.stamp({ ...body, metadata: { ...body.metadata, ...(path.namespace ? { namespace: path.namespace } : {}) } });
      items.set(created.metadata.name, created);
      return reply(201, created);
    }
    if (method === "PUT" && path.name) {
      if (!existing) return status(404, "NotFound", `${path.plural} "${path.name}" not found`);
      // As the real server: an update naming a stale resourceVersion conflicts; one naming none is unconditional.
      if (body.metadata?.resourceVersion !== undefined && body.metadata.resourceVersion !== existing.metadata.resourceVersion) {
        return status(409, "Conflict", `Operation cannot be fulfilled on ${path.plural} "${path.name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      return this.update(path, existing, body, reply, status);
    }
    if (method === "PATCH" && path.name && existing) {
      const contentType = req.headers["content-type"] ?? "";
      let next: StoredObject;
      try {
        if (contentType.startsWith("application/json-patch+json")) {
          next = applyPatch(structuredClone(existing), body as unknown as Operation[], true, false).newDocument;
        } else if (contentType.startsWith("application/merge-patch+json")) {
          // A patch that names a resourceVersion is a precondition, as on the real server.
          const named = (body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
          if (named !== undefined && named !== existing.metadata.resourceVersion) {
            return status(409, "Conflict", `Operation cannot be fulfilled on ${path.plural} "${path.name}": the object has been modified; please apply your changes to the latest version and try again`);
          }
          next = mergePatch(structuredClone(existing), body) as StoredObject;
        } else {
          return status(415, "UnsupportedMediaType", `the body of the request was in an unknown format: ${contentType}`);
        }
      } catch (error) {
        // The real server answers a failed JSON-patch `test` as 422 Invalid.
        return status(422, "Invalid", `the server rejected our request due to an error in our request: ${(error as Error).message}`);
      }
      return this.update(path, existing, next, reply, status);
    }
    return status(405, "MethodNotAllowed", `${method} ${url.pathname} is not supported`);
  }

  /**
   * Deletes as the real server's garbage collector does. Foreground: an object with dependents
   * (objects whose ownerReferences name its uid) stays, with a deletionTimestamp and the
   * `foregroundDeletion` finalizer, until they are gone; its dependents start terminating.
   * Background: the object goes at once, its dependents start terminating. Terminating objects
   * go when the test calls `finishTerminating`.
   */
  private delete(path: ParsedPath, existing: StoredObject, policy: string): StoredObject {
    const dependents = this.dependentsOf(existing.metadata.uid!);
    const now = new Date(0).toISOString();
    if (policy !== "Orphan") {
      for (const d of dependents.filter((d) => !d.object.metadata["deletionTimestamp"])) {
        d.object.metadata["deletionTimestamp"] = now;
        this.stamp(d.object);
      }
    }
    if (policy === "Foreground" && dependents.length > 0) {
      existing.metadata["deletionTimestamp"] ??= now;
      existing.metadata["finalizers"] = [...new Set([...((existing.metadata["finalizers"] as string[] | undefined) ?? []), "foregroundDeletion"])];
      return this.stamp(existing);
    }
    this.collection(path.collection).delete(path.name!);
    return existing;
  }

  /** Objects (in any collection) whose ownerReferences name `uid`. */
  private dependentsOf(uid: string): { collection: string; object: StoredObject }[] {
    const found: { collection: string; object: StoredObject }[] = [];
    for (const [collection, objects] of this.objects) {
      for (const object of objects.values()) {
        const owners = (object.metadata["ownerReferences"] as { uid?: string }[] | undefined) ?? [];
        if (owners.some((o) => o.uid === uid)) found.push({ collection, object });
      }
    }
    return found;
  }

  /**
   * Terminating objects finish (pods stop): every dependent with a deletionTimestamp goes, then
   * every owner held by `foregroundDeletion` whose dependents are all gone.
   */
  finishTerminating(): void {
    for (const objects of this.objects.values()) {
      for (const [name, object] of objects) {
        const finalizers = (object.metadata["finalizers"] as string[] | undefined) ?? [];
        if (object.metadata["deletionTimestamp"] && !finalizers.includes("foregroundDeletion")) objects.delete(name);
      }
    }
    for (const objects of this.objects.values()) {
      for (const [name, object] of objects) {
        if (((object.metadata["finalizers"] as string[] | undefined) ?? []).includes("foregroundDeletion") && this.dependentsOf(object.metadata.uid!).length === 0) objects.delete(name);
      }
    }
  }

  private update(path: ParsedPath, existing: StoredObject, next: StoredObject, reply: (s: number, b: unknown) => void, status: (c: number, r: string, m: string) => void): void {
    const problem = this.validators.get(path.plural)?.(existing, next);
    if (problem) return status(422, "Invalid", `${path.plural} "${path.name}" is invalid: ${problem}`);
    const stored = this.stamp({ ...next, metadata: { ...next.metadata, name: existing.metadata.name, uid: existing.metadata.uid } });
    this.collection(path.collection).set(path.name!, stored);
    reply(200, stored);
  }
}

/** Whether an object carries every `key=value` of an equality label selector (none: all match). */
function matchesLabels(object: StoredObject, selector: string | null): boolean {
  if (!selector) return true;
  const labels = (object.metadata["labels"] as Record<string, string> | undefined) ?? {};
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return labels[key!.trim()] === value?.trim();
  });
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
