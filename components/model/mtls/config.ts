/**
 * Method 4, mTLS. The origin accepts only TLS connections that present a client certificate
 * issued by a CA the stack controls, and the gateway presents that certificate. The config:
 * the PKI (CA, client certificate, their keys, validity and rotation) or a bring-your-own
 * trust bundle, the gateway's certificate name and variable, and per cloud where the origin's
 * trust store goes and which front end checks it.
 */
import { z } from "zod";
import { RESERVED_WORDS } from "./certificate-dir";
import { AWS_REGION, AZURE_RG, AZURE_VAULT, GCP_PROJECT, httpsOrLoopbackUrl, originName, variableName } from "../primitives";

/** Keys a CA may have: P-256 by default; never P-224 (the tls provider's own default). */
export const CA_KEYS = ["ECDSA_P256", "ECDSA_P384", "RSA_3072", "RSA_4096"] as const;
/** Keys the gateway's client certificate may have. */
export const CLIENT_KEYS = ["ECDSA_P256", "ECDSA_P384", "RSA_2048", "RSA_3072", "RSA_4096"] as const;
/** Browsers' and most platforms' ceiling for a leaf certificate's life. */
export const DEFAULT_MAX_CLIENT_VALIDITY_DAYS = 397;

/** Zuplo's certificate names: a JavaScript identifier of letters, digits and underscores (≤ 120 with the generation suffix). */
export const CERTIFICATE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;
/** A stack config key with its namespace, `namespace:name`. */
const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z][A-Za-z0-9_.-]*$/;
/** A subject attribute value gatelock writes: no characters that need escaping in a DN string. */
const SUBJECT_VALUE = /^[A-Za-z0-9 ._@/()&:-]{1,64}$/;

export const MtlsPkiConfig = z
  .strictObject({
    caKey: z
      .string()
      .default("ECDSA_P256")
      .describe(`The CA's key: ${CA_KEYS.map((k) => `\`${k}\``).join(", ")}. Anything weaker (P-224, RSA under 3072 for a CA) is refused.`),
    caValidityDays: z.int().min(1).max(3650).default(1825).describe("How long the CA certificate is valid (default five years)."),
    clientKey: z
      .string()
      .default("ECDSA_P256")
      .describe(`The gateway's client certificate key: ${CLIENT_KEYS.map((k) => `\`${k}\``).join(", ")}.`),
    clientValidityDays: z.int().min(1).default(DEFAULT_MAX_CLIENT_VALIDITY_DAYS).describe("How long each client certificate is valid (default 397 days)."),
    maxClientValidityDays: z
      .int()
      .min(1)
      .max(825)
      .default(DEFAULT_MAX_CLIENT_VALIDITY_DAYS)
      .describe("The longest client certificate life this stack accepts (default 397, at most 825)."),
    rotateAfterDays: z.int().min(1).default(90).describe("Issue a new client certificate after this many days (in `pulumi up`: the tls provider never renews by itself)."),
    overlapDays: z
      .int()
      .min(0)
      .default(14)
      .describe("After a rotation, keep the previous certificate's chain in the origin's trust bundle this long, while the gateway switches."),
    rotation: z.int().min(0).default(0).describe("Increase by one to issue a new client certificate (and key) now."),
    caRotateAfterDays: z
      .int()
      .min(1)
      .optional()
      .describe("Issue a new CA after this many days (default: early enough that every client certificate it signs expires before it does). The origin trusts both CAs for `overlapDays` after."),
    caRotation: z.int().min(0).default(0).describe("Increase by one to issue a new CA now (the origin trusts the old one for `overlapDays` more)."),
    certificateName: z
      .string()
      .regex(CERTIFICATE_NAME, { error: "expected a JavaScript identifier of letters, digits and underscores (e.g. `orders_mtls`)" })
      .refine((n) => !RESERVED_WORDS.includes(n), { error: "a JavaScript reserved word is not a valid certificate name" })
      .optional()
      .describe("Name of the gateway's certificate in Zuplo's certificate store, which is per project (default `<origin>_<stack>_mtls`). Each generation gets `_c<CA generation>g<generation>` appended, so the new one exists before the old one is deleted."),
    gatewayEnvironments: z
      .array(z.enum(["development", "preview", "production"]))
      .min(1)
      .default(["production"])
      .describe("Zuplo environment types in which the gateway may present the certificate (default `production`). Zuplo's store is per project: a preview branch enabled here could present this stack's certificate."),
    variable: variableName.optional().describe("Gateway variable holding the current certificate's name (default `<ORIGIN>_MTLS_CERT`)."),
    organization: z
      .string()
      .regex(SUBJECT_VALUE, { error: "expected 1-64 printable characters without `,`, `+`, `=` or quotes" })
      .default("gatelock")
      .describe("`O` of the CA's and the client certificate's subject."),
    ca: z
      .strictObject({
        certificate: z.string().min(1).describe("Your CA's PEM certificate (public). It must be a CA, not a public root, with a key at least P-256 / RSA 3072."),
        keySecret: z
          .string()
          .regex(CONFIG_KEY, { error: "expected a stack config key, e.g. `gatelock:statementsCaKey`" })
          .describe("The secret stack config key holding the CA's PEM private key: `pulumi config set --secret gatelock:statementsCaKey -- \"$(cat ca.key)\"`. A key in plain text is refused."),
        previousCertificate: z.string().min(1).optional().describe("While you rotate your CA: the previous CA certificate, trusted too until you remove it."),
      })
      .optional()
      .describe("Bring your own CA: gatelock issues and renews the gateway's client certificate with it, and the origin trusts it. You rotate the CA yourself (`previousCertificate` keeps the old one trusted meanwhile)."),
    trustBundle: z
      .string()
      .min(1)
      .optional()
      .describe("Bring your own: the PEM CA bundle the origin trusts, when the gateway's client certificate is issued elsewhere. A public root CA in it is refused."),
    dangerouslyAllowOptionalClientCert: z
      .boolean()
      .default(false)
      .describe("Escape hatch: allow an origin-side mode that lets requests without a valid client certificate through (ALB `passthrough`, GCP `ALLOW_INVALID_OR_MISSING_CLIENT_CERT`, App Service `Optional`). The origin must then check the certificate itself. Reported as a warning."),
  })
  .describe("The stack's PKI for one mTLS origin: a CA, the gateway's client certificate, and their rotation.");

