// canalkit node pod-CIDR allocator.
//
// Runs in the cluster (host network, before any CNI is ready) where the control plane does not
// allocate node pod CIDRs — EKS never runs kube-controller-manager with --allocate-node-cidrs.
// flannel's kube subnet manager and host-local IPAM (`usePodCidr`) both read `spec.podCIDR`, so
// without it no pod on the node gets an address. This program gives every node without one the
// lowest free block of the pool, once (the API server makes `spec.podCIDR` immutable once set).
//
// Self-contained on purpose: it is shipped as a ConfigMap and run by a stock Node.js image, so it
// uses only Node's standard library (IPv4 arithmetic is a few lines of 32-bit integer math).
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");

/** Parses `a.b.c.d/n` into { base, prefix } (base as an unsigned 32-bit integer, aligned). */
function parseIpv4Cidr(text) {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(String(text).trim());
  if (!match) throw new Error(`not an IPv4 CIDR: ${text}`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new Error(`not an IPv4 CIDR: ${text}`);
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (address & mask) >>> 0, prefix };
}

/** Formats { base, prefix } as `a.b.c.d/n`. */
function formatIpv4Cidr(cidr) {
  const b = cidr.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${cidr.prefix}`;
}

/** Whether two CIDRs share any address. */
function overlaps(a, b) {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0);
}

/**
 * Plans CIDRs for nodes that have none: each gets the lowest block of `blockPrefix` inside `pool`
 * that overlaps no CIDR already held by a node. Nodes are served in name order so the result is
 * deterministic. Returns { assignments: [{ node, podCidr }], unassigned: [node names] }.
 */
function planNodePodCidrs(poolText, blockPrefix, nodes) {
  const pool = parseIpv4Cidr(poolText);
  if (!Number.isInteger(blockPrefix) || blockPrefix < pool.prefix || blockPrefix > 30) {
    throw new Error(`node block /${blockPrefix} does not fit the pool ${poolText}`);
  }
  const taken = [];
  for (const node of nodes) {
    for (const cidr of node.podCidrs) {
      try {
        taken.push(parseIpv4Cidr(cidr));
      } catch {
        // IPv6 or malformed CIDRs cannot collide with an IPv4 pool.
      }
    }
  }
  const blockSize = 2 ** (32 - blockPrefix);
  const blockCount = 2 ** (blockPrefix - pool.prefix);
  const assignments = [];
  const unassigned = [];
  let next = 0;
  const waiting = nodes.filter((n) => n.podCidrs.length === 0).map((n) => n.name).sort();
  for (const name of waiting) {
    let chosen;
    while (next < blockCount && chosen === undefined) {
      const candidate = { base: (pool.base + next * blockSize) >>> 0, prefix: blockPrefix };
      next += 1;
      if (!taken.some((t) => overlaps(t, candidate))) chosen = candidate;
    }
    if (chosen === undefined) {
      unassigned.push(name);
      continue;
    }
    taken.push(chosen);
    assignments.push({ node: name, podCidr: formatIpv4Cidr(chosen) });
  }
  return { assignments, unassigned };
}

/** How to reach the API server: in-cluster service-account credentials unless overridden. */
function apiSettingsFromEnvironment(env) {
  const saDir = env.ALLOCATOR_SERVICE_ACCOUNT_DIR || "/var/run/secrets/kubernetes.io/serviceaccount";
  const server = env.ALLOCATOR_API_SERVER || `https://${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT || "443"}`;
  const tokenFile = `${saDir}/token`;
  const caFile = `${saDir}/ca.crt`;
  return {
    server,
    // Re-read on every request: projected service-account tokens rotate.
    token: () => (fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, "utf8").trim() : undefined),
    ca: server.startsWith("https:") && fs.existsSync(caFile) ? fs.readFileSync(caFile) : undefined,
  };
}

