/**
 * `gatelock init --from <Zuplo project>`: the origins the routes forward to, the variables they
 * use, method suggestions by where each URL points, a valid YAML stack file, and never an
 * overwrite.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { discoverOrigins } from "../components/gateway-project/init-stack";
import { suggestMethods } from "../components/gateway-project/origin-suggestions";
import { readProject } from "../components/gateway-project/project-files";
import { readRoutes } from "../components/gateway-project/routes";
import { stackLockedOrigins } from "../components/gateway-project/stack-origins";
import { syncGatewayProject } from "../components/gateway-project/sync";
import { runCli } from "./harness/cli";

const FIXTURES = path.join(__dirname, "fixtures", "zuplo-projects");

const cli = (args: string[]) => runCli(args);

const routesOf = (name: string) => readProject(path.join(FIXTURES, name)).routes.flatMap((f) => readRoutes(f.text, f.path));

describe("the origins a project's routes forward to", () => {
  it("one per variable and one per literal scheme and host, with the routes that use it", () => {
    const found = discoverOrigins(routesOf("docs-routes"), { ORDERS_ORIGIN_URL: "https://orders-4xq2m7a-uc.a.run.app/", SHIPMENTS_ORIGIN_URL: "https://user:pw@x.example" });
    expect(found).toEqual([
      { name: "orders", url: "https://orders-4xq2m7a-uc.a.run.app", variable: "ORDERS_ORIGIN_URL", routes: ["GET /orders", "POST /orders"] },
      // A value with credentials is never read (nor echoed).
      { name: "shipments", variable: "SHIPMENTS_ORIGIN_URL", routes: ["GET /shipments/{shipmentId}"] },
      { name: "statements", url: "https://statements.api.acme.example", routes: ["GET /statements"] },
      { name: "origin", url: "http://10.0.3.12:8080", routes: ["GET /warehouse/{item}"] },
      { name: "welcome", url: "https://welcome.zuplo.io", routes: ["GET /rewrite-test"] },
    ]);
  });

  it("names are valid origin names and never collide", () => {
    const found = discoverOrigins(routesOf("kong-migration"));
    expect(found).toEqual([{ name: "backend-service", url: "http://backend-service:8080", routes: ["GET /users", "POST /users"] }]);
    const twice = discoverOrigins([...routesOf("docs-routes"), ...routesOf("docs-routes").map((r) => ({ ...r, handler: { export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: "https://statements.other.example" } } }))]);
    const names = twice.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("statements-2");
  });
});

describe("suggested methods, by where the URL points", () => {
  const first = (url: string | undefined) => {
    const s = suggestMethods(url);
    return s.methods.map((m) => `${m.method}/${m.cloud}`);
  };
  it.each([
    ["https://billing-4xq2m7a-uc.a.run.app", ["federated/gcp", "service-auth/gcp"]],
    ["https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod", ["federated/aws", "mtls/aws"]],
    ["https://abc.lambda-url.eu-west-1.on.aws", ["federated/aws"]],
    ["https://users-api.azurewebsites.net", ["service-auth/azure", "federated/azure", "mtls/azure", "shared-secret/azure"]],
    ["https://api.kindhill-1a2b3c4d.westeurope.azurecontainerapps.io", ["service-auth/azure", "federated/azure", "shared-secret/azure"]],
    ["http://10.0.3.12:8080", ["tunnel/aws"]],
    ["http://backend-service:8080", ["tunnel/aws"]],
    ["http://orders.internal", ["tunnel/aws"]],
    ["service://inventory-example", ["tunnel/aws"]],
    ["http://127.0.0.1:8787", ["shared-secret/local", "mtls/local"]],
    ["https://api.example.com", ["shared-secret/aws", "federated/other", "mtls/aws"]],
  ])("%s", (url, methods) => {
    expect(first(url)).toEqual(methods);
  });
  it("a lookalike host is not the platform", () => {
    expect(first("https://x.run.app.evil.example")).toEqual(first("https://api.example.com"));
    expect(suggestMethods(undefined).where).toMatch(/^unknown/);
  });
});

describe("gatelock init --from", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-init-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: gatelock\nruntime: nodejs\nstackConfigDir: stacks\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes stacks/Pulumi.dev.yaml: valid YAML listing each origin, its variables and suggested methods", async () => {
    const r = await cli(["init", "--from", path.join(FIXTURES, "docs-routes"), "--cwd", dir]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("wrote stacks/Pulumi.dev.yaml with 5 origins (orders, shipments, statements, origin, welcome)");
    const text = fs.readFileSync(path.join(dir, "stacks", "Pulumi.dev.yaml"), "utf8");
    const doc = parse(text) as { config: Record<string, any> };
    expect(doc.config["gatelock:gateway"]).toEqual({ kind: "zuplo", account: "TODO", project: "orders-api", branch: "main" });
    const origins = doc.config["gatelock:origins"] as Array<Record<string, unknown>>;
    expect(origins.map((o) => o.name)).toEqual(["orders", "shipments", "statements", "origin", "welcome"]);
    expect(origins.find((o) => o.name === "statements")).toMatchObject({ url: "https://statements.api.acme.example" });
    // A private address: a tunnel whose connector reaches it.
    expect(origins.find((o) => o.name === "origin")).toMatchObject({ method: "tunnel", tunnel: { endpoint: "http://10.0.3.12:8080" } });
    expect(text).toContain("#   variables the routes use: ORDERS_ORIGIN_URL (gatelock writes it from `url`)");
    expect(text).toContain("#     - method: shared-secret, cloud: aws:");
    expect(text).toContain("#   where it points: a private address the gateway cannot reach.");
    // The editor's schema: this gatelock's, relative to the stack file wherever the project is.
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
    expect(schema).toBeDefined();
    expect(JSON.parse(fs.readFileSync(path.resolve(dir, "stacks", schema!), "utf8")).title).toEqual(expect.stringContaining("gatelock"));
    // The comments line up, whatever the project's name.
    expect(text).toMatch(/^ {4}project: orders-api {6}# the Zuplo project$/m);
  });

  it("the origins it writes, once filled in, are the ones gateway sync matches", async () => {
    const from = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-init-from-"));
    try {
      fs.cpSync(path.join(FIXTURES, "kong-migration"), from, { recursive: true });
      expect((await cli(["init", "--from", from, "--stack", "staging", "--cwd", dir])).code).toBe(0);
      const file = path.join(dir, "stacks", "Pulumi.staging.yaml");
      const text = fs.readFileSync(file, "utf8");
      // Fill in the TODOs the way a user would: a tunnel origin on a Docker host.
      const filled = text
        .replace("account: TODO", "account: acme")
        .replace(/project: TODO/, "project: users-api")
        .replace("cloud: aws ", "cloud: docker ")
        .replace("image: TODO", "image: zuplo/tunnel@sha256:4f1b7c2d9e8a6b5c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c");
      fs.writeFileSync(file, filled);
      const origins = stackLockedOrigins(dir, "staging");
      expect(origins.map((o) => [o.name, o.method])).toEqual([["backend-service", "tunnel"]]);
      const r = syncGatewayProject({ projectDir: from, origins, stack: "staging" });
      const routes = readProject(from).routes.flatMap((f) => readRoutes(f.text, f.path));
      expect(routes.map((x) => (x.handler?.options as { baseUrl: string }).baseUrl)).toEqual(["${env.BACKEND_SERVICE_ORIGIN_URL}", "${env.BACKEND_SERVICE_ORIGIN_URL}"]);
      expect(r.findings).toEqual([]);
    } finally {
      fs.rmSync(from, { recursive: true, force: true });
    }
  });

  it("never overwrites a stack file: exit 1, the file untouched", async () => {
    fs.mkdirSync(path.join(dir, "stacks"));
    const existing = path.join(dir, "stacks", "Pulumi.dev.yaml");
    fs.writeFileSync(existing, "config: {}\n");
    const r = await cli(["init", "--from", path.join(FIXTURES, "docs-routes"), "--cwd", dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("stacks/Pulumi.dev.yaml already exists; gatelock never overwrites a stack file");
    expect(r.err).toContain("[ERR_STACK_EXISTS]");
    expect(fs.readFileSync(existing, "utf8")).toBe("config: {}\n");
  });

  it("a wrong call exits 2: no --from, a folder that is not a Zuplo project", async () => {
    expect((await cli(["init", "--cwd", dir])).code).toBe(2);
    const r = await cli(["init", "--from", dir, "--cwd", dir]);
    expect([r.code, r.err]).toEqual([2, expect.stringContaining("[ERR_GATEWAY_PROJECT_NOT_FOUND]")]);
    expect(fs.existsSync(path.join(dir, "stacks"))).toBe(false);
  });
});
