/** Zuplo's `urlForwardHandler` for the routes that forward to an origin whose base URL is a gateway variable (pure). */
import { originUrlVariable } from "./variable-spec";

export interface UrlForwardRouteHandler {
  readonly export: "urlForwardHandler";
  readonly module: "$import(@zuplo/runtime)";
  readonly options: { readonly baseUrl: string };
}

export function forwardHandler(originName: string): UrlForwardRouteHandler {
  // `baseUrl` takes `${env.X}`, not `$env(X)` (Zuplo: $env() is only for policy options).
  return { export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: `\${env.${originUrlVariable(originName)}}` } };
}
