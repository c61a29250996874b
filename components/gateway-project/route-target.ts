/**
 * Where a route forwards (pure): the URL its handler options name, and which locked origin
 * that is.
 *
 * A forwarding handler names its upstream in `options.baseUrl` (`urlForwardHandler`, and
 * gatelock's AWS signing handler) or `options.rewritePattern` (`urlRewriteHandler`). The URL
 * is an origin's when it starts with `${env.<NAME>_ORIGIN_URL}` (the variable gatelock
 * writes), or with the origin's URL itself (a tunnel's is `service://<service>`), or with a
 * tunnel origin's private endpoint (which the gateway cannot reach: sync re-points it).
 */
import type { LockedOrigin } from "./locked-origins";
import { isRecord, type RouteHandlerConfig } from "./routes";

export type ForwardOption = "baseUrl" | "rewritePattern";

export type RouteTarget =
  /** Not a forwarding handler (custom code, a redirect): gatelock cannot tell where it goes. */
  | { readonly kind: "none" }
  | {
      readonly kind: "origin";
      readonly origin: LockedOrigin;
      /** How the handler names it. */
      readonly via: "variable" | "url" | "private-url";
      readonly option: ForwardOption;
      /** The handler's value for `option`. */
      readonly value: string;
      /** The leading part of `value` that names the origin. */
      readonly prefix: string;
    }
  | {
      readonly kind: "unknown";
      readonly option: ForwardOption;
      /** What it forwards to, without path or query: `${env.BACKEND_URL}` or `https://api.example.com`. */
      readonly reference: string;
      /** The variable named at the start, if any. */
      readonly variable?: string;
    };

const LEADING_VARIABLE = /^\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/;

/** The option naming the upstream, and its value, for a forwarding handler. */
export function forwardUrl(handler: RouteHandlerConfig | undefined): { option: ForwardOption; value: string } | undefined {
  const options = handler && isRecord(handler.options) ? handler.options : undefined;
  if (!options) return undefined;
  if (typeof options.baseUrl === "string") return { option: "baseUrl", value: options.baseUrl };
  if (handler!.export === "urlRewriteHandler" && typeof options.rewritePattern === "string") return { option: "rewritePattern", value: options.rewritePattern };
  return undefined;
}

export function routeTarget(handler: RouteHandlerConfig | undefined, origins: readonly LockedOrigin[]): RouteTarget {
  const forward = forwardUrl(handler);
  if (!forward) return { kind: "none" };
  const { option, value } = forward;
  const variable = LEADING_VARIABLE.exec(value);
  if (variable) {
    const origin = origins.find((o) => o.urlVariable === variable[1]);
    return origin ? { kind: "origin", origin, via: "variable", option, value, prefix: variable[0] } : { kind: "unknown", option, reference: variable[0], variable: variable[1]! };
  }
  let best: { origin: LockedOrigin; via: "url" | "private-url"; prefix: string } | undefined;
  for (const origin of origins) {
    for (const [url, via] of [...(origin.url ? [[origin.url, "url"] as const] : []), ...origin.privateUrls.map((u) => [u, "private-url"] as const)]) {
      const prefix = matchingPrefix(value, url);
      if (prefix !== undefined && (!best || prefix.length > best.prefix.length)) best = { origin, via, prefix };
    }
  }
  if (best) return { kind: "origin", ...best, option, value };
  return { kind: "unknown", option, reference: upstreamOf(value) };
}

/**
 * The part of `value` that is `url`, when `value` starts with it at a boundary: the end, a
 * path, a query, or a template (`https://api.example.com${pathname}`). Never a longer host
 * (`https://api.example.com.evil.example`). A trailing slash on either side is ignored.
 */
export function matchingPrefix(value: string, url: string): string | undefined {
  const base = url.replace(/\/+$/, "");
  if (base === "" || !value.toLowerCase().startsWith(base.toLowerCase())) return undefined;
  const next = value.charAt(base.length);
  return next === "" || "/?#$".includes(next) ? value.slice(0, base.length) : undefined;
}

/** Scheme and host of a URL template, never its path, query or credentials. */
function upstreamOf(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([^/?#]*)/i.exec(value);
  return m ? `${m[1]}${m[2]}` : "a computed URL";
}
