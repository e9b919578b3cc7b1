/**
 * The one error type for bad input anywhere in canalkit. Every message names the field, the
 * value that was given and what would fix it, and is raised before any resource is registered.
 */

import { credentialKind, redacted } from "./credentials";

/**
 * Formats a value for an error message: strings quoted, everything else as JSON; a value that
 * looks like a credential is never printed, only named.
 */
function show(value: unknown): string {
  const kind = credentialKind(value);
  if (kind) return redacted(kind);
  if (typeof value === "string") return `"${value}"`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Bad input: which field, what it was, what is wrong, and how to fix it. */
export class CanalkitInputError extends Error {
  /** Dotted path of the offending field, for example `clusters[1].network.podCidr`. */
  readonly field: string;
  /** The value that was given. */
  readonly value: unknown;
  /** What is wrong with the value. */
  readonly problem: string;
  /** What would make the input valid. */
  readonly fix: string;

  constructor(field: string, value: unknown, problem: string, fix: string) {
    super(`${field} = ${show(value)}: ${problem}. Fix: ${fix}`);
    this.name = "CanalkitInputError";
    this.field = field;
    this.value = value;
    this.problem = problem;
    this.fix = fix;
  }
}

/** The same error with its field placed under a parent path (`network.podCidr` → `clusters[0].network.podCidr`). */
export function underPath(parent: string, err: CanalkitInputError): CanalkitInputError {
  return new CanalkitInputError(`${parent}.${err.field}`, err.value, err.problem, err.fix);
}