const ACM_CERTIFICATE_ARN = /^arn:aws(-[a-z]+)*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const ELB_ARN = (kind: string) => new RegExp(`^arn:aws(-[a-z]+)*:elasticloadbalancing:[a-z0-9-]+:\\d{12}:${kind}/[A-Za-z0-9/_.-]+$`);
const DNS_NAME = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const S3_BUCKET = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GCP_RESOURCE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const SITE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])?$/;
const APP_GATEWAY_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;

export const AwsMtlsConfig = z
  .strictObject({
    region: z.string().regex(AWS_REGION, { error: "expected an AWS region (e.g. `us-east-1`)" }),
    truststoreBucket: z
      .string()
      .regex(S3_BUCKET, { error: "expected an S3 bucket name" })
      .optional()
      .describe("Name of the bucket gatelock creates for the trust store (versioned, private, TLS only); default: generated."),
    apiGateway: z
      .strictObject({
        domainName: z.string().regex(DNS_NAME, { error: "expected a DNS name (e.g. `orders.api.example.com`)" }).describe("The custom domain gatelock creates with mutual TLS."),
        certificateArn: z.string().regex(ACM_CERTIFICATE_ARN, { error: "expected an ACM certificate ARN" }).describe("ACM certificate of the domain (its server certificate)."),
        type: z.enum(["http", "rest"]).default("http").describe("An HTTP API (`apigatewayv2`, default) or a REST API (`apigateway`)."),
        apiId: z.string().regex(/^[a-z0-9]{10}$/, { error: "expected an API Gateway API ID (10 lower-case letters and digits)" }).describe("The API the domain maps to."),
        stage: z.string().regex(/^[A-Za-z0-9_$-]{1,128}$/, { error: "expected a stage name" }).default("$default").describe("Its stage (`$default` for an HTTP API's default stage)."),
        executeApiEndpointDisabled: z
          .boolean()
          .default(false)
          .describe("Say that the API has `disableExecuteApiEndpoint: true` where it is managed. Otherwise clients reach it around mutual TLS on `execute-api`, and gatelock refuses the origin."),
        dangerouslyAllowExecuteApiEndpoint: z
          .boolean()
          .default(false)
          .describe("Escape hatch: lock the custom domain although the API's default `execute-api` endpoint stays open (anyone can bypass mutual TLS there)."),
      })
      .optional()
      .describe("An API Gateway custom domain with mutual TLS (the trust store in S3, its version pinned)."),
    alb: z
      .strictObject({
        loadBalancerArn: z.string().regex(ELB_ARN("loadbalancer/app"), { error: "expected an Application Load Balancer ARN" }),
        certificateArn: z.string().regex(ACM_CERTIFICATE_ARN, { error: "expected an ACM certificate ARN" }).describe("The listener's server certificate."),
        targetGroupArn: z.string().regex(ELB_ARN("targetgroup"), { error: "expected a target group ARN" }).describe("Where the listener forwards verified requests."),
        port: z.int().min(1).max(65535).default(443),
        mode: z.enum(["verify", "passthrough", "off"]).default("verify").describe("Mutual authentication mode: `verify` (default). `passthrough` and `off` need `mtls.dangerouslyAllowOptionalClientCert`."),
      })
      .optional()
      .describe("An Application Load Balancer HTTPS listener that verifies the client certificate against a trust store."),
  })
  .describe("Where an AWS origin checks the gateway's certificate: an API Gateway custom domain, an ALB listener, or both.");

