/**
 * Checks of a multi-cluster service's ports and ActiveActive weights that Kubernetes or the
 * gateway would otherwise catch late (or never): unnamed ports on a multi-port Service, port
 * numbers repeated with another protocol (one gateway path per port number), and weights that
 * leave an exporter, or every exporter, without traffic.
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
