/**
 * IPv4 CIDR arithmetic for network plans, on top of the `ip-address` library: parsing with
 * validation, overlap and containment, and carving fixed-size blocks out of a range.
 */
import { Address4 } from "ip-address";
import { CanalkitInputError } from "../errors";

/** A parsed IPv4 CIDR block. */
export interface Cidr {
  /** Canonical text, for example `10.10.0.0/16`. */
  text: string;
  /** Prefix length. */
  prefix: number;
  /** First address as an integer. */
  first: bigint;
  /** Last address as an integer. */
  last: bigint;
}

/**
 * Parses an IPv4 CIDR. Refuses malformed text and blocks with host bits set, naming `field`.
 */
export function parseCidr(field: string, text: unknown): Cidr {
  if (typeof text !== "string" || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text) || !Address4.isValid(text)) {
    throw new CanalkitInputError(field, text, "is not an IPv4 CIDR block", "write it as a.b.c.d/n, for example 10.10.0.0/16");
  }
  const address = new Address4(text);
  const first = address.startAddress();
  const network = `${first.correctForm()}/${address.subnetMask}`;
  if (network !== text) {
    throw new CanalkitInputError(field, text, "has host bits set", `use the network address ${network}`);
  }
  return { text, prefix: address.subnetMask, first: first.bigInt(), last: address.endAddress().bigInt() };
}

/** Number of addresses in a block. */
export function cidrSize(cidr: Cidr): bigint {
  return cidr.last - cidr.first + 1n;
}

/** Whether two blocks share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

/**
 * The `index`-th block of prefix length `prefix` inside `range`, or undefined when it does not
 * fit. Blocks are aligned, so the same index always yields the same block.
 */
export function subBlock(range: Cidr, prefix: number, index: number): Cidr | undefined {
  if (prefix < range.prefix || prefix > 32) return undefined;
  const size = 1n << BigInt(32 - prefix);
  const first = range.first + size * BigInt(index);
  const last = first + size - 1n;
  if (last > range.last) return undefined;
  const text = `${Address4.fromBigInt(first).correctForm()}/${prefix}`;
  return { text, prefix, first, last };
}

/** The `offset`-th address of a block as dotted text (EKS gives kube-dns the 10th of the service CIDR). */
export function addressAt(field: string, cidrText: string, offset: number): string {
  const cidr = parseCidr(field, cidrText);
  const value = cidr.first + BigInt(offset);
  if (value > cidr.last) throw new CanalkitInputError(field, cidrText, `has no address at offset ${offset}`, "use a larger block");
  return Address4.fromBigInt(value).correctForm();
}
