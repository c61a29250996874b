/**
 * The token middleware over real HTTP on loopback: what a caller sees (status, headers, an
 * empty body that is the same for every reason), what the application sees (the verified
 * claims, never the token), and what happens when the issuer's keys cannot be loaded.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTokenVerifier,
  type GatewayRequest,
  protectWithToken,
  type TokenMiddlewareOptions,
  type TokenRejectReason,
  tokenMiddleware,
  type TokenVerifier,
} from "../components/origin";
import { AUDIENCE, CLAIMS, deadJwksUrl, goodClaims, ISSUER, type JwksServer, mint, newKey, startJwksServer, SUBJECT, type TestKey } from "./origin-token-kit";

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface AppView {
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly distinct: NodeJS.Dict<string[]>;
  readonly claims: unknown;
}

let key: TestKey;
let jwks: JwksServer;
let server: http.Server;
let port: number;
let listener: http.RequestListener = (_req, res) => res.end();

beforeAll(async () => {
  key = await newKey("atky_a");
  jwks = await startJwksServer(key);
  server = http.createServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await jwks.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function verifier(jwksUri = jwks.url): TokenVerifier {
  return createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, subjects: [SUBJECT], claims: { ...CLAIMS }, jwksUri });
}

/** One request on a fresh connection; an array value is sent as separate header lines. */
function send(headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/ledger", method: "GET", headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Serve with protectWithToken; returns what the app saw (undefined if it never ran). */
function protectedApp(v: TokenVerifier, options: TokenMiddlewareOptions = {}) {
  const seen: { view?: AppView } = {};
  listener = protectWithToken(
    v,
    (req: GatewayRequest, res) => {
      seen.view = { headers: { ...req.headers }, rawHeaders: [...req.rawHeaders], distinct: { ...req.headersDistinct }, claims: req.gatewayClaims };
      res.end("ledger");
    },
    options,
  );
  return seen;
}

describe("protectWithToken (node:http)", () => {
  it("runs the handler for a valid token, with the verified claims and without the token anywhere", async () => {
    const seen = protectedApp(verifier());
    const token = await mint(key);
    const reply = await send({ authorization: `Bearer ${token}`, "x-request-id": "r-1" });
    expect(reply).toMatchObject({ status: 200, body: "ledger" });
    expect(seen.view!.claims).toMatchObject({ sub: SUBJECT, account: "acme", project: "orders-api", aud: AUDIENCE });
    // The token is a bearer credential for this origin: no view of the request still holds it.
    expect(seen.view!.headers.authorization).toBeUndefined();
    expect(seen.view!.distinct.authorization).toBeUndefined();
    expect(JSON.stringify(seen.view!.rawHeaders)).not.toContain(token);
    expect(JSON.stringify(seen.view!.rawHeaders.map((h) => h.toLowerCase()))).not.toContain("authorization");
    // Everything else the app needs is still there.
    expect(seen.view!.headers["x-request-id"]).toBe("r-1");
  });

  it("keeps the header for the app when asked to, and reads the token from another header when told", async () => {
    const token = await mint(key);
    const kept = protectedApp(verifier(), { keepHeader: true });
    expect((await send({ authorization: `Bearer ${token}` })).status).toBe(200);
    expect(kept.view!.headers.authorization).toBe(`Bearer ${token}`);

    const custom = protectedApp(verifier(), { header: "X-Gateway-Token" });
    const reply = await send({ "x-gateway-token": `Bearer ${token}`, authorization: "Bearer end-user-token" });
    expect(reply.status).toBe(200);
    expect(custom.view!.headers["x-gateway-token"]).toBeUndefined();
    expect(custom.view!.headers.authorization).toBe("Bearer end-user-token");
    // With the custom header configured, a token in Authorization does not count.
    expect((await send({ authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it("answers 401 with `WWW-Authenticate: Bearer`, no-store and an empty body, identically for every reason", async () => {
    const seen = protectedApp(verifier());
    const cases: http.OutgoingHttpHeaders[] = [
      {},
      { authorization: "Basic dXNlcjpwYXNz" },
      { authorization: `Bearer ${await mint(key, goodClaims({ exp: Math.floor(Date.now() / 1000) - 3600 }))}` },
      { authorization: `Bearer ${await mint(key, goodClaims({ aud: "https://other.example" }))}` },
      { authorization: `Bearer ${await mint(key, goodClaims({ account: "evil-corp" }))}` },
      // Two Authorization lines, both valid: refused rather than picking one.
      { authorization: [`Bearer ${await mint(key)}`, `Bearer ${await mint(key)}`] as unknown as string },
    ];
    const replies = [];
    for (const headers of cases) replies.push(await send(headers));
    for (const r of replies) {
      expect(r.status).toBe(401);
      expect(r.headers["www-authenticate"]).toBe("Bearer");
      expect(r.headers["cache-control"]).toBe("no-store");
      expect(r.body).toBe("");
    }
    const shape = (r: Reply) => JSON.stringify({ s: r.status, h: Object.entries(r.headers).filter(([k]) => k !== "date").sort() });
    expect(new Set(replies.map(shape)).size).toBe(1);
    expect(seen.view).toBeUndefined();
  });

  it("answers 503 (fail closed) when the issuer's keys cannot be loaded, and tells onReject why", async () => {
    const reasons: TokenRejectReason[] = [];
    const seen: { headers?: http.IncomingHttpHeaders } = {};
    const v = verifier(await deadJwksUrl());
    listener = protectWithToken(v, (_req, res) => res.end("must not run"), {
      onReject: (reason, req) => {
        reasons.push(reason);
        seen.headers = { ...req.headers };
        throw new Error("a broken logging hook");
      },
    });
    const token = await mint(key);
    const reply = await send({ authorization: `Bearer ${token}` });
    expect(reply.status).toBe(503);
    expect(reply.headers["www-authenticate"]).toBeUndefined();
    expect(reply.body).toBe("");
    expect(reasons).toEqual(["unavailable"]);
    // The hook sees the request without the token.
    expect(seen.headers!.authorization).toBeUndefined();
  });
});

describe("tokenMiddleware (Express/Connect style)", () => {
  it("calls next() only for a valid token, with req.gatewayClaims set", async () => {
    const mw = tokenMiddleware(verifier());
    const calls: { claims: unknown }[] = [];
    listener = (req, res) =>
      mw(req, res, (err) => {
        expect(err).toBeUndefined();
        calls.push({ claims: (req as GatewayRequest).gatewayClaims });
        res.end("next");
      });
    expect(await send({ authorization: `Bearer ${await mint(key)}` })).toMatchObject({ status: 200, body: "next" });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.claims).toMatchObject({ sub: SUBJECT });
    const refused = await send({ authorization: `Bearer ${await mint(key, goodClaims({ sub: "atcl_other" }))}` });
    expect(refused.status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it("refuses an invalid header option when created", () => {
    expect(() => tokenMiddleware(verifier(), { header: "bad header" })).toThrow(/header/);
  });
});
