/**
 * The routes of a Zuplo project (pure): every operation of a `config/*.oas.json` file that has
 * an `x-zuplo-route`, with its handler and inbound policy names.
 *
 * Shape (Zuplo's docs, concepts/project-structure.mdx and handlers/url-forward.mdx):
 * `paths.<path>.<method>["x-zuplo-route"] = { handler: { export, module, options }, policies: { inbound: [names] } }`.
 * A path item may also hold `x-zuplo-path`, `summary`, `parameters`…, which are not operations.
 */
import { getNodeValue, type JSONPath } from "jsonc-parser";
import { parseJsonFile } from "./json-edit";

/** OpenAPI 3.1's operation keys of a path item. */
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

export interface RouteHandlerConfig {
  readonly export?: unknown;
  readonly module?: unknown;
  readonly options?: unknown;
}

export interface ProjectRoute {
  /** The file, relative to the project: `config/routes.oas.json`. */
  readonly file: string;
  /** The OpenAPI path: `/orders/{id}`. */
  readonly path: string;
  /** Lower case, as the file has it: `get`. */
  readonly method: string;
  /** Where the route's `x-zuplo-route` is in the file. */
  readonly location: JSONPath;
  readonly handler: RouteHandlerConfig | undefined;
  /** The inbound policy names; undefined when the route has no `policies.inbound` (or it is not a list of names). */
  readonly inbound: readonly string[] | undefined;
}

export function readRoutes(text: string, file: string): ProjectRoute[] {
  const doc = getNodeValue(parseJsonFile(text, file)) as unknown;
  const paths = isRecord(doc) ? doc.paths : undefined;
  if (!isRecord(paths)) return [];
  const routes: ProjectRoute[] = [];
  for (const [routePath, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!(HTTP_METHODS as readonly string[]).includes(method.toLowerCase()) || !isRecord(operation)) continue;
      const route = operation["x-zuplo-route"];
      if (!isRecord(route)) continue;
      const inbound = isRecord(route.policies) ? route.policies.inbound : undefined;
      routes.push({
        file,
        path: routePath,
        method,
        location: ["paths", routePath, method, "x-zuplo-route"],
        handler: isRecord(route.handler) ? route.handler : undefined,
        inbound: Array.isArray(inbound) && inbound.every((n) => typeof n === "string") ? inbound : undefined,
      });
    }
  }
  return routes;
}

/** `GET /orders`, as people say it. */
export function routeLabel(route: Pick<ProjectRoute, "method" | "path">): string {
  return `${route.method.toUpperCase()} ${route.path}`;
}

/** `config/routes.oas.json#/paths/~1orders/get`: a JSON pointer a reviewer can follow. */
export function routePointer(route: Pick<ProjectRoute, "file" | "path" | "method">): string {
  const escape = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
  return `${route.file}#/paths/${escape(route.path)}/${escape(route.method)}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
