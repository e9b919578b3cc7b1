// canalkit VPC route controller (native-vpc topology).
//
// Runs in the cluster and keeps the VPC route tables holding one route per node pod CIDR to that
// node's primary network interface, within seconds of a node getting its pod CIDR and of a node
// leaving — without anyone running Pulumi. Ownership is recorded in a ConfigMap before each write
// (write-ahead), so a route this program created is recognised after a lost answer or a restart,
// and a route it did not create is never changed, adopted or deleted.
//
// Self-contained on purpose: it is shipped as a ConfigMap and run by a stock Node.js image, so it
// uses only Node's standard library — the EC2 query API signed with SigV4, credentials from EKS Pod
// Identity (the container credentials endpoint), the Kubernetes API with the service account.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");

// ---------------------------------------------------------------- IPv4

/** Parses `a.b.c.d/n` into { base, prefix }, or undefined. */
function parseIpv4Cidr(text) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(String(text || "").trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (address & mask) >>> 0, prefix };
}

/** Whether `cidr` lies inside `pool` (both texts). */
function insidePool(cidr, pool) {
  const c = parseIpv4Cidr(cidr);
  const p = parseIpv4Cidr(pool);
  if (!c || !p || c.prefix < p.prefix) return false;
  const mask = p.prefix === 0 ? 0 : (0xffffffff << (32 - p.prefix)) >>> 0;
  return ((c.base & mask) >>> 0) === p.base;
}

/** The instance id in a node's providerID (`aws:///us-east-1a/i-0abc…`). */
function instanceIdOf(providerId) {
  const m = /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerId || "");
  return m ? m[1] : undefined;
}

// ---------------------------------------------------------------- the plan

const key = (table, destination) => `${table} ${destination}`;

/**
 * The changes that make every table hold exactly one route per node pod CIDR, touching only owned
 * routes (the same rules as the deploy-time planner, components/controllers/vpcRoutes.ts).
 * Returns { changes, owned, refused } — `refused` names routes someone else holds.
 */
function planRoutes({ nodes, tables, owned, keep }) {
  const mine = new Map(owned.map((o) => [key(o.routeTableId, o.destination), o]));
  const changes = [];
  const nextOwned = [];
  const refused = [];
  for (const [table, routes] of tables) {
    const existing = new Map(routes.map((r) => [r.destination, r]));
    const wanted = new Set();
    for (const node of [...nodes].sort((a, b) => a.podCidr.localeCompare(b.podCidr))) {
      wanted.add(node.podCidr);
      const route = existing.get(node.podCidr);
      const held = mine.get(key(table, node.podCidr));
      if (route && (!held || held.networkInterfaceId !== route.target)) {
        refused.push(`route table ${table} already routes ${node.podCidr} to ${route.target || "another target"}, and canalkit did not create that route; it is left alone (node ${node.name} has no route there)`);
        continue;
      }
      if (!route) changes.push({ action: "create", routeTableId: table, destination: node.podCidr, networkInterfaceId: node.networkInterfaceId, node: node.name });
      else if (route.target !== node.networkInterfaceId) changes.push({ action: "replace", routeTableId: table, destination: node.podCidr, networkInterfaceId: node.networkInterfaceId, node: node.name });
      nextOwned.push({ routeTableId: table, destination: node.podCidr, networkInterfaceId: node.networkInterfaceId, node: node.name });
    }
    for (const cidr of keep || []) {
      const held = mine.get(key(table, cidr));
      if (held && !wanted.has(cidr) && existing.get(cidr) && existing.get(cidr).target === held.networkInterfaceId) {
        wanted.add(cidr);
        nextOwned.push(held);
      }
    }
    for (const o of owned.filter((o) => o.routeTableId === table && !wanted.has(o.destination))) {
      const route = existing.get(o.destination);
      if (route && route.target === o.networkInterfaceId) changes.push({ action: "delete", routeTableId: table, destination: o.destination });
    }
  }
  // Owned routes in tables that were not read this time stay recorded.
  for (const o of owned) if (!tables.has(o.routeTableId)) nextOwned.push(o);
  return { changes, owned: nextOwned, refused };
}

// ---------------------------------------------------------------- HTTP

