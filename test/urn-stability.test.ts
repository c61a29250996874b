/**
 * Stacks deployed with gatelock 0.1 upgrade without replacing anything: every resource of the
 * committed example and local stacks is still there under its old URN, or names it as an
 * alias. The only resources gone are the nested `SharedSecret` components (one component per
 * origin now), whose children moved up with an alias.
 *
 * `fixtures/urns-0.1.json` holds the URNs the 0.1 program registered for these stacks under
 * the same mock engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runStack } from "./harness";

const OLD: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/urns-0.1.json"), "utf8"));
const REMOVED_COMPONENT = /::gatelock:shared-secret:SharedSecret::[^:]+$|\$gatelock:shared-secret:SharedSecret::[^:]+$/;

describe.each(["example", "local"])("the %s stack", (stack) => {
  it("registers every 0.1 resource under its URN or an alias, and nothing else", async () => {
    const run = await runStack(stack);
    const known = new Map<string, string>();
    for (const r of run.resources) for (const urn of [r.urn, ...r.aliases]) known.set(urn, r.urn);
    const expected = OLD[stack]!.filter((urn) => !REMOVED_COMPONENT.test(urn));
    expect(expected.filter((urn) => !known.has(urn))).toEqual([]);
    // One resource per old one: no resource of a 0.1 origin is new, and no two claim the same
    // old URN. (Origins of methods added since, and what they share, are new by definition.)
    const since01 = (r: (typeof run.resources)[number]) =>
      /^(payments|analytics|catalog|gcp-gateway-svc|gcp-gateway-jwt|records|statements|settlements|claims|warehouse|stockroom|inventory|archive|mainframe|lab)(-|$)|^gateway-mtls-|^tunnel-/.test(r.name) || (r.type.endsWith(":ZuploVariable") && /^(PAYMENTS|ANALYTICS|CATALOG|RECORDS|STATEMENTS|SETTLEMENTS|CLAIMS|WAREHOUSE|STOCKROOM|INVENTORY|ARCHIVE|MAINFRAME|LAB)_/.test(String(r.inputs.name)));
    expect(run.resources.filter((r) => !since01(r)).map((r) => r.urn).sort()).toHaveLength(expected.length);
    expect(new Set(expected.map((urn) => known.get(urn))).size).toBe(expected.length);
  });
});
