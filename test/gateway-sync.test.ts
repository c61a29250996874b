/**
 * `gateway sync`, the pure parts: which origin a route forwards to, the planned texts of a
 * Zuplo project shaped like Zuplo's docs (test/fixtures/zuplo-projects/README.md), findings,
 * formatting kept, the diff, and the atomic write.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../components/gateway-project/atomic-write";
import { detectFormatting } from "../components/gateway-project/json-edit";
import { planSync, type ProjectSnapshot } from "../components/gateway-project/plan";
import { readProject } from "../components/gateway-project/project-files";
import { routeTarget } from "../components/gateway-project/route-target";
import { readRoutes } from "../components/gateway-project/routes";
import { stackLockedOrigins } from "../components/gateway-project/stack-origins";
import { syncPoliciesText } from "../components/gateway-project/sync-policies";
import { unifiedDiff } from "../components/gateway-project/unified-diff";
import { AWS_FORWARD_HANDLER_MODULE } from "../components/gateway/federated/aws";
import { GatelockError } from "../components/errors";
import { PROJECT_DIR } from "./harness";

const FIXTURES = path.join(__dirname, "fixtures", "zuplo-projects");
const origins = stackLockedOrigins(PROJECT_DIR, "example");
const byName = (name: string) => origins.find((o) => o.name === name)!;
const forward = (baseUrl: string) => ({ export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl } });
const rewrite = (rewritePattern: string) => ({ export: "urlRewriteHandler", module: "$import(@zuplo/runtime)", options: { rewritePattern } });

/** The project's files after the plan is applied. */
function applied(project: ProjectSnapshot, plan = planSync(project, origins, "example")): ProjectSnapshot {
  const after = (p: string, before: string | undefined) => plan.changes.find((c) => c.path === p)?.after ?? before;
  const modules = { ...project.modules };
  for (const c of plan.changes) if (c.path.startsWith("modules/")) modules[c.path] = c.after;
  return { policies: after("config/policies.json", project.policies), routes: project.routes.map((r) => ({ path: r.path, text: after(r.path, r.text)! })), modules };
}

function route(project: ProjectSnapshot, p: string, method = "get") {
  const all = project.routes.flatMap((f) => readRoutes(f.text, f.path));
  return all.find((r) => r.path === p && r.method === method)!;
}

describe("which origin a route forwards to", () => {
  it("by gatelock's URL variable, the origin's URL, a tunnel's service:// URL or its private endpoint", () => {
    expect(routeTarget(forward("${env.ORDERS_ORIGIN_URL}"), origins)).toMatchObject({ kind: "origin", origin: { name: "orders" }, via: "variable" });
    expect(routeTarget(forward("https://statements.api.acme.example/v2"), origins)).toMatchObject({ kind: "origin", origin: { name: "statements" }, via: "url", prefix: "https://statements.api.acme.example" });
    expect(routeTarget(forward("https://statements.api.acme.example${pathname}"), origins)).toMatchObject({ kind: "origin", origin: { name: "statements" } });
    expect(routeTarget(rewrite("service://inventory-example/v1/items"), origins)).toMatchObject({ kind: "origin", origin: { name: "inventory", method: "tunnel" }, via: "url" });
    expect(routeTarget(rewrite("http://10.0.3.12:8080/stock"), origins)).toMatchObject({ kind: "origin", origin: { name: "warehouse" }, via: "private-url" });
    // The shipments URL has a path (/prod): a route naming the stage is that origin.
    expect(routeTarget(forward("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod"), origins)).toMatchObject({ kind: "origin", origin: { name: "shipments" } });
  });

  it("never by a longer host or another path, and says what an unknown one is without its path or credentials", () => {
    expect(routeTarget(forward("https://statements.api.acme.example.evil.example"), origins)).toEqual({ kind: "unknown", option: "baseUrl", reference: "https://statements.api.acme.example.evil.example" });
    expect(routeTarget(forward("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/production"), origins)).toMatchObject({ kind: "unknown" });
    expect(routeTarget(forward("https://user:pw@api.other.example/v1?key=1"), origins)).toEqual({ kind: "unknown", option: "baseUrl", reference: "https://api.other.example" });
    expect(routeTarget(forward("${env.BACKEND_URL}/v1"), origins)).toEqual({ kind: "unknown", option: "baseUrl", reference: "${env.BACKEND_URL}", variable: "BACKEND_URL" });
    expect(routeTarget(rewrite("https://api-${params.version}.example.com"), origins)).toMatchObject({ kind: "unknown" });
  });

  it("a handler that does not forward (custom code, or options without a URL) has no target", () => {
    expect(routeTarget({ export: "default", module: "$import(./modules/my-handler)" }, origins)).toEqual({ kind: "none" });
    expect(routeTarget({ export: "redirectHandler", module: "$import(@zuplo/runtime)", options: { location: "https://x.example" } }, origins)).toEqual({ kind: "none" });
    expect(routeTarget(undefined, origins)).toEqual({ kind: "none" });
  });

  it("reads every operation with an x-zuplo-route, and nothing else of a path item", () => {
    const project = readProject(path.join(FIXTURES, "docs-routes"));
    const routes = project.routes.flatMap((f) => readRoutes(f.text, f.path));
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(["get /orders", "post /orders", "get /shipments/{shipmentId}", "get /statements", "get /warehouse/{item}", "get /rewrite-test", "get /hello"]);
    expect(route(project, "/orders").inbound).toEqual(["api-key-inbound", "rate-limit-inbound"]);
  });
});

