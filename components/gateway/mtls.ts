/**
 * What the gateway needs for an mTLS origin (pure): the variable naming the certificate it
 * presents, and the route handler that presents it. Zuplo keeps client certificates in the
 * project's certificate store, not in variables; the variable holds the current certificate's
 * name, so a rotation switches the gateway by changing one value.
 */
import type { MtlsClient } from "../model/mtls/target";
import { type KeyedVariables, originUrlVariable, urlVariableSpec } from "./variable-spec";
import type { OriginGatewayConfig } from "./zuplo-policies";

export interface MtlsGatewayOrigin {
  readonly name: string;
  readonly url?: string;
  readonly client: MtlsClient;
}

export function mtlsVariables(origin: MtlsGatewayOrigin): KeyedVariables<"certificateName"> {
  return {
    certificateName: {
      name: origin.client.variable,
      isSecret: false,
      origin: origin.name,
      description: `name of the client certificate the gateway presents to ${origin.name} (changes with each rotation)`,
    },
    ...urlVariableSpec(origin),
  };
}

export interface MtlsForwardRouteHandler {
  readonly export: "urlForwardHandler";
  readonly module: "$import(@zuplo/runtime)";
  readonly options: { readonly baseUrl: string; readonly mtlsCertificate: string };
}

/**
 * No policy: the handler itself presents the certificate (`mtlsCertificate`), on routes whose
 * base URL is the origin's. The two options read a variable differently: `baseUrl` takes
 * `${env.X}`, `mtlsCertificate` only `$env(X)` (the gateway looks `${env.X}` up as a
 * certificate name; checked with the real `zuplo dev`, test/e2e/mtls.e2e.test.ts).
 */
export function mtlsGatewayConfig(origin: MtlsGatewayOrigin): OriginGatewayConfig {
  return {
    origin: origin.name,
    policies: [],
    inbound: [],
    ...(origin.url ? { handler: mtlsForwardHandler(origin) } : {}),
  };
}

export function mtlsForwardHandler(origin: MtlsGatewayOrigin): MtlsForwardRouteHandler {
  return {
    export: "urlForwardHandler",
    module: "$import(@zuplo/runtime)",
    options: { baseUrl: `\${env.${originUrlVariable(origin.name)}}`, mtlsCertificate: `$env(${origin.client.variable})` },
  };
}