/** One request; resolves { status, text }. Bounded in time; rejects on network errors. */
function send(url, { method = "GET", headers = {}, body, ca, timeoutMs = 15000 }) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const transport = u.protocol === "https:" ? https : http;
    const req = transport.request(u, { method, headers, ca, timeout: timeoutMs }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode, text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${u.host} timed out`)));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// ---------------------------------------------------------------- AWS

/**
 * Credentials: static ones from the environment, or those of EKS Pod Identity (the container
 * credentials endpoint with the projected token), cached until five minutes before they expire.
 */
function credentialSource(env) {
  let cached;
  return async () => {
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
    if (cached && cached.expires - Date.now() > 5 * 60 * 1000) return cached;
    const uri = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    if (!uri) throw new Error("no AWS credentials: neither AWS_ACCESS_KEY_ID nor AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity) is set");
    const headers = {};
    const tokenFile = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
    if (tokenFile) headers.Authorization = fs.readFileSync(tokenFile, "utf8").trim();
    const res = await send(uri, { headers });
    if (res.status !== 200) throw new Error(`the credentials endpoint answered HTTP ${res.status}`);
    const c = JSON.parse(res.text);
    cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token, expires: c.Expiration ? Date.parse(c.Expiration) : Date.now() + 15 * 60 * 1000 };
    return cached;
  };
}

const sha256 = (data) => crypto.createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (k, data) => crypto.createHmac("sha256", k).update(data, "utf8").digest();

/** SigV4 headers for a POST of a form body (`service` e.g. `ec2`). */
function signV4({ url, body, region, service, credentials, now = new Date() }) {
  const u = new URL(url);
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const headers = { "content-type": "application/x-www-form-urlencoded; charset=utf-8", host: u.host, "x-amz-date": amzDate };
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  // The canonical request: method, path, query, headers (each `name:value\n`), signed headers, payload hash.
  const request = `POST\n${u.pathname || "/"}\n\n${names.map((n) => `${n}:${headers[n]}\n`).join("")}\n${names.join(";")}\n${sha256(body)}`;
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(request)}`;
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service), "aws4_request");
  const signature = crypto.createHmac("sha256", signingKey).update(toSign, "utf8").digest("hex");
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}` };
}

/** A tiny XML reader for EC2's answers: elements with children and text (no attributes kept). */
function parseXml(text) {
  const root = { name: "#root", children: [], text: "" };
  const stack = [root];
  const re = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|([^<]+)|<\?[^>]*\?>/g;
  let m;
  while ((m = re.exec(text))) {
    if (m[4] !== undefined) {
      stack[stack.length - 1].text += m[4];
    } else if (m[2] === undefined) {
      continue;
    } else if (m[1] === "/") {
      stack.pop();
    } else {
      const el = { name: m[2], children: [], text: "" };
      stack[stack.length - 1].children.push(el);
      if (m[3] !== "/") stack.push(el);
    }
  }
  return root;
}
const child = (el, name) => (el ? el.children.find((c) => c.name === name) : undefined);
const items = (el, setName) => (child(el, setName) ? child(el, setName).children.filter((c) => c.name === "item") : []);
const textOf = (el, name) => {
  const c = child(el, name);
  return c ? c.text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").trim() : undefined;
};

/** EC2 API access: `call(action, params)` resolves the answer's root element or rejects with `.code`. */
function ec2Api(settings, credentials) {
  const endpoint = settings.ec2Endpoint || `https://ec2.${settings.region}.amazonaws.com${settings.region.startsWith("cn-") ? ".cn" : ""}/`;
  return async function call(action, params) {
    const form = new URLSearchParams({ Action: action, Version: "2016-11-15", ...params }).toString();
    // Network failures and throttling are retried a few times; a lost answer to a write then shows
    // as RouteAlreadyExists / InvalidRoute.NotFound, which the caller understands.
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await send(endpoint, { method: "POST", headers: signV4({ url: endpoint, body: form, region: settings.region, service: "ec2", credentials: await credentials() }), body: form });
      } catch (error) {
        if (attempt >= 4) throw error;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      const doc = parseXml(res.text);
      if (res.status === 200) return doc.children.find((c) => c.name.endsWith("Response")) || doc;
      const err = child(child(child(doc, "Response"), "Errors"), "Error");
      const code = textOf(err, "Code") || `HTTP${res.status}`;
      if ((res.status >= 500 || code === "RequestLimitExceeded" || code === "Throttling") && attempt < 4) {
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      throw Object.assign(new Error(`${action}: ${code}: ${textOf(err, "Message") || ""}`), { code, attempts: attempt });
    }
  };
}