describe("planning the sync of a project shaped like Zuplo's docs", () => {
  const project = readProject(path.join(FIXTURES, "docs-routes"));
  const plan = planSync(project, origins, "example");
  const after = applied(project, plan);

  it("adds gatelock's policies after the user's, which stay exactly as they were", () => {
    const before = JSON.parse(project.policies!).policies as { name: string }[];
    const now = JSON.parse(after.policies!).policies as { name: string }[];
    expect(now.slice(0, before.length)).toEqual(before);
    const wanted = origins.flatMap((o) => o.config.policies);
    expect(now.slice(before.length)).toEqual(wanted);
    // The user's lines are untouched text, not just equal values.
    expect(after.policies!.startsWith(project.policies!.slice(0, project.policies!.lastIndexOf("}\n  ]")))).toBe(true);
  });

  it("puts each origin's policy names last in the inbound list of the routes that forward to it", () => {
    expect(route(after, "/orders").inbound).toEqual(["api-key-inbound", "rate-limit-inbound", "gatelock-orders-shared-secret"]);
    expect(route(after, "/orders", "post").inbound).toEqual(["api-key-inbound", "gatelock-orders-shared-secret"]);
    expect(route(after, "/shipments/{shipmentId}").inbound).toEqual(["gatelock-shipments-aws-federated"]);
    // mTLS and tunnel origins have no policy: their lock is the handler.
    expect(route(after, "/statements").inbound).toEqual(["api-key-inbound"]);
    // Routes gatelock cannot place keep what they have.
    expect(route(after, "/hello")).toEqual(route(project, "/hello"));
    expect(route(after, "/rewrite-test")).toEqual(route(project, "/rewrite-test"));
  });

  it("keeps a one-line inbound list on one line, and a multi-line one multi-line", () => {
    const text = after.routes[0]!.text;
    expect(text).toContain('"inbound": ["api-key-inbound", "rate-limit-inbound", "gatelock-orders-shared-secret"]');
    expect(text).toContain('"inbound": [\n              "api-key-inbound",\n              "gatelock-orders-shared-secret"\n            ]');
  });

  it("gives mTLS, AWS federated and tunnel routes the handler settings their method needs, keeping the route's own options", () => {
    expect(route(after, "/statements").handler).toEqual({ ...forward("https://statements.api.acme.example"), options: { baseUrl: "https://statements.api.acme.example", mtlsCertificate: (byName("statements").config.handler!.options as { mtlsCertificate: string }).mtlsCertificate } });
    expect(route(after, "/shipments/{shipmentId}").handler).toEqual(byName("shipments").config.handler);
    expect(route(after, "/warehouse/{item}").handler).toEqual(rewrite("${env.WAREHOUSE_ORIGIN_URL}/stock/${params.item}"));
    expect(route(after, "/orders", "post").handler).toEqual({ ...forward(""), options: { baseUrl: "${env.ORDERS_ORIGIN_URL}", forwardSearch: true, followRedirects: false } });
  });

  it("an origin that is no longer mTLS loses gatelock's certificate variable on its routes; a certificate the user set stays", () => {
    const op = (certificate: string) => ({ get: { operationId: "o", "x-zuplo-route": { handler: { ...forward("${env.ORDERS_ORIGIN_URL}"), options: { baseUrl: "${env.ORDERS_ORIGIN_URL}", mtlsCertificate: certificate } }, policies: { inbound: ["gatelock-orders-shared-secret"] } } } });
    const project = (certificate: string): ProjectSnapshot => ({
      policies: `${JSON.stringify({ policies: [] }, null, 2)}\n`,
      routes: [{ path: "config/routes.oas.json", text: `${JSON.stringify({ openapi: "3.1.0", info: { title: "t", version: "1" }, paths: { "/orders": op(certificate) } }, null, 2)}\n` }],
      modules: {},
    });
    const gatelocks = applied(project("$env(ORDERS_MTLS_CERT)"));
    expect(route(gatelocks, "/orders").handler).toEqual(forward("${env.ORDERS_ORIGIN_URL}"));
    const users = applied(project("$env(PARTNER_CLIENT_CERT)"));
    expect(route(users, "/orders").handler).toEqual({ ...forward(""), options: { baseUrl: "${env.ORDERS_ORIGIN_URL}", mtlsCertificate: "$env(PARTNER_CLIENT_CERT)" } });
  });

  it("adds the module gatelock's AWS handler imports, and only what the project lacks", () => {
    expect(plan.changes.map((c) => c.path)).toEqual(["config/policies.json", "config/routes.oas.json", "modules/gatelock-aws-forward.ts", "modules/gatelock-azure-federated.ts", "modules/gatelock-id-token.ts"]);
    expect(plan.changes.find((c) => c.path === "modules/gatelock-aws-forward.ts")).toEqual({ path: "modules/gatelock-aws-forward.ts", before: undefined, after: AWS_FORWARD_HANDLER_MODULE });
  });

  it("finds the unlocked routes before, and only what sync cannot fix after", () => {
    const codes = (fs: readonly { code: string; path: string }[]) => fs.map((f) => `${f.code} ${f.path.replace("config/routes.oas.json#/paths/", "")}`);
    expect(codes(plan.findingsBefore)).toEqual([
      "ERR_ROUTE_UNLOCKED ~1orders/get",
      "ERR_ROUTE_UNLOCKED ~1orders/post",
      "ERR_ROUTE_UNLOCKED ~1shipments~1{shipmentId}/get",
      "ERR_ROUTE_UNLOCKED ~1shipments~1{shipmentId}/get",
      "ERR_ROUTE_UNLOCKED ~1statements/get",
      "ERR_ROUTE_UNLOCKED ~1warehouse~1{item}/get",
      "WARN_ROUTE_UNKNOWN_ORIGIN ~1rewrite-test/get",
    ]);
    expect(plan.findingsBefore[0]!.message).toContain("`gatelock-orders-shared-secret`");
    expect(codes(plan.findingsAfter)).toEqual(["WARN_ROUTE_UNKNOWN_ORIGIN ~1rewrite-test/get"]);
  });

  it("a second run changes nothing", () => {
    const again = planSync(after, origins, "example");
    expect(again.changes).toEqual([]);
  });

  it("an AWS origin behind a rewrite handler is reported, not rewritten (nothing would sign it)", () => {
    const text = project.routes[0]!.text.replace('"baseUrl": "${env.SHIPMENTS_ORIGIN_URL}"', '"rewritePattern": "${env.SHIPMENTS_ORIGIN_URL}/x"').replace(/("get-shipment"[\s\S]*?)urlForwardHandler/, "$1urlRewriteHandler");
    const p = planSync({ ...project, routes: [{ path: "config/routes.oas.json", text }] }, origins, "example");
    const synced = applied({ ...project, routes: [{ path: "config/routes.oas.json", text }] }, p);
    expect(route(synced, "/shipments/{shipmentId}").handler).toEqual(rewrite("${env.SHIPMENTS_ORIGIN_URL}/x"));
    expect(p.findingsAfter.map((f) => f.code)).toContain("WARN_ROUTE_HANDLER_UNSUPPORTED");
  });
});