/** One JSON request to the API server; resolves { status, body }. */
function request(api, method, path, body, contentType) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, api.server);
    const headers = { Accept: "application/json" };
    const token = api.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      headers["Content-Type"] = contentType;
      headers["Content-Length"] = Buffer.byteLength(payload);
    }
    const transport = url.protocol === "https:" ? https : http;
    const req = transport.request(url, { method, headers, ca: api.ca, timeout: 15000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        let parsed;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** The pod CIDRs a Node object already holds. */
function nodePodCidrs(node) {
  const spec = node.spec || {};
  if (Array.isArray(spec.podCIDRs) && spec.podCIDRs.length > 0) return spec.podCIDRs;
  return spec.podCIDR ? [spec.podCIDR] : [];
}

/**
 * One reconciliation pass: lists nodes, assigns free blocks, and patches each node guarded by its
 * resourceVersion (a JSON-patch `test`), so a node changed since the list is left for the next
 * pass instead of being overwritten. Returns what happened, for logs and tests.
 */
async function reconcileOnce(api, settings, log) {
  const listed = await request(api, "GET", "/api/v1/nodes");
  if (listed.status !== 200) throw new Error(`listing nodes failed: HTTP ${listed.status} ${JSON.stringify(listed.body)}`);
  const items = listed.body.items || [];
  const nodes = items.map((n) => ({ name: n.metadata.name, resourceVersion: n.metadata.resourceVersion, podCidrs: nodePodCidrs(n) }));
  const plan = planNodePodCidrs(settings.pool, settings.blockPrefix, nodes);
  const result = { assigned: [], conflicts: [], exhausted: plan.unassigned };
  for (const { node, podCidr } of plan.assignments) {
    const resourceVersion = nodes.find((n) => n.name === node).resourceVersion;
    const patch = [
      { op: "test", path: "/metadata/resourceVersion", value: resourceVersion },
      { op: "add", path: "/spec/podCIDR", value: podCidr },
      { op: "add", path: "/spec/podCIDRs", value: [podCidr] },
    ];
    const res = await request(api, "PATCH", `/api/v1/nodes/${encodeURIComponent(node)}`, patch, "application/json-patch+json");
    if (res.status === 200) {
      result.assigned.push({ node, podCidr });
      log(`assigned ${podCidr} to node ${node}`);
    } else if (res.status === 404 || res.status === 409 || res.status === 422) {
      // Deleted, changed or given a CIDR by someone else since the list: decide again next pass.
      result.conflicts.push(node);
      log(`node ${node} changed since it was listed (HTTP ${res.status}); retrying next pass`);
    } else {
      throw new Error(`patching node ${node} failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  for (const node of plan.unassigned) {
    log(`ERROR pool ${settings.pool} has no free /${settings.blockPrefix} for node ${node}: enlarge the pod CIDR or use a smaller node block`);
  }
  return result;
}

/** Reads the settings from the environment, refusing bad values at start. */
function settingsFromEnvironment(env) {
  const pool = env.POD_CIDR_POOL;
  const blockPrefix = Number(env.NODE_CIDR_PREFIX_LENGTH);
  const intervalSeconds = Number(env.RECONCILE_INTERVAL_SECONDS || "5");
  const p = parseIpv4Cidr(pool);
  if (!Number.isInteger(blockPrefix) || blockPrefix < p.prefix || blockPrefix > 30) {
    throw new Error(`NODE_CIDR_PREFIX_LENGTH=${env.NODE_CIDR_PREFIX_LENGTH} must be a whole number from ${p.prefix} to 30`);
  }
  if (!(intervalSeconds > 0)) throw new Error(`RECONCILE_INTERVAL_SECONDS=${env.RECONCILE_INTERVAL_SECONDS} must be positive`);
  return { pool, blockPrefix, intervalSeconds };
}

/** Reconciles forever; errors are logged and retried on the next pass. */
async function main() {
  const settings = settingsFromEnvironment(process.env);
  const api = apiSettingsFromEnvironment(process.env);
  const log = (message) => console.log(`${new Date().toISOString()} ${message}`);
  log(`allocating /${settings.blockPrefix} node blocks from ${settings.pool} every ${settings.intervalSeconds}s`);
  process.on("SIGTERM", () => process.exit(0));
  for (;;) {
    try {
      await reconcileOnce(api, settings, log);
    } catch (error) {
      log(`ERROR ${error.message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, settings.intervalSeconds * 1000));
  }
}

module.exports = { parseIpv4Cidr, formatIpv4Cidr, planNodePodCidrs, reconcileOnce, apiSettingsFromEnvironment, settingsFromEnvironment };

if (require.main === module) {
  main().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
