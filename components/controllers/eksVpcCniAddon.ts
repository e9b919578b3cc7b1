/**
 * The EKS `vpc-cni` add-on, as `DefaultCniRemoval` removes it: DescribeAddon, then DeleteAddon
 * without `preserve` (so EKS deletes `aws-node` with it), then DescribeAddon until EKS answers
 * `ResourceNotFoundException`. Credentials come from the environment the engine runs in (profile,
 * SSO, keys), never from inputs, as for the route reconciler's EC2 client. Every request is bounded
 * by the wait's deadline (`withDeadline`).
 */
import type * as eks from "@aws-sdk/client-eks";
import { requestBudgetMs, timeoutError } from "./deadline";
import { isTransient, retryTransient } from "./retry";

/** The add-on that ships the Amazon VPC CNI. */
export const VPC_CNI_ADDON = "vpc-cni";

/** Whether `name` is an EKS cluster name as EKS accepts it: 1–100 letters, digits, `-` and `_`, starting with a letter or digit. */
export function isEksClusterName(name: string): boolean {
  return /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(name);
}

/** Whether `region` is an AWS region name such as us-east-1 (as the stack schema accepts it). */
export function isAwsRegion(region: string): boolean {
  return /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region);
}

/** Where the add-on lives: the EKS cluster's name and region (and an endpoint override for VPC endpoints and tests). */
export interface EksAddonTarget {
  eksClusterName: string;
  region: string;
  eksEndpoint?: string;
}

/** What DescribeAddon says of the add-on: its status and health issues, or undefined when EKS has none. */
export interface AddonState {
  status: string;
  issues: string[];
}

/** What one run of `removeVpcCniAddon` needs: the deadline and how often to look. */
export interface AddonWait {
  deadline: number;
  pollSeconds: number;
  timeoutSeconds: number;
}

/** The EKS client: one attempt per call (retries are ours, so a lost DeleteAddon is never sent twice blind). */
function eksClient(target: EksAddonTarget): { client: eks.EKSClient; sdk: typeof eks } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@aws-sdk/client-eks") as typeof eks;
  return {
    sdk,
    client: new sdk.EKSClient({
      region: target.region,
      ...(target.eksEndpoint ? { endpoint: target.eksEndpoint } : {}),
      maxAttempts: 1,
      // Bounded like the Kubernetes and EC2 requests: an endpoint that never answers fails the attempt.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
    }),
  };
}

/** Sends one command, aborted at the request bound cut to the deadline in force; a timeout is transient. */
async function send<T>(client: eks.EKSClient, command: unknown, target: EksAddonTarget): Promise<T> {
  const budget = requestBudgetMs();
  if (budget <= 0) throw timeoutError(0);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), budget);
  const operation = (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, "");
  try {
    return (await client.send(command as never, { abortSignal: controller.signal })) as T;
  } catch (error) {
    if (controller.signal.aborted) throw timeoutError(budget);
    // Say which call failed and where; name, code and HTTP status stay for the retry and not-found checks.
    const e = error as Error & { name: string };
    const denied = /AccessDenied|UnrecognizedClient|InvalidSignature|ExpiredToken|MissingAuthenticationToken/.test(e.name ?? "");
    e.message =
      `EKS ${operation} (${VPC_CNI_ADDON} add-on of cluster "${target.eksClusterName}", ${target.region}) failed: ${e.name}: ${e.message}` +
      (denied ? `. The AWS credentials \`pulumi up\` runs with need eks:DescribeAddon and eks:DeleteAddon on this add-on` : "");
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

const notFound = (error: unknown) => (error as { name?: string })?.name === "ResourceNotFoundException";

/** The add-on's state, or undefined when the cluster has no `vpc-cni` add-on. */
async function describe(client: eks.EKSClient, sdk: typeof eks, target: EksAddonTarget): Promise<AddonState | undefined> {
  try {
    const answer = await retryTransient(() => send<eks.DescribeAddonCommandOutput>(client, new sdk.DescribeAddonCommand({ clusterName: target.eksClusterName, addonName: VPC_CNI_ADDON }), target));
    const addon = answer.addon;
    return { status: addon?.status ?? "UNKNOWN", issues: (addon?.health?.issues ?? []).map((i) => `${i.code ?? "issue"}: ${i.message ?? ""}`.trim()) };
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

/**
 * Deletes the `vpc-cni` add-on if the cluster has one and waits until EKS no longer lists it;
 * answers whether the add-on was there. Idempotent: an add-on already `DELETING` is waited for, not
 * deleted again. A DeleteAddon whose answer is lost is checked with DescribeAddon before any second
 * attempt: a second DeleteAddon of an add-on already `DELETING` is never sent (what EKS answers to
 * it is not something to rely on).
 */
export async function removeVpcCniAddon(target: EksAddonTarget, wait: AddonWait): Promise<boolean> {
  const { client, sdk } = eksClient(target);
  const where = `EKS cluster "${target.eksClusterName}" (${target.region})`;
  try {
    let state = await describe(client, sdk, target);
    if (!state) return false;
    for (let attempt = 1; state && state.status !== "DELETING"; attempt++) {
      try {
        // Without `preserve`: EKS removes what the add-on installed, aws-node included.
        await send(client, new sdk.DeleteAddonCommand({ clusterName: target.eksClusterName, addonName: VPC_CNI_ADDON, preserve: false }), target);
        break;
      } catch (error) {
        if (notFound(error)) return true;
        if (!isTransient(error) || attempt >= 6 || Date.now() >= wait.deadline) throw error;
        // The delete may have landed with its answer lost: look before sending it again.
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, wait.pollSeconds * 1000)));
        state = await describe(client, sdk, target);
      }
    }
    let seen = "";
    for (;;) {
      try {
        state = await describe(client, sdk, target);
        if (!state) return true;
        if (state.status === "DELETE_FAILED") {
          throw Object.assign(new Error(`EKS could not delete the ${VPC_CNI_ADDON} add-on of ${where}: status DELETE_FAILED${state.issues.length ? ` (${state.issues.join("; ")})` : ""}. Fix what it names, then run pulumi up again.`), { final: true });
        }
        seen = `status ${state.status}`;
      } catch (error) {
        if ((error as { final?: boolean }).final || !isTransient(error)) throw error;
        seen = `${seen.replace(/; then reading failed.*$/, "")}${seen ? "; then " : ""}reading failed: ${(error as Error).message.split("\n")[0]}`;
      }
      if (Date.now() + wait.pollSeconds * 1000 > wait.deadline) break;
      await new Promise((resolve) => setTimeout(resolve, wait.pollSeconds * 1000));
    }
    throw new Error(
      `the ${VPC_CNI_ADDON} add-on of ${where} is still being deleted after ${wait.timeoutSeconds}s (${seen}). Canal is not installed beside the Amazon VPC CNI; ` +
        `the next \`pulumi up\` waits again (aws eks describe-addon --cluster-name ${target.eksClusterName} --addon-name ${VPC_CNI_ADDON} --region ${target.region}).`,
    );
  } finally {
    client.destroy();
  }
}