describe("only gatelock's entries change", () => {
  const mine = (name: string, value: string) => ({ name, policyType: "set-headers-inbound", handler: { export: "SetHeadersInboundPolicy", module: "$import(@zuplo/runtime)" as const, options: { headers: [{ name: "x", value }] } } });

  it("a stale gatelock entry is removed, a changed one restored in place, a user's left alone", () => {
    const text = `${JSON.stringify({ policies: [mine("gatelock-gone", "a"), mine("auth", "u"), mine("gatelock-orders-shared-secret", "edited by hand"), mine("zz", "v")] }, null, 2)}\n`;
    const out = JSON.parse(syncPoliciesText(text, "config/policies.json", [mine("gatelock-orders-shared-secret", "$env(X)")])).policies;
    expect(out).toEqual([mine("auth", "u"), mine("gatelock-orders-shared-secret", "$env(X)"), mine("zz", "v")]);
  });

  it("stale gatelock names leave routes; names of policies that still exist stay on routes gatelock cannot place", () => {
    const text = JSON.stringify({ paths: {
      "/a": { get: { "x-zuplo-route": { handler: forward("${env.ORDERS_ORIGIN_URL}"), policies: { inbound: ["gatelock-orders-shared-secret", "auth", "gatelock-old"] } } } },
      "/b": { get: { "x-zuplo-route": { handler: { export: "default", module: "$import(./modules/x)" }, policies: { inbound: ["gatelock-orders-shared-secret", "gatelock-old", "auth"] } } } },
    } }, null, 2);
    const project: ProjectSnapshot = { policies: undefined, routes: [{ path: "config/routes.oas.json", text }], modules: {} };
    const after = applied(project);
    expect(route(after, "/a").inbound).toEqual(["auth", "gatelock-orders-shared-secret"]);
    expect(route(after, "/b").inbound).toEqual(["gatelock-orders-shared-secret", "auth"]);
    // No policies.json yet: sync writes one.
    expect(JSON.parse(after.policies!).policies.length).toBe(origins.flatMap((o) => o.config.policies).length);
  });

  it("a route whose origin stopped being AWS federated gets Zuplo's forward handler back", () => {
    const orders = byName("orders");
    const awsHandler = { ...byName("shipments").config.handler!, options: { baseUrl: "${env.ORDERS_ORIGIN_URL}", service: "execute-api", region: "${env.ORDERS_AWS_REGION}" } };
    const text = JSON.stringify({ paths: { "/a": { get: { "x-zuplo-route": { handler: awsHandler, policies: { inbound: [] } } } } } }, null, 2);
    const after = applied({ policies: undefined, routes: [{ path: "config/routes.oas.json", text }], modules: {} });
    expect(route(after, "/a").handler).toEqual(orders.config.handler);
  });
});

