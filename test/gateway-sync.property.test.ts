/**
 * `gateway sync` on arbitrary projects (fast-check): whatever the user's policies and routes,
 * only `gatelock-` entries and names change, the user's stay as they were and in order, the
 * result has exactly the stack's policies, and a second run changes nothing.
 */
import fc from "fast-check";
import { getNodeValue, parseTree } from "jsonc-parser";
import { describe, expect, it } from "vitest";
import type { ZuploPolicy } from "../components/gateway/zuplo-policies";
import { planSync, type ProjectSnapshot } from "../components/gateway-project/plan";
import { readRoutes } from "../components/gateway-project/routes";
import { stackLockedOrigins } from "../components/gateway-project/stack-origins";
import { syncPoliciesText } from "../components/gateway-project/sync-policies";
import { PROJECT_DIR } from "./harness";

const origins = stackLockedOrigins(PROJECT_DIR, "example");
const stackPolicies = origins.flatMap((o) => o.config.policies);

const userName = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((n) => !n.startsWith("gatelock-"));
const gatelockName = fc.oneof(fc.constantFrom(...stackPolicies.map((p) => p.name)), fc.stringMatching(/^gatelock-[a-z0-9-]{1,10}$/));
const options = fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,8}$/), fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 8 }), fc.constant(null)), { maxKeys: 3 });
const entry = (name: fc.Arbitrary<string>) =>
  fc.record({ name, policyType: fc.constantFrom("api-key-inbound", "rate-limit-inbound", "set-headers-inbound"), handler: fc.record({ export: fc.constant("X"), module: fc.constant("$import(@zuplo/runtime)"), options }) });
const indent = fc.constantFrom<string | number>(2, 4, "\t", 0);
const serialise = (value: unknown, ind: string | number, trailing: boolean) => `${JSON.stringify(value, null, ind)}${trailing ? "\n" : ""}`;
const value = (text: string) => getNodeValue(parseTree(text)!) as { policies: ZuploPolicy[] };
const isGatelock = (n: unknown) => typeof n === "string" && n.startsWith("gatelock-");

describe("only gatelock's policies change, and a second run changes nothing", () => {
  it("policies.json", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(entry(userName), entry(gatelockName)), { maxLength: 8 }),
        fc.subarray(stackPolicies),
        indent,
        fc.boolean(),
        (entries, wanted, ind, trailing) => {
          const before = serialise({ policies: entries }, ind, trailing);
          const after = syncPoliciesText(before, "config/policies.json", wanted);
          const got = value(after).policies;
          // The user's entries: the same values, in the same order.
          expect(got.filter((p) => !isGatelock(p.name))).toEqual(entries.filter((p) => !isGatelock(p.name)));
          // gatelock's: exactly the wanted ones, each once.
          const mine = got.filter((p) => isGatelock(p.name));
          expect(new Set(mine.map((p) => p.name)).size).toBe(mine.length);
          expect([...mine].sort((a, b) => a.name.localeCompare(b.name))).toEqual([...wanted].sort((a, b) => a.name.localeCompare(b.name)));
          expect(after.endsWith("\n")).toBe(trailing);
          expect(syncPoliciesText(after, "config/policies.json", wanted)).toBe(after);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("routes: the user's inbound names stay in order, the origin's come last, nothing else moves", () => {
    const target = fc.constantFrom("${env.ORDERS_ORIGIN_URL}", "${env.SHIPMENTS_ORIGIN_URL}", "https://statements.api.acme.example", "http://10.0.3.12:8080", "${env.OTHER_URL}", "https://elsewhere.example");
    const inbound = fc.array(fc.oneof(userName, gatelockName), { maxLength: 6 });
    const routeArb = fc.record({ target, inbound, oneLine: fc.boolean(), rewrite: fc.boolean() });
    fc.assert(
      fc.property(fc.array(routeArb, { minLength: 1, maxLength: 5 }), indent, fc.boolean(), (routes, ind, trailing) => {
        const paths = Object.fromEntries(
          routes.map((r, i) => [
            `/r${i}`,
            {
              get: {
                "x-zuplo-route": {
                  handler: r.rewrite
                    ? { export: "urlRewriteHandler", module: "$import(@zuplo/runtime)", options: { rewritePattern: `${r.target}/x` } }
                    : { export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: r.target } },
                  policies: { inbound: r.inbound },
                },
              },
            },
          ]),
        );
        let text = serialise({ openapi: "3.1.0", paths }, ind, trailing);
        // Some lists on one line, as Zuplo's docs write them.
        routes.forEach((r, i) => {
          if (!r.oneLine || ind === 0) return;
          const at = text.indexOf(`"/r${i}"`);
          const start = text.indexOf('"inbound": [', at) + '"inbound": '.length;
          const end = text.indexOf("]", start) + 1;
          text = text.slice(0, start) + JSON.stringify(r.inbound) + text.slice(end);
        });
        const project: ProjectSnapshot = { policies: undefined, routes: [{ path: "config/routes.oas.json", text }], modules: {} };
        const plan = planSync(project, origins, "example");
        const after = plan.changes.find((c) => c.path === "config/routes.oas.json")?.after ?? text;
        const read = readRoutes(after, "config/routes.oas.json");
        const known = new Set(stackPolicies.map((p) => p.name));
        routes.forEach((r, i) => {
          const got = read.find((x) => x.path === `/r${i}`)!.inbound!;
          expect(got.filter((n) => !isGatelock(n))).toEqual(r.inbound.filter((n) => !isGatelock(n)));
          const origin = origins.find((o) => r.target === `\${env.${o.urlVariable}}` || (o.url && r.target.startsWith(o.url)) || o.privateUrls.includes(r.target));
          if (origin) expect(got.slice(got.length - origin.config.inbound.length)).toEqual(origin.config.inbound);
          if (origin) expect(got.filter(isGatelock)).toEqual(origin.config.inbound);
          else expect(got.filter(isGatelock)).toEqual(r.inbound.filter((n) => isGatelock(n) && known.has(n)));
        });
        expect(after.endsWith("\n")).toBe(trailing);
        const again = planSync({ policies: plan.changes.find((c) => c.path === "config/policies.json")!.after, routes: [{ path: "config/routes.oas.json", text: after }], modules: Object.fromEntries(plan.changes.filter((c) => c.path.startsWith("modules/")).map((c) => [c.path, c.after])) }, origins, "example");
        expect(again.changes).toEqual([]);
        expect(again.findingsAfter.filter((f) => f.code === "ERR_ROUTE_UNLOCKED")).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
