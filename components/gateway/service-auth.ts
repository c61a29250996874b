/**
 * What the gateway needs for a service-auth origin (pure): its variables (values come from the
 * translator) and the Zuplo policy that mints the token.
 *
 * - Azure: `upstream-azure-ad-service-auth-inbound` requests `<client ID>/.default` with the
 *   client secret, so the token is for the app registration itself.
 * - GCP, ID token: `upstream-gcp-service-auth-inbound` with the Cloud Run URL as `audience`
 *   (a Google-signed ID token), or `scopes` (an access token for Google APIs).
 * - GCP, self-signed JWT: `upstream-gcp-jwt-inbound` signs `{iss, sub, aud}` with the key.
 *
 * The service account JSON is the single line Zuplo's runtime parses (see
 * documents/gcp-service-account-key.ts); every origin of one token kind gets the same account's
 * key, because the runtime keeps the first account it parses per policy type.
 */
import type { ServiceAuthTarget } from "../model/service-auth/target";
import { type KeyedVariables, urlVariableSpec } from "./variable-spec";
import type { OriginGatewayConfig } from "./zuplo-policies";

export const AZURE_SERVICE_AUTH_POLICY = { policyType: "upstream-azure-ad-service-auth-inbound", export: "UpstreamAzureAdServiceAuthInboundPolicy" } as const;
export const GCP_SERVICE_AUTH_POLICY = { policyType: "upstream-gcp-service-auth-inbound", export: "UpstreamGcpServiceAuthInboundPolicy" } as const;
export const GCP_JWT_POLICY = { policyType: "upstream-gcp-jwt-inbound", export: "UpstreamGcpJwtInboundPolicy" } as const;

export interface ServiceAuthGatewayOrigin {
  readonly name: string;
  readonly url?: string;
  readonly target: ServiceAuthTarget;
}

function prefix(originName: string): string {
  return originName.toUpperCase().replace(/-/g, "_");
}

export function serviceAuthPolicyName(originName: string): string {
  return `gatelock-${originName}-service-auth`;
}

/** Azure: the tenant and client ID are not secret (they name the app); the client secret is. */
export function azureServiceAuthVariables(origin: ServiceAuthGatewayOrigin): KeyedVariables<"tenantId" | "clientId" | "clientSecret"> {
  const p = prefix(origin.name);
  const v = (suffix: string, isSecret: boolean, description: string) => ({ name: `${p}_${suffix}`, isSecret, origin: origin.name, description });
  return {
    tenantId: v("AZURE_TENANT_ID", false, `Entra tenant of ${origin.name}'s app registration`),
    clientId: v("AZURE_CLIENT_ID", false, `client ID of ${origin.name}'s app registration (the token's audience)`),
    clientSecret: v("AZURE_CLIENT_SECRET", true, `client secret the gateway requests ${origin.name}'s tokens with (rotated)`),
    ...urlVariableSpec(origin),
  };
}

/** GCP: the service account's key file, one line, secret. */
export function gcpServiceAuthVariables(origin: ServiceAuthGatewayOrigin): KeyedVariables<"serviceAccountJson"> {
  return {
    serviceAccountJson: {
      name: `${prefix(origin.name)}_GCP_SERVICE_ACCOUNT_JSON`,
      isSecret: true,
      origin: origin.name,
      description: `key of the gateway's service account, which ${origin.name} admits (rotated)`,
    },
    ...urlVariableSpec(origin),
  };
}

export function serviceAuthVariables(origin: ServiceAuthGatewayOrigin): KeyedVariables<string> {
  return origin.target.cloud === "azure" ? azureServiceAuthVariables(origin) : gcpServiceAuthVariables(origin);
}

export function serviceAuthGatewayConfig(origin: ServiceAuthGatewayOrigin): OriginGatewayConfig {
  const name = serviceAuthPolicyName(origin.name);
  const t = origin.target;
  const policy = (kind: { policyType: string; export: string }, options: Record<string, unknown>) => ({
    origin: origin.name,
    policies: [{ name, policyType: kind.policyType, handler: { export: kind.export, module: "$import(@zuplo/runtime)" as const, options } }],
    inbound: [name],
  });
  if (t.cloud === "azure") {
    const v = azureServiceAuthVariables(origin);
    return policy(AZURE_SERVICE_AUTH_POLICY, {
      activeDirectoryTenantId: `$env(${v.tenantId.name})`,
      activeDirectoryClientId: `$env(${v.clientId.name})`,
      activeDirectoryClientSecret: `$env(${v.clientSecret.name})`,
    });
  }
  const json = `$env(${gcpServiceAuthVariables(origin).serviceAccountJson.name})`;
  switch (t.invoke.kind) {
    case "cloud-run":
    case "iap":
      return policy(GCP_SERVICE_AUTH_POLICY, { audience: t.invoke.audience, serviceAccountJson: json });
    case "google-api":
      return policy(GCP_SERVICE_AUTH_POLICY, { scopes: [...t.invoke.scopes], serviceAccountJson: json });
    case "endpoints":
      return policy(GCP_JWT_POLICY, { audience: t.invoke.audience, serviceAccountJson: json });
  }
}
