/**
 * Resolves an AZ count into names through the AWS provider of the cluster's region, so a stack
 * can say "3 AZs" and still get a plan with stable, named subnets.
 */
import * as aws from "@pulumi/aws";
import { CanalkitInputError } from "../errors";

/**
 * The first `count` available AZ names of the provider's region. Offline synth answers this
 * lookup from config; a real `pulumi up` asks EC2.
 */
export async function resolveAvailabilityZones(field: string, count: number, provider?: aws.Provider): Promise<string[]> {
  const result = await aws.getAvailabilityZones({ state: "available" }, provider ? { provider } : undefined);
  if (result.names.length < count) {
    throw new CanalkitInputError(field, count, `the region has only ${result.names.length} available AZs (${result.names.join(", ")})`, `ask for at most ${result.names.length}`);
  }
  return result.names.slice(0, count);
}
