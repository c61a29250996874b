/**
 * The Zuplo policy module gatelock emits for Azure origins (Zuplo has no built-in Azure
 * federated policy). Two checks:
 *  - it type-checks against the real `@zuplo/runtime` declarations, with the compiler
 *    options of a Zuplo project (skipped when the e2e tools are not installed);
 *  - run against a loopback stand-in for Entra's token endpoint, it sends Microsoft's
 *    documented federated client-credentials request, caches the token, forwards it as
 *    `Authorization: Bearer`, and answers 502 without leaking the assertion on a failure.
 */
import * as fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import * as ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AZURE_FEDERATED_MODULE_PATH, AZURE_FEDERATED_POLICY_MODULE } from "../components/gateway/federated/azure";
import { PROJECT_DIR } from "./harness";
import { hasZuploRuntimeTypes, zuploTypeErrors } from "./harness/zuplo-types";


describe("the Azure federated policy module", () => {
  it("is printed verbatim in docs/federated/azure.md", () => {
    const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs/federated/azure.md"), "utf8");
    const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBe(AZURE_FEDERATED_POLICY_MODULE);
  });

  it.skipIf(!hasZuploRuntimeTypes)("type-checks against the real @zuplo/runtime declarations", () => {
    expect(zuploTypeErrors(AZURE_FEDERATED_MODULE_PATH, AZURE_FEDERATED_POLICY_MODULE)).toEqual([]);
    // The check is real: a module that misuses the runtime fails it.
    const broken = AZURE_FEDERATED_POLICY_MODULE.replace("ZuploServices.getIDToken(context,", "ZuploServices.getIDToken(request,");
    expect(broken).not.toBe(AZURE_FEDERATED_POLICY_MODULE);
    expect(zuploTypeErrors(AZURE_FEDERATED_MODULE_PATH, broken).length).toBeGreaterThan(0);
  });

  describe("run against a loopback token endpoint", () => {
    let server: Server;
    let authority: string;
    const requests: { path: string; contentType: string; form: URLSearchParams }[] = [];
    let status = 200;

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
          requests.push({ path: req.url ?? "", contentType: String(req.headers["content-type"]), form: new URLSearchParams(body) });
          res.writeHead(status, { "content-type": "application/json" });
          res.end(status === 200 ? JSON.stringify({ token_type: "Bearer", expires_in: 3599, access_token: `entra-token-${requests.length}` }) : JSON.stringify({ error: "invalid_client", error_description: "AADSTS70021: No matching federated identity record found for presented assertion." }));
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      authority = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    /** The module, compiled, with a minimal stand-in for the three runtime names it uses. */
    function loadModule() {
      const js = ts.transpileModule(AZURE_FEDERATED_POLICY_MODULE, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      const store = new Map<string, unknown>();
      const idTokenCalls: unknown[] = [];
      const runtime = {
        ZuploRequest: class extends Request {},
        ZuploServices: { getIDToken: async (_ctx: unknown, opts: unknown) => (idTokenCalls.push(opts), "zuplo.id.token") },
        MemoryZoneReadThroughCache: class {
          constructor(readonly name: string) {}
          async get(k: string) { return store.get(`${this.name}|${k}`); }
          put(k: string, v: unknown, ttl: number) { if (ttl > 0) store.set(`${this.name}|${k}`, v); }
        },
      };
      const mod = { exports: {} as { default: (req: Request, ctx: unknown, options: object, name: string) => Promise<Request | Response> } };
      new Function("require", "module", "exports", js)((id: string) => (id === "@zuplo/runtime" ? runtime : require(id)), mod, mod.exports);
      const logs: string[] = [];
      const context = { log: { error: (m: string) => logs.push(m) } };
      return { policy: mod.exports.default, context, idTokenCalls, logs };
    }

    const options = () => ({ tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", clientId: "8d1c4a52-1f0e-4b57-9a6c-3e2f1b7d9c04", scope: "https://storage.azure.com/.default", audience: "api://AzureADTokenExchange", authorityHost: authority, expirationOffsetSeconds: 300 });

    it("exchanges the gateway's token as Microsoft documents, caches it, and sends it upstream", async () => {
      requests.length = 0;
      status = 200;
      const { policy, context, idTokenCalls } = loadModule();
      const first = await policy(new Request("https://gw.example/reports/1", { headers: { authorization: "Bearer client-key" } }), context, options(), "gatelock-reports-azure-federated");
      expect(first).toBeInstanceOf(Request);
      expect((first as Request).headers.get("authorization")).toBe("Bearer entra-token-1");
      expect((first as Request).url).toBe("https://gw.example/reports/1");
      expect(idTokenCalls).toEqual([{ audience: "api://AzureADTokenExchange" }]);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.path).toBe("/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token");
      expect(requests[0]!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
      expect(Object.fromEntries(requests[0]!.form)).toEqual({
        grant_type: "client_credentials",
        client_id: "8d1c4a52-1f0e-4b57-9a6c-3e2f1b7d9c04",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: "zuplo.id.token",
        scope: "https://storage.azure.com/.default",
      });
      // Cached: the next request neither asks Zuplo nor Entra again.
      const second = await policy(new Request("https://gw.example/reports/2"), context, options(), "gatelock-reports-azure-federated");
      expect((second as Request).headers.get("authorization")).toBe("Bearer entra-token-1");
      expect(requests).toHaveLength(1);
      expect(idTokenCalls).toHaveLength(1);
    });

    it("answers 502 when Entra refuses, logging Entra's reason but never the assertion", async () => {
      requests.length = 0;
      status = 400;
      const { policy, context, logs } = loadModule();
      const res = await policy(new Request("https://gw.example/reports/1"), context, options(), "gatelock-reports-azure-federated");
      expect(res).toBeInstanceOf(Response);
      expect((res as Response).status).toBe(502);
      expect(logs.join("\n")).toContain("AADSTS70021");
      expect(logs.join("\n")).not.toContain("zuplo.id.token");
    });
  });
});
