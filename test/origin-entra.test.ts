/**
 * The Entra token verifier against real tokens: RS256 keys generated here, tokens signed with
 * them and shaped exactly like the v2.0 app-only access tokens Entra issues for Zuplo's client
 * credentials request (`scope=<clientId>/.default`), and the tenant's JWKS served over real
 * HTTP on 127.0.0.1. Each refusal comes with its own reason, next to a token that differs only
 * in that one claim and is accepted.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEntraTokenVerifier,
  DEFAULT_ENTRA_ROLE,
  entraTokenMiddleware,
  type EntraRejectReason,
  type EntraTokenVerifierOptions,
  protectWithEntraToken,
} from "../components/origin";
import { b64url, handCraft, hs256, type JwksServer, mint, newKey, nowSeconds, startJwksServer, type TestKey } from "./origin-token-kit";

const TENANT = "8f3e2d1c-4b5a-4c6d-9e8f-7a6b5c4d3e2f";
const OTHER_TENANT = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const CLIENT = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
const OTHER_CLIENT = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9";
const SP_OBJECT = "6c7d8e9f-0a1b-4c2d-b3e4-f5a6b7c8d9e0";

let key: TestKey;
let impostor: TestKey;
let jwks: JwksServer;

beforeAll(async () => {
  // Entra key IDs are base64url thumbprints.
  key = await newKey("CNv0OI3RwqlHFEVnaoMAshCH2XE");
  impostor = await newKey("CNv0OI3RwqlHFEVnaoMAshCH2XE");
  jwks = await startJwksServer(key);
});
afterAll(async () => {
  await jwks.close();
});

/** Every claim Entra puts into a v2.0 app-only access token for `<clientId>/.default`. */
function v2Claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    aud: CLIENT,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3599 + 1200,
    aio: "k2BgYGjR+bXK9z3Vv8kQ6m+2h9Q7AQA=",
    azp: CLIENT,
    azpacr: "1",
    oid: SP_OBJECT,
    rh: "1.AVcAHC0-j1pLbUycjn9qW1xNPj4tHAtPT2tLjX6fCise0UBXAAA.",
    roles: [DEFAULT_ENTRA_ROLE],
    sub: SP_OBJECT,
    tid: TENANT,
    uti: "q0kXDt7kZUGpkC2kTbQWAA",
    ver: "2.0",
    ...overrides,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims as JWTPayload;
}

/** The same app's token had its registration been left at v1 (`requestedAccessTokenVersion: 1`). */
function v1Claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const { azp: _azp, azpacr: _azpacr, rh: _rh, ...rest } = v2Claims() as Record<string, unknown>;
  return { ...rest, iss: `https://sts.windows.net/${TENANT}/`, ver: "1.0", appid: CLIENT, appidacr: "1", idp: `https://sts.windows.net/${TENANT}/`, ...overrides } as JWTPayload;
}

const entraToken = (claims: JWTPayload = v2Claims(), signer: TestKey = key, header: Record<string, unknown> = {}) => mint(signer, claims, { typ: "JWT", ...header });

function verifier(overrides: Partial<EntraTokenVerifierOptions> = {}) {
  return createEntraTokenVerifier({ tenantId: TENANT, clientId: CLIENT, jwksUri: jwks.url, ...overrides });
}

describe("a v2.0 app-only token for the app itself", () => {
  it("is accepted, with every claim Entra writes, and its claims are returned", async () => {
    const result = await verifier().verify(`Bearer ${await entraToken()}`);
    expect(result).toMatchObject({ ok: true, payload: { aud: CLIENT, azp: CLIENT, tid: TENANT, ver: "2.0", roles: [DEFAULT_ENTRA_ROLE], sub: SP_OBJECT } });
  });

  it("pins the tenant's v2.0 issuer and JWKS by default", () => {
    const v = createEntraTokenVerifier({ tenantId: TENANT, clientId: CLIENT });
    expect(v.issuer).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(v.jwksUri).toBe(`https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`);
    expect(v.audience).toBe(CLIENT);
    expect(v.requiredRole).toBe("Gateway.Invoke");
  });

  it("accepts several roles, a custom role, `idtyp: app`, and GUIDs given in upper case", async () => {
    expect((await verifier().verify(await entraToken(v2Claims({ roles: ["Other.Read", DEFAULT_ENTRA_ROLE] })))).ok).toBe(true);
    expect((await verifier({ requiredRole: "Orders.Invoke" }).verify(await entraToken(v2Claims({ roles: ["Orders.Invoke"] })))).ok).toBe(true);
    expect((await verifier().verify(await entraToken(v2Claims({ idtyp: "app" })))).ok).toBe(true);
    expect((await verifier({ tenantId: TENANT.toUpperCase(), clientId: CLIENT.toUpperCase() }).verify(await entraToken())).ok).toBe(true);
  });

  it("accepts the pinned service principal and refuses another one", async () => {
    const v = verifier({ servicePrincipalObjectId: SP_OBJECT });
    expect((await v.verify(await entraToken())).ok).toBe(true);
    expect(await v.verify(await entraToken(v2Claims({ oid: OTHER_CLIENT })))).toEqual({ ok: false, reason: "application", claim: "oid" });
  });
});