describe("formatting is kept", () => {
  const source = readProject(path.join(FIXTURES, "docs-routes"));
  const variants: Record<string, (t: string) => string> = {
    "2 spaces": (t) => t,
    "4 spaces": (t) => `${JSON.stringify(JSON.parse(t), null, 4)}\n`,
    tabs: (t) => `${JSON.stringify(JSON.parse(t), null, "\t")}\n`,
    "no trailing newline": (t) => t.replace(/\n$/, ""),
    CRLF: (t) => t.replace(/\n/g, "\r\n"),
  };
  for (const [name, reformat] of Object.entries(variants)) {
    it(name, () => {
      const project: ProjectSnapshot = { policies: reformat(source.policies!), routes: source.routes.map((r) => ({ path: r.path, text: reformat(r.text) })), modules: {} };
      const plan = planSync(project, origins, "example");
      for (const c of plan.changes.filter((c) => c.path.startsWith("config/"))) {
        const before = c.before!;
        expect(detectFormatting(c.after), c.path).toEqual(detectFormatting(before));
        expect(c.after.endsWith("\n"), c.path).toBe(before.endsWith("\n"));
        if (name === "CRLF") expect(/[^\r]\n/.test(c.after), c.path).toBe(false);
        else expect(c.after.includes("\r"), c.path).toBe(false);
        const unit = detectFormatting(before);
        const indents = c.after.split(/\r?\n/).flatMap((l) => /^(\s*)\S/.exec(l)?.[1] ?? []);
        if (unit.insertSpaces) expect(indents.every((i) => !i.includes("\t") && i.length % unit.tabSize! === 0), c.path).toBe(true);
        else expect(indents.every((i) => /^\t*$/.test(i)), c.path).toBe(true);
        // Every line of the user's file is still there, in order (gatelock only adds and edits its own).
        const kept = before.split(/\r?\n/).filter((l) => !/"(baseUrl|rewritePattern|inbound|export|module)"|^\s*"api-key-inbound"$/.test(l) && !/^\s*[\]}],?$/.test(l));
        let at = 0;
        // A line that became the last-but-one of a list gained a comma.
        const lines = c.after.split(/\r?\n/).map((l) => l.replace(/,$/, ""));
        for (const l of kept.map((k) => k.replace(/,$/, ""))) {
          const found = lines.indexOf(l, at);
          expect(found, `${c.path}: ${JSON.stringify(l)}`).toBeGreaterThanOrEqual(0);
          at = found + 1;
        }
      }
      expect(planSync(applied(project, plan), origins, "example").changes).toEqual([]);
    });
  }

  it("a project file that is not JSON is refused with its line and column, never quoted", () => {
    const broken = source.routes[0]!.text.replace('"openapi": "3.1.0",', '"openapi": "3.1.0" "secret-looking-text",');
    let error: unknown;
    try {
      planSync({ ...source, routes: [{ path: "config/routes.oas.json", text: broken }] }, origins, "example");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatelockError);
    expect((error as GatelockError).code).toBe("ERR_CONFIG_SYNTAX");
    expect((error as Error).message).toMatch(/^config\/routes\.oas\.json:2:22: /);
    expect((error as Error).message).not.toContain("secret-looking-text");
  });
});

