/**
 * Which CPU architecture an EC2 instance type has, and so which EKS AMI type its node group
 * needs: an arm64 (Graviton) instance cannot boot the x86_64 AMI, and one managed node group
 * has one AMI type, so it cannot mix architectures.
 *
 * Where the table comes from: the AWS EC2 documentation of instance types ("Amazon EC2 instance
 * types", the Graviton families listed under each category) and the EKS `CreateNodegroup` API
 * reference for `amiType` values, as of mid-2025. Graviton families are named with a `g` right
 * after the generation digit (m7g, c6gn, r8gd, x2gd, im4gn, is4gen, g5g) plus the first-generation
 * a1; every other family is x86_64. A family AWS adds later that breaks the pattern is covered by
 * stating `amiType` on the node group.
 */
import { CanalkitInputError } from "../errors";

/** EKS AMI types the kit deploys (Amazon Linux 2023, standard variants). */
export type NodeAmiType = "AL2023_x86_64_STANDARD" | "AL2023_ARM_64_STANDARD";

/** The AMI type for each architecture. */
export const AMI_TYPE_FOR_ARCHITECTURE: Readonly<Record<"x86_64" | "arm64", NodeAmiType>> = {
  x86_64: "AL2023_x86_64_STANDARD",
  arm64: "AL2023_ARM_64_STANDARD",
};

/** Graviton (arm64) families, as listed in the EC2 documentation (mid-2025). */
export const GRAVITON_FAMILIES: readonly string[] = [
  "a1", "t4g",
  "m6g", "m6gd", "m7g", "m7gd", "m8g", "m8gd",
  "c6g", "c6gd", "c6gn", "c7g", "c7gd", "c7gn", "c8g", "c8gd",
  "r6g", "r6gd", "r7g", "r7gd", "r8g", "r8gd",
  "x2gd", "x8g", "im4gn", "is4gen", "i4g", "i8g", "g5g", "hpc7g",
];

/** Common x86_64 families, listed so a stated `amiType` cannot contradict them. */
export const X86_FAMILIES: readonly string[] = [
  "t2", "t3", "t3a", "m5", "m5a", "m5d", "m5n", "m6i", "m6id", "m6a", "m7i", "m7i-flex", "m7a", "m8i",
  "c5", "c5a", "c5n", "c6i", "c6id", "c6a", "c7i", "c7a", "r5", "r5a", "r5n", "r6i", "r6a", "r7i", "r7a",
  "i3", "i4i", "g4dn", "g5", "g6", "p4d", "p5", "inf2", "trn1",
];

/** The shape of an instance type: `<family>.<size>`. */
const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;

/** The architecture of an instance type, or undefined when it is not shaped like one. */
export function instanceArchitecture(instanceType: string): "x86_64" | "arm64" | undefined {
  const m = INSTANCE_TYPE.exec(instanceType);
  if (!m) return undefined;
  const family = m[1]!;
  return GRAVITON_FAMILIES.includes(family) || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/**
 * The AMI type of a node group from its instance types: refuses malformed types, a group mixing
 * architectures, and a stated `amiType` that contradicts them. `field` names the group.
 */
export function nodeGroupAmiType(field: string, instanceTypes: readonly string[], stated?: NodeAmiType): NodeAmiType {
  const archs = instanceTypes.map((t, i) => {
    const arch = instanceArchitecture(t);
    if (!arch) throw new CanalkitInputError(`${field}.instanceTypes[${i}]`, t, "is not an EC2 instance type", "write it as <family>.<size>, for example m6i.large or m7g.large");
    return arch;
  });
  const first = archs[0] ?? "x86_64";
  const other = archs.findIndex((a) => a !== first);
  if (other >= 0) {
    const keep = instanceTypes.filter((_, i) => archs[i] === first);
    throw new CanalkitInputError(
      `${field}.instanceTypes[${other}]`,
      instanceTypes[other],
      `is ${archs[other]}, but ${instanceTypes[0]} is ${first}; one node group boots one AMI type, so it cannot mix architectures`,
      `keep one architecture per node group (instanceTypes: [${keep.join(", ")}]) and put ${instanceTypes[other]} in a node group of its own`,
    );
  }
  const derived = AMI_TYPE_FOR_ARCHITECTURE[first];
  // The pattern only infers; a stated amiType wins unless every family is one the tables list.
  const listed = instanceTypes.every((t) => [...GRAVITON_FAMILIES, ...X86_FAMILIES].includes(t.split(".")[0]!));
  if (stated !== undefined && stated !== derived && listed) {
    throw new CanalkitInputError(`${field}.amiType`, stated, `does not boot ${first} instances (${instanceTypes.join(", ")})`, `remove amiType (the kit picks ${derived} from the instance family) or state ${derived}`);
  }
  return stated ?? derived;
}
