/**
 * The Zuplo configuration a user adds to their gateway project for each origin (pure).
 *
 * gatelock writes variables, not the gateway's source: Zuplo projects live in git
 * (`config/policies.json`, `config/routes.oas.json`). So gatelock emits the exact policy
 * entries to paste, referencing the variables it wrote with `$env(NAME)`.
 */
import type { OriginModel } from "../model/model";
import { type MtlsForwardRouteHandler, mtlsGatewayConfig } from "./mtls";
import { tunnelGatewayConfig } from "./tunnel";
import { forwardHandler, type UrlForwardRouteHandler } from "./forward-handler";

export { forwardHandler, type UrlForwardRouteHandler } from "./forward-handler";
import { serviceAuthGatewayConfig } from "./service-auth";
import { federatedGatewayConfig } from "./federated";
import { type AwsForwardRouteHandler, awsForwardHandler } from "./federated/aws";

export interface ZuploPolicy {
  readonly name: string;
  readonly policyType: string;
  readonly handler: {
    readonly export: string;
    /** Zuplo's built-in policies, or a custom-code module in the gateway project. */
    readonly module: "$import(@zuplo/runtime)" | `$import(./modules/${string})`;
    readonly options: Record<string, unknown>;
  };
}

export interface OriginGatewayConfig {
  readonly origin: string;
  /** Entries for `config/policies.json` → `policies`. */
  readonly policies: readonly ZuploPolicy[];
  /** Names to add to each route's `x-zuplo-route.policies.inbound`. */
  readonly inbound: readonly string[];
  /** The handler (`x-zuplo-route.handler`) of the routes that forward to it, when the origin URL is known. */
  readonly handler?: RouteHandler;
}


/** Zuplo's `urlForwardHandler` (for mTLS, presenting the certificate), or, for an AWS federated origin, gatelock's signing module. */
export type RouteHandler = UrlForwardRouteHandler | AwsForwardRouteHandler | MtlsForwardRouteHandler;

export function gatewayConfigFor(origin: OriginModel): OriginGatewayConfig {
  switch (origin.method) {
    case "shared-secret": {
      const name = `gatelock-${origin.name}-shared-secret`;
      return {
        origin: origin.name,
        policies: [
          {
            name,
            policyType: "set-headers-inbound",
            handler: {
              export: "SetHeadersInboundPolicy",
              module: "$import(@zuplo/runtime)",
              options: { headers: [{ name: origin.sharedSecret.header, value: `$env(${origin.sharedSecret.variable})`, overwrite: true }] },
            },
          },
        ],
        inbound: [name],
        ...(origin.url ? { handler: forwardHandler(origin.name) } : {}),
      };
    }
    case "federated": {
      const config = federatedGatewayConfig(origin);
      if (!origin.url || config.handler) return config;
      // The AWS policy only registers credentials: urlForwardHandler would send the request
      // unsigned, and AWS_IAM authorization refuses that.
      return { ...config, handler: origin.cloud === "aws" ? awsForwardHandler(origin) : forwardHandler(origin.name) };
    }
    case "service-auth": {
      // The policy sets `Authorization`; a plain forward carries it to the origin.
      const config = serviceAuthGatewayConfig(origin);
      return origin.url ? { ...config, handler: forwardHandler(origin.name) } : config;
    }
    case "mtls":
      return mtlsGatewayConfig(origin);
    case "tunnel":
      return tunnelGatewayConfig(origin);
  }
}


/** A `config/policies.json` document holding every gatelock policy, ready to merge. */
export function policiesDocument(configs: readonly OriginGatewayConfig[]): { policies: ZuploPolicy[] } {
  return { policies: configs.flatMap((c) => c.policies) };
}