describe("the unified diff", () => {
  it("prints hunks with three lines of context, as git does", () => {
    const before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
    const after = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n";
    expect(unifiedDiff("x.json", before, after)).toBe(["--- a/x.json", "+++ b/x.json", "@@ -2,9 +2,10 @@", " b", " c", " d", "-e", "+E", " f", " g", " h", " i", " j", "+k", ""].join("\n"));
  });

  it("splits distant changes into hunks, marks a missing final newline, and shows new files from /dev/null", () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    const after = before.replace("l1\n", "L1\n").replace("l18\n", "L18\n");
    const diff = unifiedDiff("f", before, after);
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain("@@ -1,5 +1,5 @@\n l0\n-l1\n+L1\n");
    expect(diff.endsWith(" l19\n\\ No newline at end of file\n")).toBe(true);
    expect(unifiedDiff("n", undefined, "x\ny\n")).toBe("--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+x\n+y\n");
    expect(unifiedDiff("same", "x\n", "x\n")).toBe("");
    expect(unifiedDiff("nl", "x", "x\n")).toBe("--- a/nl\n+++ b/nl\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n");
  });
});

describe("the atomic write", () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("replaces the file, keeps its mode, and leaves no temporary file", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-atomic-"));
    const file = path.join(dir, "policies.json");
    fs.writeFileSync(file, "old\n", { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    const inode = fs.statSync(file).ino;
    writeFileAtomic(file, "new\n");
    expect(fs.readFileSync(file, "utf8")).toBe("new\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    // Renamed over, not written in place: a reader holding the old file never saw half of it.
    expect(fs.statSync(file).ino).not.toBe(inode);
    expect(fs.readdirSync(dir)).toEqual(["policies.json"]);
  });

  it("on failure leaves what was there and no temporary file", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-atomic-"));
    const target = path.join(dir, "config");
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "keep"), "x");
    expect(() => writeFileAtomic(target, "text")).toThrow();
    expect(fs.readdirSync(dir)).toEqual(["config"]);
    expect(fs.readFileSync(path.join(target, "keep"), "utf8")).toBe("x");
  });
});

