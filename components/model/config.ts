/**
 * The stack config, declared once.
 *
 * This zod schema is the single source for three things: parsing `stacks/Pulumi.<env>.yaml`,
 * the types the rest of gatelock works with, and the JSON Schema that editors use to
 * validate stack files (`schema/gatelock-stack.schema.json`). Shape and syntax live here;
 * judgement about what is *unsafe* lives in `safety.ts`, so that every refusal carries a
 * code, a key and a fix.
 */
import { z } from "zod";
import { FederatedOriginConfig } from "./federated/config";
import { MtlsOriginConfig } from "./mtls/config";
import { TunnelOriginConfig } from "./tunnel/config";
import { ServiceAuthOriginConfig } from "./service-auth/config";
import { AWS_REGION, AZURE_RG, AZURE_VAULT, GCP_PROJECT, HEADER_NAME, httpsOrLoopbackUrl, originName, variableName } from "./primitives";

/** Config namespace: keys are `gatelock:gateway`, `gatelock:origins`. */
export { CONFIG_NAMESPACE } from "./issues";

/** Where the gateway's variables land. */
export const GatewayEnvironmentConfig = z
  .strictObject({
    developerApi: z.boolean().default(true).describe("Write variables with Zuplo's Developer API."),
    apiUrl: httpsOrLoopbackUrl
      .default("https://dev.zuplo.com")
      .describe("Zuplo Developer API base URL: `https://dev.zuplo.com`, or a loopback URL for tests. Any other host needs `dangerouslyAllowCustomApiUrl`."),
    dangerouslyAllowCustomApiUrl: z
      .boolean()
      .default(false)
      .describe("Escape hatch: send the API key and every secret to an https `apiUrl` on another host than Zuplo's (e.g. a corporate egress proxy)."),
    dotenv: z
      .string()
      .min(1)
      .optional()
      .describe("Also write the variables to this dotenv file (relative to the project), for `zuplo dev`."),
    redeploy: z
      .boolean()
      .default(false)
      .describe(
        "After the Developer API writes changed variables, redeploy the branch's live deployment(s) so the new values take effect at once " +
          "(Zuplo applies variable changes only on a new deployment). Closes the rotation window in which the gateway still sends the previous secret. " +
          "Needs `developerApi` and at least one existing deployment of the branch.",
      ),
  })
  .describe("Where gatelock writes the gateway's variables.");

/** Override of the gateway's token issuer, for a custom OIDC issuer instead of Zuplo's. */
export const GatewayIdentityConfig = z
  .strictObject({
    issuer: z.url({ error: "expected the issuer URL exactly as it appears in the token's `iss` claim" }).describe("`iss` of the gateway's tokens; https only."),
    jwksUri: z.url().optional().describe("JWKS URL (default: `<issuer>/.well-known/jwks.json`)."),
    claims: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().min(1))
      .optional()
      .describe("Claims every token of this gateway carries. On Zuplo's shared issuer, `account` and `project` are always pinned from the gateway and cannot be replaced."),
    dangerouslyAllowForeignJwksHost: z
      .boolean()
      .default(false)
      .describe("Escape hatch: allow a `jwksUri` on another host than the issuer's. Whoever serves those keys can mint tokens every origin trusts."),
  })
  .describe("A custom OIDC issuer for the gateway (default: Zuplo's issuer with `account` and `project` claims).");

export const ZuploGatewayConfig = z
  .strictObject({
    kind: z.literal("zuplo"),
    account: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: "expected a Zuplo account name (e.g. `acme`)" })
      .describe("Zuplo account name."),
    project: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "expected a Zuplo project name (e.g. `orders-api`)" })
      .describe("Zuplo project name."),
    branch: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,200}$/, { error: "expected a source-control branch name (e.g. `main`)" })
      .describe("Zuplo branch (environment) whose variables are set."),
    environment: GatewayEnvironmentConfig.default({ developerApi: true, apiUrl: "https://dev.zuplo.com", dangerouslyAllowCustomApiUrl: false, redeploy: false }),
    identity: GatewayIdentityConfig.optional(),
  })
  .describe("A Zuplo gateway.");

export const GatewayConfig = z.discriminatedUnion("kind", [ZuploGatewayConfig]);

export const SharedSecretConfig = z
  .strictObject({
    header: z
      .string()
      .regex(HEADER_NAME, { error: "expected a lower-case HTTP header name (e.g. `x-gateway-secret`)" })
      .default("x-gateway-secret")
      .describe("Header the gateway adds to every request to the origin."),
    length: z.int().min(1).max(256).default(48).describe("Secret length in characters (at least 32)."),
    rotateAfterDays: z.int().min(1).max(3650).default(90).describe("Rotate the secret after this many days."),
    overlapDays: z
      .int()
      .min(0)
      .max(3650)
      .default(14)
      .describe("After a rotation, keep accepting the previous secret for this many days."),
    rotation: z
      .int()
      .min(0)
      .default(0)
      .describe("Increase by one to force a rotation now (each step rotates once)."),
    variable: variableName.optional().describe("Gateway variable name (default `<ORIGIN>_SHARED_SECRET`)."),
  })
  .describe("Shared-secret settings.");

