/**
 * Which lock methods suit an origin, by where its URL points (pure): what `gatelock init
 * --from` writes as a comment above each origin. A suggestion, not a decision: the URL says
 * which platform serves the origin, not what the team can change on it.
 */
import { isPrivateHost } from "../model/tunnel/checks";

export interface MethodSuggestion {
  readonly method: "shared-secret" | "federated" | "service-auth" | "mtls" | "tunnel";
  /** The `cloud:` to write with it. */
  readonly cloud: string;
  /** Why, in a few words. */
  readonly why: string;
}

export interface OriginSuggestions {
  /** Where the URL points, e.g. `a Cloud Run service (*.run.app)`. */
  readonly where: string;
  /** Best first. */
  readonly methods: readonly MethodSuggestion[];
}

const ANY_PUBLIC: readonly MethodSuggestion[] = [
  { method: "shared-secret", cloud: "aws", why: "a secret header the origin checks (cloud: where the secret is stored: aws, gcp or azure)" },
  { method: "federated", cloud: "other", why: "the origin verifies the gateway's own ID token with gatelock/origin; no secret" },
  { method: "mtls", cloud: "aws", why: "the gateway presents a client certificate the origin's TLS front end requires" },
];

export function suggestMethods(url: string | undefined): OriginSuggestions {
  if (url === undefined) return { where: "unknown (the URL is in a variable gatelock could not read)", methods: ANY_PUBLIC };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { where: "unknown (not an absolute URL)", methods: ANY_PUBLIC };
  }
  const host = parsed.hostname.toLowerCase();
  if (parsed.protocol === "service:") return { where: `a Zuplo tunnel service (service://${host})`, methods: [{ method: "tunnel", cloud: "aws", why: "already behind a tunnel: gatelock runs the connector (cloud: aws, gcp, azure, kubernetes or docker) and rotates its token" }] };
  if (host === "localhost" || host === "127.0.0.1" || host === "[::1]" || host === "::1") {
    return { where: "this machine (loopback)", methods: [{ method: "shared-secret", cloud: "local", why: "for `zuplo dev`: the secret in .env files, no cloud" }, { method: "mtls", cloud: "local", why: "for `zuplo dev --mtls-certificates-dir`" }] };
  }
  if (host.endsWith(".run.app") || host.endsWith(".cloudfunctions.net")) {
    return {
      where: "a Cloud Run service or Cloud Function (*.run.app, *.cloudfunctions.net)",
      methods: [
        { method: "federated", cloud: "gcp", why: "Cloud Run's invoker check trusts the gateway's ID token through workload identity; no secret" },
        { method: "service-auth", cloud: "gcp", why: "the gateway sends a Google ID token of its own service account" },
      ],
    };
  }
  if (host.endsWith(".cloud.goog") || host.endsWith(".gateway.dev")) {
    return { where: "Cloud Endpoints or API Gateway (*.cloud.goog, *.gateway.dev)", methods: [{ method: "service-auth", cloud: "gcp", why: "a self-signed service account JWT, as ESPv2 checks (token: self-signed-jwt)" }] };
  }
  if (/\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.test(host)) {
    return {
      where: "an AWS API Gateway API (execute-api)",
      methods: [
        { method: "federated", cloud: "aws", why: "AWS_IAM authorization: the gateway assumes a role with its ID token and signs; no secret" },
        { method: "mtls", cloud: "aws", why: "a custom domain with mutual TLS (disable the execute-api endpoint)" },
      ],
    };
  }
  if (/\.lambda-url\.[a-z0-9-]+\.on\.aws$/.test(host)) {
    return { where: "an AWS Lambda function URL", methods: [{ method: "federated", cloud: "aws", why: "AuthType AWS_IAM: the gateway assumes a role with its ID token and signs; no secret" }] };
  }
  if (host.endsWith(".elb.amazonaws.com")) {
    return { where: "an AWS load balancer (*.elb.amazonaws.com)", methods: [{ method: "mtls", cloud: "aws", why: "the ALB's mutual TLS verify mode with gatelock's trust store" }, { method: "shared-secret", cloud: "aws", why: "a secret header the service behind it checks" }] };
  }
  if (host.endsWith(".azurewebsites.net") || host.endsWith(".azurecontainerapps.io")) {
    return {
      where: "an Azure App Service or Container App (*.azurewebsites.net, *.azurecontainerapps.io)",
      methods: [
        { method: "service-auth", cloud: "azure", why: "Easy Auth accepts only tokens for the app registration gatelock creates" },
        { method: "federated", cloud: "azure", why: "the gateway's ID token exchanged for an Entra token, no secret" },
        ...(host.endsWith(".azurewebsites.net") ? [{ method: "mtls" as const, cloud: "azure", why: "App Service's required client certificates" }] : []),
        { method: "shared-secret", cloud: "azure", why: "a secret header, stored in Key Vault" },
      ],
    };
  }
  if (host.endsWith(".core.windows.net") || host.endsWith(".azure.net")) {
    return { where: "an Azure data-plane service", methods: [{ method: "federated", cloud: "azure", why: "a data-plane role for the gateway's federated identity; no secret" }] };
  }
  if (host.endsWith(".amazonaws.com")) return { where: "an AWS service endpoint", methods: [{ method: "federated", cloud: "aws", why: "an IAM role the gateway assumes with its ID token" }] };
  if (isPrivateHost(host)) {
    return { where: "a private address the gateway cannot reach", methods: [{ method: "tunnel", cloud: "aws", why: "a Zuplo tunnel: a connector in the private network (cloud: where it runs: aws, gcp, azure, kubernetes or docker); the origin stays private" }] };
  }
  return { where: `a public host (${host})`, methods: ANY_PUBLIC };
}
