/**
 * The canalkit stack program: reads and validates the stack config, then builds each layer for
 * every cluster. `pulumi up` runs it through `stacks/index.ts`; `canalkit synth` runs the same
 * function under the SDK's mocks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterNetwork, resolveAvailabilityZones } from "../components/network";
import { CONFIG_NAMESPACE, atConfigPath, validateStackConfig } from "./config/validate";
import type { ClusterConfig, StackConfig } from "./config/schema";

/** Reads every `canalkit:` key of the running stack's config into one object. */
export function readStackConfig(): Record<string, unknown> {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(pulumi.runtime.allConfig())) {
    const [namespace, name] = key.split(":");
    if (namespace !== CONFIG_NAMESPACE || !name) continue;
    // Structured values arrive JSON-encoded; plain strings stay strings.
    const text = config.get(name)!;
    try {
      raw[name] = JSON.parse(text);
    } catch {
      raw[name] = text;
    }
  }
  return raw;
}

/** Tags every AWS resource of the stack carries. */
export function stackTags(config: StackConfig): Record<string, string> {
  return { ...config.tags, environment: config.environment, owner: config.owner, "canalkit.io/stack": pulumi.getStack() };
}

/** One AWS provider per region the stack uses. */
function regionProviders(config: StackConfig, tags: Record<string, string>): Map<string, aws.Provider> {
  const providers = new Map<string, aws.Provider>();
  for (const cluster of config.clusters) {
    if (!providers.has(cluster.region)) {
      providers.set(cluster.region, new aws.Provider(`aws-${cluster.region}`, { region: cluster.region as aws.Region, defaultTags: { tags } }));
    }
  }
  return providers;
}

/** The network layer of one cluster. */
async function buildNetwork(index: number, cluster: ClusterConfig, provider: aws.Provider, tags: Record<string, string>): Promise<ClusterNetwork> {
  const azs = Array.isArray(cluster.availabilityZones)
    ? cluster.availabilityZones
    : await resolveAvailabilityZones(`canalkit:clusters[${index}].availabilityZones`, cluster.availabilityZones, provider);
  const { flowLogs, ...network } = cluster.network;
  return atConfigPath(["clusters", index], () =>
    new ClusterNetwork(cluster.name, {
      ...network,
      clusterName: cluster.name,
      region: cluster.region,
      availabilityZones: azs,
      tags,
      flowLogs: { enabled: flowLogs },
    }, { provider }),
  );
}

/** Builds the whole stack and returns its outputs. */
export async function defineStack(): Promise<Record<string, unknown>> {
  const config = validateStackConfig(readStackConfig());
  const tags = stackTags(config);
  const providers = regionProviders(config, tags);
  const outputs: Record<string, unknown> = {};
  for (const [index, cluster] of config.clusters.entries()) {
    const network = await buildNetwork(index, cluster, providers.get(cluster.region)!, tags);
    outputs[cluster.name] = {
      region: cluster.region,
      topology: network.routing.topology,
      podMtu: network.podMtu,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      nodeSecurityGroupId: network.nodeSecurityGroupId,
    };
  }
  return outputs;
}
