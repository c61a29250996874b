/**
 * What the gateway needs for a federated origin on Azure (pure): the variable names (values
 * come from the translator) and the Zuplo configuration to add.
 *
 * Zuplo has no built-in Azure federated policy (runtime 7.x), so gatelock emits a custom-code
 * inbound policy and the module it runs (`AZURE_FEDERATED_POLICY_MODULE`). The module gets
 * the gateway's own ID token for `api://AzureADTokenExchange`, exchanges it at Entra's token
 * endpoint as a client assertion for the managed identity (client credentials grant,
 * Microsoft identity platform "access token request with a federated credential"), caches
 * the access token, and sends it to the origin as `Authorization: Bearer`.
 */
import type { FederatedOrigin } from "../../model/model";
import { type KeyedVariables, urlVariableSpec } from "../variable-spec";
import type { OriginGatewayConfig, ZuploPolicy } from "../zuplo-policies";

/** Where the policy module goes in the Zuplo project, and how policies.json imports it. */
export const AZURE_FEDERATED_MODULE_PATH = "modules/gatelock-azure-federated.ts";
export const AZURE_FEDERATED_MODULE_IMPORT: string = "$import(./modules/gatelock-azure-federated)";
/** Entra's token endpoint host in Azure's public cloud. */
export const ENTRA_AUTHORITY = "https://login.microsoftonline.com";

function prefix(originName: string): string {
  return originName.toUpperCase().replace(/-/g, "_");
}

export function azureTenantVariable(originName: string): string {
  return `${prefix(originName)}_AZURE_TENANT_ID`;
}

export function azureClientVariable(originName: string): string {
  return `${prefix(originName)}_AZURE_CLIENT_ID`;
}

export function azureFederatedVariables(origin: FederatedOrigin): KeyedVariables<"tenantId" | "clientId"> {
  return {
    tenantId: { name: azureTenantVariable(origin.name), isSecret: false, origin: origin.name, description: `Entra tenant of the managed identity the gateway uses for ${origin.name}` },
    clientId: { name: azureClientVariable(origin.name), isSecret: false, origin: origin.name, description: `client ID of the managed identity the gateway uses for ${origin.name}` },
    ...urlVariableSpec(origin),
  };
}

/** Options the policy module reads (see `AZURE_FEDERATED_POLICY_MODULE`). */
export interface AzureFederatedPolicyOptions {
  readonly tenantId: string;
  readonly clientId: string;
  /** OAuth scope of the token request, `<resource>/.default`. */
  readonly scope: string;
  /** Audience of the gateway's own ID token; the credential pins it. */
  readonly audience: string;
  readonly authorityHost: string;
  /** Refresh this many seconds before the access token expires. */
  readonly expirationOffsetSeconds: number;
}

export function azureFederatedPolicyName(originName: string): string {
  return `gatelock-${originName}-azure-federated`;
}

export function azureFederatedGatewayConfig(origin: FederatedOrigin): OriginGatewayConfig {
  const target = origin.target;
  if (target.cloud !== "azure") throw new TypeError(`azureFederatedGatewayConfig needs an origin on azure, got ${target.cloud}`);
  const name = azureFederatedPolicyName(origin.name);
  const options: AzureFederatedPolicyOptions = {
    tenantId: `$env(${azureTenantVariable(origin.name)})`,
    clientId: `$env(${azureClientVariable(origin.name)})`,
    scope: target.tokenScope,
    audience: origin.trust.audience,
    authorityHost: ENTRA_AUTHORITY,
    expirationOffsetSeconds: 300,
  };
  const policy: ZuploPolicy = {
    name,
    policyType: "custom-code-inbound",
    handler: {
      export: "default",
      // A module of the user's Zuplo project (Zuplo has no built-in Azure federated policy).
      module: "$import(./modules/gatelock-azure-federated)",
      options: { ...options },
    },
  };
  return { origin: origin.name, policies: [policy], inbound: [name] };
}

/**
 * The custom-code policy module to save as `modules/gatelock-azure-federated.ts` in the Zuplo
 * project. One module serves every Azure origin: each policy entry passes its own options.
 */
export const AZURE_FEDERATED_POLICY_MODULE = `// gatelock: exchange the gateway's Zuplo ID token for a Microsoft Entra access token of a
// user-assigned managed identity (workload identity federation), and send it upstream.
import { MemoryZoneReadThroughCache, ZuploContext, ZuploRequest, ZuploServices } from "@zuplo/runtime";

interface PolicyOptions {
  tenantId: string;
  clientId: string;
  scope: string;
  audience?: string;
  authorityHost?: string;
  expirationOffsetSeconds?: number;
}

interface CachedToken {
  accessToken: string;
}

export default async function policy(request: ZuploRequest, context: ZuploContext, options: PolicyOptions, policyName: string) {
  const cache = new MemoryZoneReadThroughCache<CachedToken>(\`gatelock-azure-\${policyName}\`, context);
  const key = \`\${options.tenantId}|\${options.clientId}|\${options.scope}\`;
  let token = await cache.get(key);
  if (!token) {
    const assertion = await ZuploServices.getIDToken(context, { audience: options.audience ?? "api://AzureADTokenExchange" });
    const authority = (options.authorityHost ?? "https://login.microsoftonline.com").replace(/\\/+$/, "");
    const response = await fetch(\`\${authority}/\${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token\`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: options.clientId,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
        scope: options.scope,
      }),
    });
    if (!response.ok) {
      // Entra's error body names the cause (e.g. AADSTS70021: no matching federated identity
      // record, for a few minutes after a credential is created). Never log the assertion.
      const detail = await response.text();
      context.log.error(\`\${policyName}: Entra token request failed with \${response.status}: \${detail.slice(0, 500)}\`);
      return new Response("Bad Gateway", { status: 502 });
    }
    const body = (await response.json()) as { access_token: string; expires_in: number };
    token = { accessToken: body.access_token };
    const ttl = Math.max(0, Number(body.expires_in) - (options.expirationOffsetSeconds ?? 300));
    if (ttl > 0) cache.put(key, token, ttl);
  }
  const upstream = new ZuploRequest(request);
  upstream.headers.set("authorization", \`Bearer \${token.accessToken}\`);
  return upstream;
}
`;
