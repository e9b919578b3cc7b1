/**
 * The AWS Regions the kit knows and the availability-zone names each can show an account, so a
 * stack naming `us-east-1a` for a `us-west-2` cluster, or a Region that does not exist, is refused
 * before any cloud call (and offline synth does not invent zones for it).
 *
 * Where the table comes from: the AWS documentation of Regions and Availability Zones (AWS General
 * Reference, "AWS Regions" and the per-Region AZ lists), cross-read with what
 * `aws ec2 describe-availability-zones --region <region> --all-availability-zones` reports for
 * standard (non-Local, non-Wavelength) zones, as of mid-2025. An account sees a subset of these
 * names in some Regions (us-west-1 shows two of its three, ap-northeast-1 hides `b` from newer
 * accounts), so the table lists every name a zone may carry. When AWS opens a Region or zone
 * after this release, the stack adds it with `canalkit:awsRegions` (merged over this table).
 */
import { CanalkitInputError } from "../errors";
import { editDistance } from "../editDistance";

/** Zone letters per Region: `us-west-2` → `abcd` means us-west-2a … us-west-2d. */
const ZONE_LETTERS: Readonly<Record<string, string>> = {
  "us-east-1": "abcdef",
  "us-east-2": "abc",
  "us-west-1": "abc",
  "us-west-2": "abcd",
  "af-south-1": "abc",
  "ap-east-1": "abc",
  "ap-east-2": "abc",
  "ap-south-1": "abc",
  "ap-south-2": "abc",
  "ap-southeast-1": "abc",
  "ap-southeast-2": "abc",
  "ap-southeast-3": "abc",
  "ap-southeast-4": "abc",
  "ap-southeast-5": "abc",
  "ap-southeast-7": "abc",
  "ap-northeast-1": "abcd",
  "ap-northeast-2": "abcd",
  "ap-northeast-3": "abc",
  "ca-central-1": "abd",
  "ca-west-1": "abc",
  "eu-central-1": "abc",
  "eu-central-2": "abc",
  "eu-west-1": "abc",
  "eu-west-2": "abc",
  "eu-west-3": "abc",
  "eu-south-1": "abc",
  "eu-south-2": "abc",
  "eu-north-1": "abc",
  "il-central-1": "abc",
  "me-central-1": "abc",
  "me-south-1": "abc",
  "mx-central-1": "abc",
  "sa-east-1": "abc",
  "us-gov-east-1": "abc",
  "us-gov-west-1": "abc",
  "cn-north-1": "abd",
  "cn-northwest-1": "abc",
};

/** AZ names per Region as the kit ships them (see the file comment for the source). */
export const KNOWN_AVAILABILITY_ZONES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(ZONE_LETTERS).map(([region, letters]) => [region, [...letters].map((l) => `${region}${l}`)]),
);

/** The kit's table with a stack's additions (`canalkit:awsRegions`) laid over it. */
export function availabilityZoneTable(overrides: Record<string, readonly string[]> = {}): Record<string, readonly string[]> {
  return { ...KNOWN_AVAILABILITY_ZONES, ...overrides };
}

/**
 * Refuses a Region the table does not know, naming the closest known one; `overrideKey` is where
 * the user can add it (the stack key, or the argument name for TypeScript users).
 */
export function checkRegion(field: string, region: string, table: Record<string, readonly string[]>, overrideKey: string): readonly string[] {
  const zones = table[region];
  if (zones) return zones;
  const closest = Object.keys(table).sort((a, b) => editDistance(region, a) - editDistance(region, b))[0];
  throw new CanalkitInputError(
    field,
    region,
    "is not an AWS Region the kit knows",
    `use an existing Region${closest && editDistance(region, closest) <= 3 ? ` (did you mean ${closest}?)` : ", for example us-east-1"}; if AWS opened it after this release, add its zones under ${overrideKey}, for example ${region}: [${region}a, ${region}b, ${region}c]`,
  );
}

/**
 * Refuses AZ names that are not zones of the cluster's Region (another Region's, or unknown
 * letters). `field` names the list; the error names the entry.
 */
export function checkAvailabilityZones(field: string, region: string, names: readonly string[], zones: readonly string[], overrideKey: string): void {
  names.forEach((name, i) => {
    if (zones.includes(name)) return;
    const otherRegion = Object.keys(KNOWN_AVAILABILITY_ZONES).find((r) => KNOWN_AVAILABILITY_ZONES[r]!.includes(name));
    const problem = otherRegion ? `is a zone of ${otherRegion}, but the cluster is in ${region}` : `is not an availability zone of ${region}`;
    const suggestion = `[${zones.slice(0, Math.min(zones.length, Math.max(2, names.length))).join(", ")}]`;
    const fix = `name zones of ${region} (${zones.join(", ")}), for example ${suggestion.replace(/^\[/, `${field.split(".").pop()}: [`)}${otherRegion ? "" : `; if AWS added ${name} after this release, list it under ${overrideKey}.${region}`}`;
    throw new CanalkitInputError(`${field}[${i}]`, name, problem, fix);
  });
}
