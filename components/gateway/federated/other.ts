/**
 * What the gateway needs for a federated origin outside cloud IAM (`cloud: other`): the
 * origin verifies the gateway's own ID token with `gatelock/origin`, so the gateway only has
 * to mint a token for the pinned audience and send it as `Authorization: Bearer …`.
 *
 * Zuplo has no built-in policy that sends its ID token to an arbitrary backend (its upstream
 * federated policies exchange it with AWS or GCP), so gatelock emits a custom-code inbound
 * policy entry and the module it runs ({@link GATELOCK_ID_TOKEN_MODULE_SOURCE}), to be saved
 * as `modules/gatelock-id-token.ts` in the Zuplo project. One module serves every origin: the
 * audience comes from each policy's options (`$env(<ORIGIN>_AUDIENCE)`).
 */
import type { FederatedOrigin } from "../../model/model";
import { type KeyedVariables, urlVariableSpec } from "../variable-spec";
import type { OriginGatewayConfig, ZuploPolicy } from "../zuplo-policies";

/** Where the custom policy module goes in the Zuplo project. */
export const GATELOCK_ID_TOKEN_MODULE_PATH = "modules/gatelock-id-token.ts";
/** How `config/policies.json` imports it. */
export const GATELOCK_ID_TOKEN_MODULE_IMPORT = "$import(./modules/gatelock-id-token)";

/**
 * The custom inbound policy: mint the gateway's ID token for the configured audience and send
 * it to the origin. Zuplo caches the token (until shortly before it expires), so this costs a
 * token request only every few hours.
 */
export const GATELOCK_ID_TOKEN_MODULE_SOURCE = `import { ZuploContext, ZuploRequest, ZuploServices } from "@zuplo/runtime";

/** Written by gatelock. Options come from config/policies.json (\`$env(...)\` is resolved there). */
interface GatelockIdTokenOptions {
  /** The audience the origin's verifier pins. */
  audience: string;
  /** Header to send the token in (default \`authorization\`); the origin's middleware must read the same one. */
  header?: string;
}

export default async function gatelockIdToken(request: ZuploRequest, context: ZuploContext, options: GatelockIdTokenOptions, policyName: string) {
  if (!options?.audience) {
    throw new Error(\`\${policyName}: the "audience" option is required\`);
  }
  const token = await ZuploServices.getIDToken(context, { audience: options.audience });
  const headers = new Headers(request.headers);
  // Replaces whatever the client sent: the origin must only ever see the gateway's token here.
  headers.set(options.header ?? "authorization", \`Bearer \${token}\`);
  return new ZuploRequest(request, { headers });
}
`;

/** `ledger` → `LEDGER_AUDIENCE`, `billing-v2` → `BILLING_V2_AUDIENCE`. */
export function audienceVariable(originName: string): string {
  return `${originName.toUpperCase().replace(/-/g, "_")}_AUDIENCE`;
}

export function otherFederatedVariables(origin: FederatedOrigin): KeyedVariables<"audience"> {
  return {
    audience: {
      name: audienceVariable(origin.name),
      // The audience is not a secret: it only names the origin; the token is what proves.
      isSecret: false,
      origin: origin.name,
      description: `audience of the ID token the gateway sends to ${origin.name}; its verifier pins it`,
    },
    ...urlVariableSpec(origin),
  };
}

export function otherFederatedGatewayConfig(origin: FederatedOrigin): OriginGatewayConfig {
  const name = `gatelock-${origin.name}-id-token`;
  const policy: ZuploPolicy = {
    name,
    policyType: "custom-code-inbound",
    handler: {
      export: "default",
      // A module of the user's Zuplo project (Zuplo has no built-in policy for this).
      module: GATELOCK_ID_TOKEN_MODULE_IMPORT,
      options: { audience: `$env(${audienceVariable(origin.name)})` },
    },
  };
  return { origin: origin.name, policies: [policy], inbound: [name] };
}
