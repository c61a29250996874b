/**
 * Method 5, secure tunnel: a connector inside the private network dials out to the gateway's
 * tunnel (Zuplo's, on Cloudflare's network), and the gateway reaches the origin as
 * `service://<service>`; the origin has no public address at all. The config: the tunnel and
 * the service (the origin's private endpoint as the connector reaches it), the connector's
 * token rotation, replicas and image, and where the connector runs.
 */
import { z } from "zod";
import { AWS_REGION, AZURE_RG, GCP_PROJECT, GCP_REGION, originName } from "../primitives";

/** Zuplo's tunnel names. */
export const TUNNEL_NAME = /^[a-zA-Z0-9-]{3,24}$/;
/** A service name in a tunnel's configuration (Zuplo's schema: 3-24 letters, digits, dashes), lower case: it becomes `service://<name>`. */
export const TUNNEL_SERVICE = /^[a-z0-9][a-z0-9-]{1,22}[a-z0-9]$/;
/** The connector image: `zuplo/tunnel`, optionally a registry mirror of it, with a tag and/or a digest. */
const IMAGE = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9._/-]+(?::[A-Za-z0-9._-]{1,128})?(?:@sha256:[0-9a-f]{64})?$/;
/** The tag `zuplo/tunnel` tracks (updated about monthly). */
export const DEFAULT_TUNNEL_IMAGE = "zuplo/tunnel:latest";

export const TunnelConfig = z
  .strictObject({
    name: z
      .string()
      .regex(TUNNEL_NAME, { error: "expected 3-24 letters, digits and dashes (Zuplo's tunnel names)" })
      .optional()
      .describe("The Zuplo tunnel (default `gl-<stack>-<origin>`, its own). Origins naming the same tunnel share it: the first one's connector carries them all (each of a tunnel's connectors may get any of its requests), so they must agree on `cloud`, its block, and the connector settings."),
    service: z
      .string()
      .regex(TUNNEL_SERVICE, { error: "expected 3-24 lower-case letters, digits and dashes (e.g. `warehouse-prod`)" })
      .optional()
      .describe("The service name the gateway calls as `service://<service>` (default `<origin>-<stack>`)."),
    endpoint: z
      .url({ error: "expected the origin's URL as the connector reaches it (e.g. `http://10.0.3.12:8080`)" })
      .describe("The origin as the connector reaches it inside the private network: a private or loopback address, or a private DNS name."),
    accessibleBy: z
      .array(z.enum(["production", "preview", "working-copy"]))
      .min(1)
      .default(["production"])
      .describe("Zuplo environment types that may call the service (default `production`)."),
    rotateAfterDays: z.int().min(1).max(3650).default(90).describe("Rotate the tunnel's token after this many days (the connector restarts with the new one, replica by replica)."),
    rotation: z.int().min(0).default(0).describe("Increase by one to rotate the token now."),
    replicas: z.int().min(1).max(20).default(2).describe("Connector replicas (at least two: Zuplo recommends two, and a rotation restarts them one at a time)."),
    dangerouslyAllowSingleReplica: z.boolean().default(false).describe("Escape hatch for development: one replica, so the origin is unreachable while it restarts. Reported as a warning."),
    image: z
      .string()
      .regex(IMAGE, { error: "expected an image reference, e.g. `zuplo/tunnel@sha256:<digest>`" })
      .default(DEFAULT_TUNNEL_IMAGE)
      .describe("The connector image. Pin it by digest (`zuplo/tunnel@sha256:…`): a tag alone can change under you, and the audit warns."),
    dangerouslyAllowPublicEndpoint: z
      .boolean()
      .default(false)
      .describe("Escape hatch: an endpoint with a public address. The point of a tunnel is that the origin has none; reported as a warning."),
  })
  .describe("The tunnel, the service it carries for this origin, and the connector's token and replicas.");

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const ECS_CLUSTER_ARN = /^arn:aws(-[a-z]+)*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;

