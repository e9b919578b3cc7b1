/** Security policies: EKS endpoint exposure, IMDSv2, secrets encryption, load-balancer exposure, tags. */
import { violation, type CanalkitPolicy } from "./types";

/** EKS public endpoint only from named CIDRs. */
export const eksPublicEndpointRestricted: CanalkitPolicy = {
  name: "canalkit-eks-public-endpoint-restricted",
  description: "An EKS cluster with a public API endpoint restricts it to given CIDRs (never 0.0.0.0/0).",
  severity: "high",
  area: "security",
  remediation: "set eks.endpoint.publicAccessCidrs to your office or VPN ranges, or turn the public endpoint off.",
  validateResource: (args, report) => {
    if (args.type !== "aws:eks/cluster:Cluster") return;
    const vpc = args.props["vpcConfig"] ?? {};
    // The API default for endpointPublicAccess is true, with 0.0.0.0/0.
    if (vpc["endpointPublicAccess"] === false) return;
    const cidrs: string[] = vpc["publicAccessCidrs"] ?? [];
    if (cidrs.length === 0 || cidrs.includes("0.0.0.0/0")) report(violation(eksPublicEndpointRestricted, `${args.name}: the public endpoint is open to ${cidrs.length ? cidrs.join(", ") : "0.0.0.0/0 (default)"}.`));
  },
};

/** Nodes require IMDSv2. */
export const imdsv2Required: CanalkitPolicy = {
  name: "canalkit-imdsv2-required",
  description: "Node launch templates require IMDSv2 (httpTokens = required).",
  severity: "high",
  area: "security",
  remediation: "set metadataOptions.httpTokens to required (the EksCluster component does).",
  validateResource: (args, report) => {
    if (args.type !== "aws:ec2/launchTemplate:LaunchTemplate" && args.type !== "aws:ec2/instance:Instance") return;
    if (args.props["metadataOptions"]?.["httpTokens"] !== "required") report(violation(imdsv2Required, `${args.name}: instance metadata allows IMDSv1.`));
  },
  // Safe to apply automatically (enforcement level "remediate"): nodes on EKS read metadata with IMDSv2.
  remediateResource: (args) => {
    if (args.type !== "aws:ec2/launchTemplate:LaunchTemplate" && args.type !== "aws:ec2/instance:Instance") return undefined;
    const metadata = (args.props["metadataOptions"] ?? {}) as Record<string, unknown>;
    if (metadata["httpTokens"] === "required") return undefined;
    return { ...args.props, metadataOptions: { ...metadata, httpTokens: "required" } };
  },
};

/** EKS secrets are encrypted with KMS. */
export const eksSecretsEncryption: CanalkitPolicy = {
  name: "canalkit-eks-secrets-encryption",
  description: "EKS clusters encrypt Kubernetes secrets with a KMS key.",
  severity: "high",
  area: "security",
  remediation: "set encryptionConfig with resources [secrets] and a KMS key (the EksCluster component does).",
  validateResource: (args, report) => {
    if (args.type !== "aws:eks/cluster:Cluster") return;
    const enc = args.props["encryptionConfig"];
    // A key created in the same deployment is unknown in a preview: that it is set is what matters.
    if (!enc || !(enc["resources"] ?? []).includes("secrets") || !("keyArn" in (enc["provider"] ?? {}))) report(violation(eksSecretsEncryption, `${args.name}: secrets are not envelope-encrypted with KMS.`));
  },
};

/** Internet-facing load balancers only when allowed. */
export const internetFacingLoadBalancers: CanalkitPolicy = {
  name: "canalkit-internet-facing-load-balancers",
  description: "LoadBalancer Services are internal unless the policy config allows internet-facing ones (allowInternetFacing).",
  severity: "high",
  area: "security",
  remediation: "annotate the Service with service.beta.kubernetes.io/aws-load-balancer-scheme: internal, or allow internet-facing load balancers for this stack explicitly.",
  configSchema: { properties: { allowInternetFacing: { type: "boolean", default: false } } },
  validateResource: (args, report) => {
    if (args.type !== "kubernetes:core/v1:Service" || args.props["spec"]?.["type"] !== "LoadBalancer") return;
    const annotations = args.props["metadata"]?.["annotations"] ?? {};
    const scheme = annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"];
    const internal = scheme === "internal" || annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] === "true";
    if (!internal && !args.getConfig<{ allowInternetFacing?: boolean }>().allowInternetFacing) {
      report(violation(internetFacingLoadBalancers, `${args.name}: the load balancer is internet-facing (scheme ${scheme ?? "unset, which AWS makes internet-facing"}).`));
    }
  },
};

/** AWS resource types that take tags and that the kit creates. */
const TAGGABLE = new Set([
  "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/routeTable:RouteTable", "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:kms/key:Key", "aws:iam/role:Role", "aws:ec2/flowLog:FlowLog", "aws:cloudwatch/logGroup:LogGroup",
]);

/** Taggable AWS resources carry the environment and owner tags. */
export const requiredTags: CanalkitPolicy = {
  name: "canalkit-required-tags",
  description: "Taggable AWS resources carry the tags environment and owner.",
  severity: "low",
  area: "security",
  remediation: "set canalkit:environment and canalkit:owner in the stack config (the kit tags every resource with them).",
  // Organisations add their own required tags through the pack's config (--policy-pack-config).
  configSchema: { properties: { requiredTags: { type: "array", items: { type: "string" }, default: ["environment", "owner"] } } },
  validateResource: (args, report) => {
    if (!TAGGABLE.has(args.type)) return;
    const tags = args.props["tags"] ?? {};
    const required = args.getConfig<{ requiredTags?: string[] }>().requiredTags ?? ["environment", "owner"];
    const missing = required.filter((t) => typeof tags[t] !== "string" || tags[t].length === 0);
    if (missing.length > 0) report(violation(requiredTags, `${args.name}: missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}.`));
  },
};

/** Gateways terminate TLS in production. */
export const gatewayTls: CanalkitPolicy = {
  name: "canalkit-gateway-tls",
  description: "Cluster gateways (ErieCanal's ingress) listen with TLS and north-south gateways carry a certificate. Required in production, advised in staging.",
  severity: "high",
  area: "security",
  remediation: "set clusterSet.erieCanal.gatewayTls: true (and certManager: true for certificates), and give NorthSouthGateway a tls issuer.",
  enforcementByEnvironment: { dev: "disabled", staging: "advisory", prod: "mandatory" },
  validateResource: (args, report) => {
    if (args.type === "canalkit:multicluster:ErieCanal" && args.props["gatewayTls"] !== true) {
      report(violation(gatewayTls, `${args.name}: the gateway of ${args.props["clusterName"]} serves plain HTTP only.`));
    }
    if (args.type === "canalkit:multicluster:NorthSouthGateway" && args.props["tls"] !== true) {
      report(violation(gatewayTls, `${args.name}: the gateway for ${(args.props["hosts"] ?? []).join(", ")} has no certificate.`));
    }
  },
};

/** Every security policy. */
export const securityPolicies: CanalkitPolicy[] = [eksPublicEndpointRestricted, imdsv2Required, eksSecretsEncryption, internetFacingLoadBalancers, requiredTags, gatewayTls];
