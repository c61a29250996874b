/**
 * What a reviewer must hear about a Zuplo project's routes (pure): a route to a locked origin
 * without the origin's policies (or handler settings) is an error, an open door; a route to an
 * origin the stack does not know, or one whose handler gatelock cannot give what the method
 * needs, is a warning.
 */
import type { Finding } from "../model/safety";
import type { LockedOrigin } from "./locked-origins";
import { type ProjectRoute, routeLabel, routePointer } from "./routes";
import { routeSync } from "./route-sync";
import { routeTarget } from "./route-target";

export function routeFindings(routes: readonly ProjectRoute[], origins: readonly LockedOrigin[], stack: string): Finding[] {
  const findings: Finding[] = [];
  for (const route of routes) {
    const target = routeTarget(route.handler, origins);
    const where = routePointer(route);
    const label = routeLabel(route);
    if (target.kind === "unknown") {
      findings.push({
        severity: "warning",
        code: "WARN_ROUTE_UNKNOWN_ORIGIN",
        path: where,
        message: `${label} forwards to ${target.reference}, which no origin of stack ${stack} locks: gatelock cannot tell whether it accepts requests that go around the gateway.`,
        fix: target.variable
          ? `add the origin to the stack and point the route at its variable (gatelock writes \`<ORIGIN>_ORIGIN_URL\`; \`gatelock init --from\` lists the origins).`
          : "add the origin to the stack with this URL as `url` (`gatelock init --from` lists the origins), or point the route at a locked origin.",
      });
      continue;
    }
    if (target.kind !== "origin") continue;
    const origin = target.origin.name;
    const missing = target.origin.config.inbound.filter((n) => !(route.inbound ?? []).includes(n));
    if (missing.length > 0) {
      findings.push({
        severity: "error",
        code: "ERR_ROUTE_UNLOCKED",
        path: where,
        message: `${label} forwards to the locked origin ${origin} without its polic${missing.length === 1 ? "y" : "ies"} ${missing.map((n) => `\`${n}\``).join(", ")}: requests leave the gateway without what ${origin} checks.`,
        fix: "run `gatelock gateway sync`.",
      });
    }
    const sync = routeSync(route, target, new Set());
    if (target.via === "private-url") {
      findings.push({
        severity: "error",
        code: "ERR_ROUTE_UNLOCKED",
        path: where,
        message: `${label} forwards to the tunnel origin ${origin}'s private endpoint, which the gateway cannot reach: it must forward through the tunnel (\`\${env.${target.origin.urlVariable}}\`).`,
        fix: "run `gatelock gateway sync`.",
      });
    } else if (sync.handler.length > 0) {
      findings.push({
        severity: "error",
        code: "ERR_ROUTE_UNLOCKED",
        path: where,
        message: `${label} forwards to the ${target.origin.method} origin ${origin} without the handler settings the method needs (${sync.handler.map((e) => `\`${e.path.join(".")}\``).join(", ")}).`,
        fix: "run `gatelock gateway sync`.",
      });
    }
    if (sync.unsupported) {
      findings.push({
        severity: "warning",
        code: "WARN_ROUTE_HANDLER_UNSUPPORTED",
        path: where,
        message: `${label} forwards to the ${target.origin.method} origin ${origin}, but ${sync.unsupported}: the origin will refuse its requests.`,
        fix: "use a urlForwardHandler route for this origin.",
      });
    }
  }
  return findings;
}