export const AwsSecretStoreConfig = z
  .strictObject({
    region: z.string().regex(AWS_REGION, { error: "expected an AWS region (e.g. `us-east-1`)" }),
    readers: z
      .array(z.string())
      .describe("IAM role ARNs of the origin that may read the secret (exact ARNs, no wildcards)."),
    secretName: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, { error: "expected a Secrets Manager name" })
      .optional(),
    kmsKeyId: z.string().min(1).optional().describe("KMS key ARN or alias to encrypt the secret."),
    recoveryWindowInDays: z.int().min(0).max(30).optional(),
  })
  .describe("Where an AWS origin reads its shared secret (Secrets Manager).");

export const GcpSecretStoreConfig = z
  .strictObject({
    project: z.string().regex(GCP_PROJECT, { error: "expected a GCP project ID (e.g. `acme-prod`)" }),
    readers: z
      .array(z.string())
      .describe("Service account emails of the origin that may read the secret."),
    secretId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,255}$/, { error: "expected a Secret Manager secret ID" })
      .optional(),
    locations: z
      .array(z.string().regex(/^[a-z]+-[a-z]+\d$/, { error: "expected a GCP region (e.g. `europe-west1`)" }))
      .optional()
      .describe("Replicate only to these regions (default: automatic replication)."),
    dangerouslyAllowDefaultServiceAccount: z
      .boolean()
      .default(false)
      .describe("Escape hatch: allow the Compute Engine default service account (`<number>-compute@developer.gserviceaccount.com`) as a reader. Every workload that runs as it could read the secret."),
  })
  .describe("Where a GCP origin reads its shared secret (Secret Manager).");

export const AzureSecretStoreConfig = z
  .strictObject({
    resourceGroup: z.string().regex(AZURE_RG, { error: "expected an Azure resource group name" }),
    vault: z
      .string()
      .regex(AZURE_VAULT, { error: "expected a Key Vault name (3-24 letters, digits and dashes)" })
      .describe("Existing Key Vault that uses Azure RBAC."),
    readers: z
      .array(z.string())
      .describe("Principal (object) IDs of the origin's managed identities that may read the secret."),
    secretName: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,127}$/, { error: "expected a Key Vault secret name" })
      .optional(),
  })
  .describe("Where an Azure origin reads its shared secret (Key Vault).");

export const SharedSecretOriginConfig = z
  .strictObject({
    name: originName,
    method: z.literal("shared-secret"),
    cloud: z.enum(["aws", "gcp", "azure", "local"]),
    url: httpsOrLoopbackUrl.optional().describe("The origin's base URL, as the gateway forwards to it."),
    sharedSecret: SharedSecretConfig.default({
      header: "x-gateway-secret",
      length: 48,
      rotateAfterDays: 90,
      overlapDays: 14,
      rotation: 0,
    }),
    aws: AwsSecretStoreConfig.optional(),
    gcp: GcpSecretStoreConfig.optional(),
    azure: AzureSecretStoreConfig.optional(),
  })
  .describe("An origin locked with a shared secret the gateway sends as a header.");

export const OriginConfig = z.discriminatedUnion("method", [SharedSecretOriginConfig, FederatedOriginConfig, ServiceAuthOriginConfig, MtlsOriginConfig, TunnelOriginConfig]);

export const GatelockConfig = z.strictObject({
  gateway: GatewayConfig,
  origins: z.array(OriginConfig),
});

export type GatelockConfigInput = z.input<typeof GatelockConfig>;
export type ParsedConfig = z.output<typeof GatelockConfig>;
export type ParsedGateway = z.output<typeof GatewayConfig>;
export type ParsedOrigin = z.output<typeof OriginConfig>;
export type ParsedSharedSecretOrigin = z.output<typeof SharedSecretOriginConfig>;
export type ParsedFederatedOrigin = z.output<typeof FederatedOriginConfig>;
export type { ParsedServiceAuthOrigin } from "./service-auth/config";
export type { ParsedMtlsOrigin } from "./mtls/config";
export type { ParsedTunnelOrigin } from "./tunnel/config";
export type Cloud = ParsedOrigin["cloud"];
export type Method = ParsedOrigin["method"];

export { GUID as GUID_PATTERN, HEADER_NAME, ORIGIN_NAME, VARIABLE_NAME } from "./primitives";
