/**
 * A starter stack file from a Zuplo project's routes (pure): the distinct origins the handlers
 * forward to, the variables they already use, and per origin a commented suggestion of methods
 * by where its URL points. What `gatelock init --from` writes; the user fills in the TODOs and
 * runs `gatelock audit`.
 */
import { originUrlVariable } from "../gateway/variable-spec";
import { ORIGIN_NAME } from "../model/primitives";
import { type ProjectRoute, routeLabel } from "./routes";
import { forwardUrl, matchingPrefix } from "./route-target";
import { suggestMethods } from "./origin-suggestions";

export interface DiscoveredOrigin {
  readonly name: string;
  /** The URL when the routes name it, or the variable's value from the project's `.env`. */
  readonly url?: string;
  /** The variable the routes read it from: `ORDERS_ORIGIN_URL`. */
  readonly variable?: string;
  /** `GET /orders`, one per route. */
  readonly routes: readonly string[];
}

const LEADING_VARIABLE = /^\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/;

/**
 * The distinct upstreams of the routes: one per variable, one per scheme and host of a literal
 * URL. `env`: the project's `.env` values, used only to read URL variables.
 */
export function discoverOrigins(routes: readonly ProjectRoute[], env: Readonly<Record<string, string | undefined>> = {}): DiscoveredOrigin[] {
  const byKey = new Map<string, { url?: string; variable?: string; routes: string[] }>();
  for (const route of routes) {
    const forward = forwardUrl(route.handler);
    if (!forward) continue;
    const variable = LEADING_VARIABLE.exec(forward.value)?.[1];
    const key = variable ? `var:${variable}` : upstream(forward.value);
    if (key === undefined) continue;
    const url = variable ? plainUrl(env[variable]) : key;
    const entry = byKey.get(key) ?? { ...(url ? { url } : {}), ...(variable ? { variable } : {}), routes: [] };
    entry.routes.push(routeLabel(route));
    byKey.set(key, entry);
  }
  const taken = new Set<string>();
  return [...byKey.values()].map((o) => {
    const name = uniqueName(nameFor(o), taken);
    return { name, ...o };
  });
}

/** The stack file's text. */
export function starterStackFile(args: { stack: string; from: string; origins: readonly DiscoveredOrigin[]; project?: string; schema?: string }): string {
  // A project name from zuplo.jsonc only when it is one Zuplo accepts; the comments line up either way.
  const projectValue = args.project && /^[a-z0-9][a-z0-9-]{0,62}$/.test(args.project) ? args.project : "TODO";
  const out: string[] = [
    ...(args.schema ? [`# yaml-language-server: $schema=${args.schema}`, "#"] : []),
    `# Starter stack written by \`gatelock init --from ${args.from}\` from the Zuplo project's routes.`,
    "# Fill in every TODO (the suggested methods are a starting point, by where each URL points),",
    `# then check it offline with \`npx gatelock audit --stack ${args.stack}\`, and keep the gateway`,
    `# project in step with \`npx gatelock gateway sync --stack ${args.stack} --project ${args.from}\`.`,
    "# Reference: docs/config.md.",
    "config:",
    "  gatelock:gateway:",
    "    kind: zuplo",
    "    account: TODO            # your Zuplo account",
    `    project: ${projectValue}${" ".repeat(Math.max(1, 16 - projectValue.length))}# the Zuplo project`,
    "    branch: main             # the Zuplo branch (environment) whose variables gatelock sets",
  ];
  if (args.origins.length === 0) {
    out.push("  gatelock:origins: []    # no route forwards with urlForwardHandler or urlRewriteHandler");
    return `${out.join("\n")}\n`;
  }
  out.push("  gatelock:origins:");
  for (const o of args.origins) {
    const s = suggestMethods(o.url);
    const first = s.methods[0]!;
    out.push(`    # ${o.name}: ${o.routes.join(", ")}`);
    out.push(`    #   forwards to: ${o.variable ? `\${env.${o.variable}}` : o.url}${o.variable && o.url ? ` (${o.url} in .env)` : ""}`);
    if (o.variable) {
      const gatelocks = originUrlVariable(o.name);
      out.push(
        o.variable === gatelocks
          ? `    #   variables the routes use: ${o.variable} (gatelock writes it from \`url\`)`
          : `    #   variables the routes use: ${o.variable}; gatelock writes ${gatelocks}: point these routes at \${env.${gatelocks}} (gateway sync reports the routes it cannot match)`,
      );
    }
    out.push(`    #   where it points: ${s.where}. Suggested methods:`);
    for (const m of s.methods) out.push(`    #     - method: ${m.method}, cloud: ${m.cloud}: ${m.why}`);
    out.push(`    - name: ${o.name}`);
    out.push(`      method: ${first.method}${" ".repeat(Math.max(1, 20 - first.method.length))}# TODO: choose (see above)`);
    out.push(`      cloud: ${first.cloud}${" ".repeat(Math.max(1, 21 - first.cloud.length))}# TODO: check`);
    if (first.method === "tunnel") {
      const endpoint = o.url && !o.url.startsWith("service://") ? o.url : undefined;
      out.push("      tunnel:");
      out.push(endpoint ? `        endpoint: ${JSON.stringify(endpoint)}   # the origin as the connector reaches it` : "        endpoint: TODO           # the origin as the connector reaches it, e.g. http://10.0.3.12:8080");
      if (o.url?.startsWith("service://")) out.push(`        service: ${o.url.slice("service://".length)}`);
      out.push("        image: TODO              # zuplo/tunnel pinned by digest");
    } else if (o.url && (o.url.startsWith("https://") || /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(o.url) || o.url === "http://localhost")) {
      out.push(`      url: ${JSON.stringify(o.url)}`);
    } else {
      out.push(`      # url: TODO              # the origin's https:// base URL${o.url ? ` (the routes use ${JSON.stringify(o.url)}, which is not https)` : ""}`);
    }
    out.push(`      # TODO: the ${first.method} settings for cloud ${first.cloud} (docs/config.md; stacks/Pulumi.example.yaml has one of each)`);
  }
  return `${out.join("\n")}\n`;
}

/** Scheme and host of a literal URL (the origin), never its path; undefined for a computed one. */
function upstream(value: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#$]*@)?([^/?#$]+)/i.exec(value);
  if (!m) return undefined;
  const candidate = `${m[1]!.toLowerCase()}${m[2]}`;
  return matchingPrefix(value, candidate) !== undefined ? candidate : undefined;
}

/** A URL from `.env` only if it is one, without credentials: never echo anything else. */
function plainUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const u = new URL(value);
    if (u.username || u.password || u.search) return undefined;
    return value.replace(/\/+$/, "");
  } catch {
    return undefined;
  }
}

function nameFor(o: { url?: string; variable?: string }): string {
  if (o.variable) {
    const stem = o.variable.replace(/_(ORIGIN_URL|BASE_URL|URL|HOST|ORIGIN|ENDPOINT)$/i, "");
    return slug(stem);
  }
  if (!o.url) return "origin";
  try {
    const u = new URL(o.url);
    return slug(u.protocol === "service:" ? u.hostname : (u.hostname.split(".")[0] ?? "origin"));
  } catch {
    return "origin";
  }
}

function slug(s: string): string {
  const name = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return ORIGIN_NAME.test(name) ? name : "origin";
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name.slice(0, 37)}-${i}`;
  taken.add(candidate);
  return candidate;
}