describe("refusals, each with its own reason", () => {
  it("another tenant: its own issuer, signed with the same (shared) Microsoft keys", async () => {
    const other = v2Claims({ iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`, tid: OTHER_TENANT });
    expect(await verifier().verify(await entraToken(other))).toEqual({ ok: false, reason: "tenant", claim: "iss" });
    // Our issuer but another `tid`: forged or not, not ours.
    expect(await verifier().verify(await entraToken(v2Claims({ tid: OTHER_TENANT })))).toEqual({ ok: false, reason: "tenant", claim: "tid" });
  });

  it("another app: a token for another audience, or requested by another client", async () => {
    expect(await verifier().verify(await entraToken(v2Claims({ aud: OTHER_CLIENT })))).toEqual({ ok: false, reason: "audience" });
    expect(await verifier().verify(await entraToken(v2Claims({ aud: `api://${CLIENT}` })))).toEqual({ ok: false, reason: "audience" });
    expect(await verifier().verify(await entraToken(v2Claims({ azp: OTHER_CLIENT })))).toEqual({ ok: false, reason: "application", claim: "azp" });
    expect(await verifier().verify(await entraToken(v2Claims({ azp: undefined })))).toEqual({ ok: false, reason: "application", claim: "azp" });
  });

  it("without the app role: no `roles` (never assigned), another role, or `roles` as a bare string", async () => {
    expect(await verifier().verify(await entraToken(v2Claims({ roles: undefined })))).toEqual({ ok: false, reason: "role", claim: "roles" });
    expect(await verifier().verify(await entraToken(v2Claims({ roles: ["Gateway.Read"] })))).toEqual({ ok: false, reason: "role", claim: "roles" });
    expect(await verifier().verify(await entraToken(v2Claims({ roles: DEFAULT_ENTRA_ROLE })))).toEqual({ ok: false, reason: "role", claim: "roles" });
    expect(await verifier({ requiredRole: "Orders.Invoke" }).verify(await entraToken())).toEqual({ ok: false, reason: "role", claim: "roles" });
  });

  it("v1-shaped (sts.windows.net issuer, `appid` instead of `azp`, ver 1.0) where v2 is pinned", async () => {
    expect(await verifier().verify(await entraToken(v1Claims()))).toEqual({ ok: false, reason: "version", claim: "iss" });
    // A v2 issuer with ver 1.0 is not a real token either.
    expect(await verifier().verify(await entraToken(v2Claims({ ver: "1.0" })))).toEqual({ ok: false, reason: "version", claim: "ver" });
  });

  it("a delegated (user) token: `scp`, or `idtyp: user`", async () => {
    expect(await verifier().verify(await entraToken(v2Claims({ scp: "access_as_user" })))).toEqual({ ok: false, reason: "delegated", claim: "scp" });
    expect(await verifier().verify(await entraToken(v2Claims({ idtyp: "user" })))).toEqual({ ok: false, reason: "delegated", claim: "idtyp" });
  });

  it("expired, or not yet valid, beyond the 30 s skew", async () => {
    const now = nowSeconds();
    expect(await verifier().verify(await entraToken(v2Claims({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 })))).toEqual({ ok: false, reason: "expired" });
    expect((await verifier().verify(await entraToken(v2Claims({ exp: now - 20 })))).ok).toBe(true);
    expect(await verifier().verify(await entraToken(v2Claims({ nbf: now + 600 })))).toEqual({ ok: false, reason: "not-yet-valid" });
    expect(await verifier().verify(await entraToken(v2Claims({ exp: undefined })))).toEqual({ ok: false, reason: "claim", claim: "exp" });
  });

  it("wrong algorithm: none, HS256 keyed with the public key, RS384 with the right key", async () => {
    const header = { alg: "none", typ: "JWT", kid: key.kid };
    expect(await verifier().verify(handCraft(header, v2Claims()))).toEqual({ ok: false, reason: "algorithm" });
    expect(await verifier().verify(handCraft({ alg: "HS256", typ: "JWT", kid: key.kid }, v2Claims(), hs256(key.publicPem)))).toEqual({ ok: false, reason: "algorithm" });
    const rs384 = await newKey(key.kid, "RS384");
    expect(await verifier().verify(await mint(rs384, v2Claims()))).toEqual({ ok: false, reason: "algorithm" });
  });

  it("an unknown kid, and a forged signature under the right kid", async () => {
    const stranger = await newKey("nOo3ZDrODXEK1jKWhXslHR_KXEg");
    expect(await verifier().verify(await entraToken(v2Claims(), stranger))).toEqual({ ok: false, reason: "unknown-key" });
    expect(await verifier().verify(await entraToken(v2Claims(), impostor))).toEqual({ ok: false, reason: "signature" });
  });

  it("garbage, nothing, and a tampered payload", async () => {
    expect(await verifier().verify(undefined)).toEqual({ ok: false, reason: "missing" });
    expect(await verifier().verify("Bearer not-a-jwt")).toEqual({ ok: false, reason: "malformed" });
    const [h, , s] = (await entraToken()).split(".");
    const tampered = `${h}.${b64url(JSON.stringify(v2Claims({ roles: [DEFAULT_ENTRA_ROLE, "Admin"] })))}.${s}`;
    expect(await verifier().verify(tampered)).toEqual({ ok: false, reason: "signature" });
  });

  it("refuses other tenants' and v1 tokens without fetching keys", async () => {
    const v = verifier();
    const before = jwks.requests();
    await v.verify(await entraToken(v1Claims()));
    await v.verify(await entraToken(v2Claims({ iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`, tid: OTHER_TENANT })));
    expect(jwks.requests()).toBe(before);
  });
});

describe("options are checked when the verifier is created", () => {
  const create = (o: Partial<EntraTokenVerifierOptions>) => () => createEntraTokenVerifier({ tenantId: TENANT, clientId: CLIENT, ...o });
  it.each([
    ["a domain as tenant", { tenantId: "contoso.onmicrosoft.com" }, /`tenantId` must be a GUID/],
    ["`common`", { tenantId: "common" }, /`tenantId` must be a GUID.*common/],
    ["an api:// client", { clientId: `api://${CLIENT}` }, /`clientId` must be a GUID/],
    ["client = tenant", { clientId: TENANT }, /`clientId` equals `tenantId`/],
    ["a role with a space", { requiredRole: "Gateway Invoke" }, /`requiredRole`/],
    ["a role starting with a dot", { requiredRole: ".Invoke" }, /`requiredRole`/],
    ["a bad service principal", { servicePrincipalObjectId: "sp" }, /`servicePrincipalObjectId` must be a GUID/],
    ["an http authority", { authorityHost: "http://login.microsoftonline.com" }, /`authorityHost` must be an https origin/],
    ["an authority with a path", { authorityHost: "https://login.microsoftonline.com/common" }, /`authorityHost`/],
    ["a plain-http JWKS off loopback", { jwksUri: "http://keys.example/jwks" }, /`jwksUri` must use https/],
    ["a skew over 300 s", { clockToleranceSeconds: 301 }, /clockToleranceSeconds/],
  ] as const)("refuses %s", (_label, o, message) => {
    expect(create(o as Partial<EntraTokenVerifierOptions>)).toThrow(message);
  });

  it("never echoes the value it refused", () => {
    expect(create({ tenantId: "secret-tenant.example" })).toThrow(expect.objectContaining({ message: expect.not.stringContaining("secret-tenant") }));
  });
});

describe("as middleware (the token middleware, with Entra's reasons)", () => {
  async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/orders`, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it("answers 401 for another tenant's token, tells onReject why, and lets a good token through with its claims", async () => {
    const reasons: EntraRejectReason[] = [];
    const seen: unknown[] = [];
    const app = await serve(
      protectWithEntraToken(
        verifier(),
        (req, res) => {
          seen.push([req.gatewayClaims.azp, req.headers.authorization]);
          res.end("ok");
        },
        { onReject: (reason) => reasons.push(reason) },
      ),
    );
    try {
      const other = await entraToken(v2Claims({ iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`, tid: OTHER_TENANT }));
      const refused = await fetch(app.url, { headers: { authorization: `Bearer ${other}` } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe("Bearer");
      expect(await refused.text()).toBe("");
      const noRole = await fetch(app.url, { headers: { authorization: `Bearer ${await entraToken(v2Claims({ roles: undefined }))}` } });
      expect(noRole.status).toBe(401);
      const ok = await fetch(app.url, { headers: { authorization: `Bearer ${await entraToken()}` } });
      expect(ok.status).toBe(200);
      expect(reasons).toEqual(["tenant", "role"]);
      // The application saw the verified caller, not the bearer token.
      expect(seen).toEqual([[CLIENT, undefined]]);
    } finally {
      await app.close();
    }
  });

  it("answers 503 when the tenant's keys cannot be loaded (fail closed), as Express-style middleware", async () => {
    const down = createEntraTokenVerifier({ tenantId: TENANT, clientId: CLIENT, jwksUri: jwks.url, fetch: () => Promise.reject(new Error("down")), jwksStaleIfErrorMs: 0 });
    const reasons: EntraRejectReason[] = [];
    const mw = entraTokenMiddleware(down, { onReject: (r) => reasons.push(r) });
    let nextCalled = false;
    const app = await serve((req, res) => mw(req, res, () => (nextCalled = true)));
    try {
      const res = await fetch(app.url, { headers: { authorization: `Bearer ${await entraToken()}` } });
      expect(res.status).toBe(503);
      expect(nextCalled).toBe(false);
      expect(reasons).toEqual(["unavailable"]);
    } finally {
      await app.close();
    }
  });
});
