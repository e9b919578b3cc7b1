/**
 * Kubeconfig text for an EKS cluster, authenticating through `aws eks get-token` (the AWS CLI),
 * so no long-lived credential is ever written into it.
 */
import { stringify } from "yaml";

/** What a kubeconfig for an EKS cluster needs. */
export interface EksKubeconfigInput {
  clusterName: string;
  endpoint: string;
  certificateAuthorityData: string;
  region: string;
  /** AWS CLI profile to use, if not the default credentials chain. */
  profile?: string;
  /**
   * IAM role `aws eks get-token` assumes (`--role-arn`), the same role the stack's AWS provider for
   * this cluster assumes, so the token names the principal that holds the admin access entry.
   */
  roleArn?: string;
}

/** Renders the kubeconfig YAML. */
export function renderEksKubeconfig(input: EksKubeconfigInput): string {
  const args = ["eks", "get-token", "--cluster-name", input.clusterName, "--region", input.region, ...(input.roleArn ? ["--role-arn", input.roleArn] : []), "--output", "json"];
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: input.clusterName, cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthorityData } }],
    contexts: [{ name: input.clusterName, context: { cluster: input.clusterName, user: input.clusterName } }],
    "current-context": input.clusterName,
    users: [
      {
        name: input.clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args,
            ...(input.profile ? { env: [{ name: "AWS_PROFILE", value: input.profile }] } : {}),
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}