export const AwsTunnelConfig = z
  .strictObject({
    region: z.string().regex(AWS_REGION, { error: "expected an AWS region (e.g. `us-east-1`)" }),
    vpcId: z.string().regex(VPC_ID, { error: "expected a VPC ID (`vpc-…`)" }).describe("The VPC the connector runs in (its security group's)."),
    subnets: z
      .array(z.string().regex(SUBNET_ID, { error: "expected a subnet ID (`subnet-…`)" }))
      .min(1)
      .describe("Private subnets for the connector's tasks (with a NAT gateway or endpoints for egress); no public IP is ever assigned."),
    clusterArn: z.string().regex(ECS_CLUSTER_ARN, { error: "expected an ECS cluster ARN" }).optional().describe("An existing ECS cluster (default: gatelock creates one)."),
    originCidr: z
      .string()
      .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: "expected an IPv4 CIDR (e.g. `10.0.3.12/32`)" })
      .optional()
      .describe("Where the origin is, for the connector's egress rule (default: the endpoint's address /32, when it is an IP address)."),
  })
  .describe("An ECS Fargate service in private subnets, its egress-only security group, and the token in Secrets Manager.");

export const GcpTunnelConfig = z
  .strictObject({
    project: z.string().regex(GCP_PROJECT, { error: "expected a GCP project ID (e.g. `acme-prod`)" }),
    region: z.string().regex(GCP_REGION, { error: "expected a GCP region (e.g. `europe-west1`)" }),
    network: z.string().min(1).describe("The VPC network the origin is in (name or self link)."),
    subnetwork: z.string().min(1).describe("The subnetwork for Direct VPC egress (name or self link)."),
  })
  .describe("A Cloud Run worker pool (no HTTP endpoint) with Direct VPC egress, and the token in Secret Manager for its own service account.");

export const AzureTunnelConfig = z
  .strictObject({
    resourceGroup: z.string().regex(AZURE_RG, { error: "expected an Azure resource group name" }),
    containerAppsEnvironmentId: z
      .string()
      .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.App\/managedEnvironments\/[^/]+$/i, { error: "expected the resource ID of a Container Apps environment (`/subscriptions/…/providers/Microsoft.App/managedEnvironments/<name>`)" })
      .describe("The Container Apps environment (in the origin's virtual network) the connector runs in, without ingress."),
    vaultUri: z
      .string()
      .regex(/^https:\/\/[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)\/?$/, { error: "expected a Key Vault URI (e.g. `https://kv-acme.vault.azure.net/`)" })
      .optional()
      .describe("A Key Vault (RBAC) for the token, read through the connector's managed identity (default: a Container Apps secret)."),
    vaultResourceGroup: z.string().regex(AZURE_RG, { error: "expected an Azure resource group name" }).optional().describe("The Key Vault's resource group (default `resourceGroup`)."),
  })
  .describe("A Container App without ingress (at least one replica always), the token as a secret or a Key Vault reference.");

export const KubernetesTunnelConfig = z
  .strictObject({
    namespace: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: "expected a Kubernetes namespace" }).default("default"),
    networkPolicy: z.boolean().default(true).describe("Add a NetworkPolicy: no ingress, egress only to DNS, the tunnel's port 7844 and the origin."),
    originCidr: z
      .string()
      .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: "expected an IPv4 CIDR (e.g. `10.0.3.12/32`)" })
      .optional()
      .describe("Where the origin is, for the NetworkPolicy (default: the endpoint's address /32, when it is an IP address)."),
  })
  .describe("A Deployment (non-root, read-only root filesystem, no capabilities), a PodDisruptionBudget, the token in a Secret, no Service.");

export const DockerTunnelConfig = z
  .strictObject({
    format: z.enum(["compose", "systemd"]).default("compose").describe("What gatelock writes for the Docker host: a compose file, or a systemd unit."),
    dir: z.string().min(1).default(".gatelock/tunnel").describe("Where the files are written (relative to the project; git must ignore it): the compose file or unit, and the token file (mode 0600)."),
  })
  .describe("A plain Docker host: a compose file or systemd unit, with the token read from a file of mode 0600.");

export const TunnelOriginConfig = z
  .strictObject({
    name: originName,
    method: z.literal("tunnel"),
    cloud: z.enum(["aws", "gcp", "azure", "kubernetes", "docker"]).describe("Where the connector runs."),
    tunnel: TunnelConfig,
    aws: AwsTunnelConfig.optional(),
    gcp: GcpTunnelConfig.optional(),
    azure: AzureTunnelConfig.optional(),
    kubernetes: KubernetesTunnelConfig.optional(),
    docker: DockerTunnelConfig.optional(),
  })
  .describe("An origin reached only through the gateway's tunnel: a connector inside its network dials out, and nothing listens on the internet.");

export type ParsedTunnelOrigin = z.output<typeof TunnelOriginConfig>;
