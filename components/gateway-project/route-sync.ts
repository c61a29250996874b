/**
 * What one route should look like once the gateway is in sync (pure): its inbound policy
 * names and the handler settings its origin's method needs.
 *
 *  - Inbound: a route forwarding to a locked origin ends with that origin's policy names, after
 *    the user's own (authentication, rate limits…), so they run just before the request
 *    leaves; any other `gatelock-` name on it is stale. On other routes, only `gatelock-` names
 *    that no longer exist in policies.json are removed (a custom handler may call an origin
 *    gatelock cannot see, with the policy the user put there).
 *  - Handler: the options of gatelock's handler for the origin other than `baseUrl` (the
 *    route's own `baseUrl` already points at the origin): `mtlsCertificate` for mTLS, the
 *    signing module with `service` and `region` for AWS federated. A route forwarding to a
 *    tunnel's private endpoint is re-pointed at the tunnel's URL variable.
 */
import type { JSONPath } from "jsonc-parser";
import type { RouteHandler } from "../gateway/zuplo-policies";
import { defaultMtlsVariable } from "../model/mtls/target";
import { isGatelockName, sameJson } from "./sync-policies";
import { isRecord, type ProjectRoute } from "./routes";
import type { RouteTarget } from "./route-target";

const RUNTIME = "$import(@zuplo/runtime)";
/** Zuplo's handlers that take `mtlsCertificate` (docs: articles/securing-backend-mtls.mdx). */
const ZUPLO_FORWARDERS = new Set(["urlForwardHandler", "urlRewriteHandler"]);

/** A change under the route's `x-zuplo-route`: `value` undefined removes the key. */
export interface RouteEdit {
  readonly path: JSONPath;
  readonly value: unknown;
}

export interface RouteSync {
  /** The inbound names the route should have; undefined when they are right already. */
  readonly inbound?: readonly string[];
  readonly handler: readonly RouteEdit[];
  /** Why the handler cannot be given what the origin's method needs, when it cannot. */
  readonly unsupported?: string;
}

/** `known`: every `gatelock-` policy name policies.json will hold. */
export function routeSync(route: ProjectRoute, target: RouteTarget, known: ReadonlySet<string>): RouteSync {
  const current = route.inbound ?? [];
  const wanted =
    target.kind === "origin"
      ? [...current.filter((n) => !isGatelockName(n)), ...target.origin.config.inbound]
      : current.filter((n) => !isGatelockName(n) || known.has(n));
  const inboundChanged = !(sameJson(current, wanted) && (route.inbound !== undefined || wanted.length === 0));
  const handler = target.kind === "origin" ? handlerSync(route, target) : { edits: [] };
  return { ...(inboundChanged ? { inbound: wanted } : {}), handler: handler.edits, ...(handler.unsupported ? { unsupported: handler.unsupported } : {}) };
}

function handlerSync(route: ProjectRoute, target: Extract<RouteTarget, { kind: "origin" }>): { edits: RouteEdit[]; unsupported?: string } {
  const edits: RouteEdit[] = [];
  const h = route.handler ?? {};
  const options = isRecord(h.options) ? h.options : {};
  const setOption = (key: string, value: unknown) => {
    if (!sameJson(options[key], value)) edits.push({ path: ["handler", "options", key], value });
  };
  if (target.via === "private-url") {
    // The gateway reaches a tunnel origin only as service://…, which the variable holds.
    setOption(target.option, `\${env.${target.origin.urlVariable}}${target.value.slice(target.prefix.length)}`);
  }
  const wanted: RouteHandler | undefined = target.origin.config.handler;
  if (!wanted) return { edits };
  const extra = Object.entries(wanted.options).filter(([k]) => k !== "baseUrl");
  const isGatelockModule = typeof h.module === "string" && h.module.startsWith("$import(./modules/gatelock-");
  if (wanted.module === RUNTIME) {
    if (h.module === RUNTIME && typeof h.export === "string" && ZUPLO_FORWARDERS.has(h.export)) {
      for (const [k, v] of extra) setOption(k, v);
      // The origin is no longer mTLS: gatelock's certificate variable (by its default name, the
      // only one it can recognise once the origin's config no longer names it) leaves the route.
      if (!("mtlsCertificate" in wanted.options) && options.mtlsCertificate === `$env(${defaultMtlsVariable(target.origin.name)})`) {
        edits.push({ path: ["handler", "options", "mtlsCertificate"], value: undefined });
      }
      return { edits };
    }
    if (isGatelockModule && target.option === "baseUrl") {
      // The origin's method changed (it was AWS federated): back to Zuplo's forward handler.
      edits.push({ path: ["handler", "export"], value: wanted.export }, { path: ["handler", "module"], value: wanted.module });
      for (const k of Object.keys(options)) if (k !== "baseUrl" && !(k in wanted.options)) edits.push({ path: ["handler", "options", k], value: undefined });
      for (const [k, v] of extra) setOption(k, v);
      return { edits };
    }
    return extra.length === 0 ? { edits } : { edits, unsupported: `its handler is not urlForwardHandler or urlRewriteHandler, which take \`${extra.map(([k]) => k).join("`, `")}\`` };
  }
  // A custom module (AWS federated: the handler that signs): only a plain forward can become it.
  const forwards = h.module === RUNTIME && h.export === "urlForwardHandler";
  if (!(forwards || (h.module === wanted.module && h.export === wanted.export) || isGatelockModule) || target.option !== "baseUrl") {
    return { edits, unsupported: `only a urlForwardHandler route can be given gatelock's handler \`${wanted.module}\` (it signs the request); this one is \`${String(h.export)}\`` };
  }
  if (h.export !== wanted.export) edits.push({ path: ["handler", "export"], value: wanted.export });
  if (h.module !== wanted.module) edits.push({ path: ["handler", "module"], value: wanted.module });
  for (const [k, v] of extra) setOption(k, v);
  return { edits };
}