/** Filter parameters of the EC2 query API. */
function filterParams(name, values) {
  const params = { "Filter.1.Name": name };
  values.forEach((v, i) => (params[`Filter.1.Value.${i + 1}`] = v));
  return params;
}

/** Primary interfaces of the instances EC2 lists (a filter: unknown ids are just absent). */
async function primaryInterfaces(call, instanceIds) {
  const enis = new Map();
  for (let i = 0; i < instanceIds.length; i += 200) {
    let token;
    do {
      const answer = await call("DescribeInstances", { ...filterParams("instance-id", instanceIds.slice(i, i + 200)), MaxResults: "1000", ...(token ? { NextToken: token } : {}) });
      for (const reservation of items(answer, "reservationSet")) {
        for (const instance of items(reservation, "instancesSet")) {
          const state = textOf(child(instance, "instanceState"), "name");
          if (state === "terminated" || state === "shutting-down") continue;
          const primary = items(instance, "networkInterfaceSet").find((n) => textOf(child(n, "attachment"), "deviceIndex") === "0");
          if (primary) enis.set(textOf(instance, "instanceId"), textOf(primary, "networkInterfaceId"));
        }
      }
      token = textOf(answer, "nextToken");
    } while (token);
  }
  return enis;
}

/** The route tables that exist, with their routes. */
async function readRouteTables(call, ids) {
  const tables = new Map();
  let token;
  do {
    const answer = await call("DescribeRouteTables", { ...filterParams("route-table-id", ids), MaxResults: "100", ...(token ? { NextToken: token } : {}) });
    for (const table of items(answer, "routeTableSet")) {
      const routes = items(table, "routeSet")
        .filter((r) => textOf(r, "destinationCidrBlock"))
        .map((r) => ({ destination: textOf(r, "destinationCidrBlock"), target: textOf(r, "networkInterfaceId") || textOf(r, "gatewayId") || textOf(r, "natGatewayId") || textOf(r, "transitGatewayId") || textOf(r, "vpcPeeringConnectionId") || textOf(r, "instanceId"), state: textOf(r, "state") }));
      tables.set(textOf(table, "routeTableId"), routes);
    }
    token = textOf(answer, "nextToken");
  } while (token);
  return tables;
}

// ---------------------------------------------------------------- Kubernetes

/** How to reach the API server: in-cluster service-account credentials unless overridden. */
function apiSettingsFromEnvironment(env) {
  const saDir = env.ROUTES_SERVICE_ACCOUNT_DIR || "/var/run/secrets/kubernetes.io/serviceaccount";
  const server = env.ROUTES_API_SERVER || `https://${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT || "443"}`;
  const tokenFile = `${saDir}/token`;
  const caFile = `${saDir}/ca.crt`;
  return {
    server,
    token: () => env.ROUTES_API_TOKEN || (fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, "utf8").trim() : undefined),
    ca: server.startsWith("https:") && fs.existsSync(caFile) ? fs.readFileSync(caFile) : undefined,
  };
}

/** One JSON request to the API server; resolves { status, body }. */
async function kube(api, method, path, body, contentType) {
  const headers = { Accept: "application/json" };
  const token = api.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) {
    headers["Content-Type"] = contentType || "application/json";
    headers["Content-Length"] = Buffer.byteLength(payload);
  }
  const res = await send(new URL(path, api.server).toString(), { method, headers, body: payload, ca: api.ca });
  let parsed;
  try {
    parsed = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    parsed = res.text;
  }
  return { status: res.status, body: parsed };
}