export const GcpMtlsConfig = z
  .strictObject({
    project: z.string().regex(GCP_PROJECT, { error: "expected a GCP project ID (e.g. `acme-prod`)" }),
    clientValidationMode: z
      .enum(["REJECT_INVALID", "ALLOW_INVALID_OR_MISSING_CLIENT_CERT"])
      .default("REJECT_INVALID")
      .describe("The ServerTlsPolicy's client validation: `REJECT_INVALID` (default). The other needs `mtls.dangerouslyAllowOptionalClientCert`."),
    targetHttpsProxy: z
      .strictObject({
        name: z.string().regex(GCP_RESOURCE_NAME, { error: "expected a GCP resource name" }),
        urlMap: z.string().min(1).describe("The URL map the proxy routes with (name, ID or self link)."),
        sslCertificates: z.array(z.string().min(1)).min(1).max(15).describe("The proxy's server certificates (names, IDs or self links; at most 15)."),
      })
      .optional()
      .describe("A global target HTTPS proxy gatelock creates with the policy attached. Without it, attach the policy (the `serverTlsPolicy` output) to your own proxy."),
  })
  .describe("Where a GCP origin checks the gateway's certificate: a Certificate Manager trust config and a ServerTlsPolicy for an external Application Load Balancer.");

export const AzureMtlsConfig = z
  .strictObject({
    appService: z
      .strictObject({
        name: z.string().regex(SITE_NAME, { error: "expected an App Service or Function App name" }),
        resourceGroup: z.string().regex(AZURE_RG, { error: "expected an Azure resource group name" }),
        clientCertMode: z.enum(["Required", "Optional", "OptionalInteractiveUser"]).default("Required").describe("`Required` (default). The others need `mtls.dangerouslyAllowOptionalClientCert`."),
      })
      .optional()
      .describe("An App Service or Function App: gatelock gives its settings (`clientCertEnabled`, `clientCertMode`) and delivers the trust bundle, since the app must check the chain itself."),
    appGateway: z
      .strictObject({
        name: z.string().regex(APP_GATEWAY_NAME, { error: "expected an Application Gateway name" }),
        resourceGroup: z.string().regex(AZURE_RG, { error: "expected an Azure resource group name" }),
      })
      .optional()
      .describe("An Application Gateway you manage: gatelock emits its trusted client certificate and SSL profile fragments."),
    vault: z
      .strictObject({
        resourceGroup: z.string().regex(AZURE_RG, { error: "expected an Azure resource group name" }),
        name: z.string().regex(AZURE_VAULT, { error: "expected a Key Vault name (3-24 letters, digits and dashes)" }),
        readers: z.array(z.string()).describe("Principal (object) IDs of the origin's managed identities that may read the bundle."),
      })
      .optional()
      .describe("The Key Vault (Azure RBAC) that holds the trust bundle for the app to read."),
  })
  .describe("Where an Azure origin checks the gateway's certificate.");

export const LocalMtlsConfig = z
  .strictObject({
    certificatesDir: z
      .string()
      .min(1)
      .default(".zuplo-local/mtls")
      .describe("Where `zuplo dev --mtls-certificates-dir` reads the gateway's certificate and key (relative to the project; git must ignore it)."),
  })
  .describe("A local origin: the certificate and key for `zuplo dev`, the trust bundle in `.env.<origin>`.");

export const MtlsOriginConfig = z
  .strictObject({
    name: originName,
    method: z.literal("mtls"),
    cloud: z.enum(["aws", "gcp", "azure", "local"]),
    url: httpsOrLoopbackUrl.optional().describe("The origin's base URL (https), as the gateway forwards to it."),
    mtls: MtlsPkiConfig.default(MtlsPkiConfig.parse({})),
    aws: AwsMtlsConfig.optional(),
    gcp: GcpMtlsConfig.optional(),
    azure: AzureMtlsConfig.optional(),
    local: LocalMtlsConfig.optional(),
  })
  .describe("An origin locked with mutual TLS: it accepts only connections that present the gateway's client certificate.");

export type ParsedMtlsPki = z.output<typeof MtlsPkiConfig>;
export type ParsedMtlsOrigin = z.output<typeof MtlsOriginConfig>;
