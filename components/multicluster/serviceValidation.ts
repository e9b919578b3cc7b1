/**
 * Checks of a multi-cluster service's ports and ActiveActive weights that Kubernetes or the
 * gateway would otherwise catch late (or never): unnamed ports on a multi-port Service, port
 * numbers repeated with another protocol (one gateway path per port number), and weights that
 * leave an exporter, or every exporter, without traffic. Also what osm-edge v1.3.0, which carries
 * the calls, cannot do: follow a FailOver order among remote exporters, or carry anything but
 * plain HTTP to an exporter's gateway.
 */
import { CanalkitInputError } from "../errors";
import type { ServicePortSpec } from "./planService";

/** Kubernetes Service port names are DNS-1123 labels. */
const PORT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Validates one exporter's Service ports; `field` names the ports list. */
export function validateServicePorts(field: string, ports: readonly ServicePortSpec[]): void {
  const multi = ports.length > 1;
  ports.forEach((p, i) => {
    const at = `${field}[${i}]`;
    if (multi && p.name === undefined) {
      throw new CanalkitInputError(`${at}.name`, undefined, `is missing: Kubernetes requires a name on every port of a Service with more than one port (${ports.map((x) => x.port).join(", ")})`, `add name: port-${p.port} (a lowercase DNS label, unique among the ports)`);
    }
    if (p.name !== undefined && !PORT_NAME.test(p.name)) throw new CanalkitInputError(`${at}.name`, p.name, "is not a Kubernetes port name (a lowercase DNS label)", `write it as ${p.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || `port-${p.port}`}`);
    const sameName = ports.findIndex((o) => o.name !== undefined && o.name === p.name);
    if (p.name !== undefined && sameName !== i) throw new CanalkitInputError(`${at}.name`, p.name, `is also the name of ${field}[${sameName}]`, "give every port its own name");
    const samePort = ports.findIndex((o) => o.port === p.port);
    if (samePort !== i) {
      throw new CanalkitInputError(`${at}.port`, p.port, `repeats ${field}[${samePort}].port (${ports[samePort]!.protocol ?? "TCP"} and ${p.protocol ?? "TCP"}); ErieCanal exports one path per port number, so both would claim it`, `export each port number once: remove ${at}, or give it a port number of its own`);
    }
  });
}

/**
 * Validates ActiveActive weights against the exporters: every exporter weighted when any is, and
 * at least one weight above 0. `field` names the weights map.
 */
export function validateWeights(field: string, weights: Readonly<Record<string, number>>, exporters: readonly string[]): void {
  for (const [name, w] of Object.entries(weights)) {
    if (!Number.isInteger(w) || w < 0) throw new CanalkitInputError(`${field}.${name}`, w, "must be a whole number ≥ 0", "use for example 50");
  }
  const missing = exporters.filter((e) => !(e in weights));
  if (missing.length > 0) {
    throw new CanalkitInputError(`${field}.${missing[0]}`, undefined, `is missing while other exporters have weights, so ${missing[0]} would get no traffic`, `give ${missing.join(", ")} a weight, or leave out weights for an even split`);
  }
  if (exporters.length > 0 && exporters.every((e) => weights[e] === 0)) {
    throw new CanalkitInputError(field, weights, "gives every exporter weight 0, so no exporter would get traffic", "give the exporters positive weights, for example 50 each, or leave out weights for an even split");
  }
}

/** What is wrong with a service declaration, and a fix that works. */
export interface InputProblem {
  problem: string;
  fix: string;
}

/**
 * An exported port is called over plain HTTP end to end: osm-edge takes a port's protocol from
 * its name prefix (`tcp-`, `tcp-server-first-` → raw TCP) and sends HTTP requests to the
 * exporter's ErieCanal gateway, which routes them by path and forwards HTTP to the Service. A port
 * named for TLS (`https`, `tls`) or for TCP cannot be reached that way.
 */
export function exportedPortNameProblem(name: string | undefined, port: number): InputProblem | undefined {
  if (name === undefined) return undefined;
  const carries = /^(https|tls)(-|$)/.test(name) ? "TLS" : /^tcp-/.test(name) ? "raw TCP (osm-edge reads the tcp- prefix)" : undefined;
  if (!carries) return undefined;
  return {
    problem: `names a port that carries ${carries}, but exported ports are called over plain HTTP: osm-edge (v1.3.0) sends each call as HTTP to the exporter's ErieCanal gateway, which routes it by path and forwards HTTP to the Service`,
    fix: `serve plain HTTP on port ${port} and name it http (or http-<suffix>); traffic from outside the set gets TLS at the gateway`,
  };
}

/**
 * Consumers whose FailOver calls osm-edge v1.3.0 would not take in order: a consumer without its
 * own copy gives every listed remote exporter the same weight (pkg/sidecar/providers/pipy/repo/
 * policy.go), so an order of two or more exporters is not followed there. A consumer that exports
 * calls its own copy and fails over to the listed ones.
 */
export function unorderedFailoverConsumers(consumers: readonly string[], exporters: readonly string[], order: readonly string[]): string[] {
  return order.length < 2 ? [] : consumers.filter((c) => !exporters.includes(c));
}

/**
 * The message for a consumer `unorderedFailoverConsumers` names; `addExporter` says how to make
 * it an exporter where the reader declares services.
 */
export function unorderedFailoverMessage(service: string, order: readonly string[], addExporter: string): InputProblem {
  return {
    problem: `does not export ${service}, so osm-edge (v1.3.0) would spread its FailOver calls evenly over ${order.join(", ")} instead of in that order (it orders only a cluster's own copy before the listed exporters)`,
    fix: `${addExporter} (it then calls its own copy first and fails over to ${order.join(", ")}), or use mode ActiveActive to spread its calls by weight`,
  };
}