/** The ownership record: the routes this program created, and the ConfigMap's resourceVersion. */
async function readOwnership(api, settings) {
  const res = await kube(api, "GET", `/api/v1/namespaces/${settings.namespace}/configmaps/${settings.recordName}`);
  if (res.status === 404) return { owned: [], resourceVersion: undefined };
  if (res.status !== 200) throw new Error(`reading the ownership record failed: HTTP ${res.status}`);
  return { owned: JSON.parse((res.body.data && res.body.data["routes.json"]) || "[]"), resourceVersion: res.body.metadata.resourceVersion };
}

/** Writes the record guarded by its resourceVersion; resolves the new one, or rejects (409: someone else wrote it). */
async function writeOwnership(api, settings, record, owned) {
  const data = { "routes.json": JSON.stringify([...owned].sort((a, b) => key(a.routeTableId, a.destination).localeCompare(key(b.routeTableId, b.destination)))) };
  const res = record.resourceVersion === undefined
    ? await kube(api, "POST", `/api/v1/namespaces/${settings.namespace}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: settings.recordName, namespace: settings.namespace }, data })
    : await kube(api, "PATCH", `/api/v1/namespaces/${settings.namespace}/configmaps/${settings.recordName}`, { metadata: { resourceVersion: record.resourceVersion }, data }, "application/merge-patch+json");
  if (res.status !== 200 && res.status !== 201) throw Object.assign(new Error(`writing the ownership record failed: HTTP ${res.status}`), { status: res.status });
  record.resourceVersion = res.body.metadata.resourceVersion;
  record.owned = owned;
}

// ---------------------------------------------------------------- one pass

/**
 * One reconciliation pass: nodes, their interfaces, the tables and the record; then the writes,
 * each recorded before it is made. Returns what happened, for logs and tests.
 */
async function reconcileOnce(api, call, settings, log) {
  const listed = await kube(api, "GET", "/api/v1/nodes");
  if (listed.status !== 200) throw new Error(`listing nodes failed: HTTP ${listed.status}`);
  const wanted = (listed.body.items || [])
    .map((n) => ({ name: n.metadata.name, podCidr: (n.spec && n.spec.podCIDR) || "", instanceId: instanceIdOf(n.spec && n.spec.providerID) }))
    .filter((n) => n.podCidr && n.instanceId && insidePool(n.podCidr, settings.pool));
  const enis = wanted.length > 0 ? await primaryInterfaces(call, [...new Set(wanted.map((n) => n.instanceId))]) : new Map();
  const nodes = wanted.filter((n) => enis.has(n.instanceId)).map((n) => ({ name: n.name, podCidr: n.podCidr, networkInterfaceId: enis.get(n.instanceId) }));
  const pending = wanted.filter((n) => !enis.has(n.instanceId));
  const tables = await readRouteTables(call, settings.routeTableIds);
  const record = await readOwnership(api, settings);
  const plan = planRoutes({ nodes, tables, owned: record.owned, keep: pending.map((n) => n.podCidr) });
  const result = { created: [], replaced: [], deleted: [], refused: [...plan.refused], failed: [], pending: pending.map((n) => n.name), missingTables: settings.routeTableIds.filter((id) => !tables.has(id)) };
  for (const id of result.missingTables) log(`ERROR route table ${id} does not exist`);
  for (const line of plan.refused) log(`ERROR ${line}`);
  if (plan.changes.length === 0) return result;

  // Write-ahead: every route about to be created or replaced is recorded as ours first, so a
  // lost answer or a restart cannot leave a route of ours unrecorded.
  const intended = new Map(record.owned.map((o) => [key(o.routeTableId, o.destination), o]));
  for (const c of plan.changes) if (c.action !== "delete") intended.set(key(c.routeTableId, c.destination), { routeTableId: c.routeTableId, destination: c.destination, networkInterfaceId: c.networkInterfaceId, node: c.node });
  await writeOwnership(api, settings, record, [...intended.values()]);

  const final = new Map(plan.owned.map((o) => [key(o.routeTableId, o.destination), o]));
  for (const c of plan.changes) {
    const at = { RouteTableId: c.routeTableId, DestinationCidrBlock: c.destination };
    try {
      if (c.action === "create") await call("CreateRoute", { ...at, NetworkInterfaceId: c.networkInterfaceId });
      else if (c.action === "replace") await call("ReplaceRoute", { ...at, NetworkInterfaceId: c.networkInterfaceId });
      else await call("DeleteRoute", at);
      result[c.action === "create" ? "created" : c.action === "replace" ? "replaced" : "deleted"].push(`${c.routeTableId} ${c.destination}`);
      log(`${c.action}d the route ${c.destination} in ${c.routeTableId}${c.networkInterfaceId ? ` to ${c.networkInterfaceId} (node ${c.node})` : ""}`);
    } catch (error) {
      if (c.action === "delete" && error.code === "InvalidRoute.NotFound") continue;
      if (c.action === "create" && error.code === "RouteAlreadyExists") {
        // Recorded as ours before the call: it is ours if it points where ours would (the first
        // answer was lost); anything else is someone else's.
        const now = ((await readRouteTables(call, [c.routeTableId])).get(c.routeTableId) || []).find((r) => r.destination === c.destination);
        if (now && now.target === c.networkInterfaceId) {
          result.created.push(`${c.routeTableId} ${c.destination}`);
          continue;
        }
        final.delete(key(c.routeTableId, c.destination));
        result.refused.push(`route table ${c.routeTableId} already routes ${c.destination} to ${now ? now.target : "another target"}, and canalkit did not create that route`);
        log(`ERROR ${result.refused[result.refused.length - 1]}`);
        continue;
      }
      // Failed: the record keeps what is really there.
      const before = record.owned.find((o) => o.routeTableId === c.routeTableId && o.destination === c.destination);
      if (c.action === "create") final.delete(key(c.routeTableId, c.destination));
      else if (before) final.set(key(c.routeTableId, c.destination), before);
      result.failed.push(`${c.action} ${c.routeTableId} ${c.destination}: ${error.message}`);
      log(`ERROR ${c.action} of the route ${c.destination} in ${c.routeTableId} failed: ${error.message}`);
    }
  }
  await writeOwnership(api, settings, record, [...final.values()]);
  return result;
}

/** Reads the settings from the environment, refusing bad values at start. */
function settingsFromEnvironment(env) {
  const pool = env.POD_CIDR_POOL;
  if (!parseIpv4Cidr(pool)) throw new Error(`POD_CIDR_POOL=${pool} must be an IPv4 CIDR`);
  const routeTableIds = String(env.ROUTE_TABLE_IDS || "").split(",").map((s) => s.trim()).filter(Boolean);
  if (routeTableIds.length === 0 || !routeTableIds.every((id) => /^rtb-[0-9a-f]+$/.test(id))) throw new Error(`ROUTE_TABLE_IDS=${env.ROUTE_TABLE_IDS} must list route table ids (rtb-…), comma-separated`);
  const region = env.AWS_REGION;
  if (!region) throw new Error("AWS_REGION is required");
  const intervalSeconds = Number(env.RECONCILE_INTERVAL_SECONDS || "10");
  if (!(intervalSeconds >= 1)) throw new Error(`RECONCILE_INTERVAL_SECONDS=${env.RECONCILE_INTERVAL_SECONDS} must be at least 1`);
  return { pool, routeTableIds, region, intervalSeconds, ec2Endpoint: env.EC2_ENDPOINT, namespace: env.RECORD_NAMESPACE || "kube-system", recordName: env.RECORD_NAME || "canalkit-vpc-routes" };
}

/** Reconciles forever; errors are logged and retried on the next pass. */
async function main() {
  const settings = settingsFromEnvironment(process.env);
  const api = apiSettingsFromEnvironment(process.env);
  const call = ec2Api(settings, credentialSource(process.env));
  const log = (message) => console.log(`${new Date().toISOString()} ${message}`);
  log(`keeping node routes for ${settings.pool} in ${settings.routeTableIds.join(", ")} every ${settings.intervalSeconds}s`);
  process.on("SIGTERM", () => process.exit(0));
  for (;;) {
    try {
      await reconcileOnce(api, call, settings, log);
    } catch (error) {
      log(`ERROR ${error.message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, settings.intervalSeconds * 1000));
  }
}

module.exports = { planRoutes, reconcileOnce, signV4, parseXml, ec2Api, credentialSource, apiSettingsFromEnvironment, settingsFromEnvironment, insidePool, instanceIdOf };

if (require.main === module) {
  main().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
