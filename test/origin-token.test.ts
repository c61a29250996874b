/**
 * The gateway-token verifier against real tokens: minted with `jose` from RS256 key pairs
 * generated here, checked against a JWKS served over real HTTP on 127.0.0.1. Each refusal
 * is paired with a near-identical token that is accepted, so that a verifier that refuses
 * everything fails these tests as surely as one that accepts too much.
 */
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, MAX_CLOCK_TOLERANCE_SECONDS, type TokenVerifierOptions } from "../components/origin";
import {
  AUDIENCE,
  b64url,
  CLAIMS,
  goodClaims,
  handCraft,
  hs256,
  ISSUER,
  type JwksServer,
  mint,
  newKey,
  nowSeconds,
  startJwksServer,
  SUBJECT,
  type TestKey,
} from "./origin-token-kit";

let key: TestKey;
let ecKey: TestKey;
let impostor: TestKey;
let jwks: JwksServer;

beforeAll(async () => {
  key = await newKey("atky_current");
  ecKey = await newKey("atky_ec", "ES256");
  // Same kid as the real key, different key material: what a forger would try.
  impostor = await newKey("atky_current");
  jwks = await startJwksServer(key, ecKey);
});

afterAll(async () => {
  await jwks.close();
});

function verifier(overrides: Partial<TokenVerifierOptions> = {}) {
  return createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, subjects: [SUBJECT], claims: { ...CLAIMS }, jwksUri: jwks.url, ...overrides });
}

describe("a valid gateway token", () => {
  it("is accepted, as `Bearer <token>` or bare, and its verified claims are returned", async () => {
    const v = verifier();
    const token = await mint(key);
    const result = await v.verify(`Bearer ${token}`);
    expect(result).toMatchObject({ ok: true, payload: { iss: ISSUER, sub: SUBJECT, aud: AUDIENCE, account: "acme", project: "orders-api" } });
    expect((await v.verify(token)).ok).toBe(true);
    // The scheme is case-insensitive (RFC 9110).
    expect((await v.verify(`bearer ${token}`)).ok).toBe(true);
    expect(Object.isFrozen(result.ok && result.payload)).toBe(true);
  });

  it("is accepted when `aud` is a list that contains the pinned audience, and for any of the listed subjects", async () => {
    const v = verifier({ subjects: ["atcl_preview", SUBJECT] });
    expect((await v.verify(await mint(key, goodClaims({ aud: ["https://other.example", AUDIENCE] })))).ok).toBe(true);
    expect((await v.verify(await mint(key, goodClaims({ sub: "atcl_preview" })))).ok).toBe(true);
  });
});

describe("time: exp, nbf and iat with a bounded skew (30 s by default)", () => {
  it("refuses an expired token, but tolerates 20 s of skew and not 40 s", async () => {
    const v = verifier();
    const now = nowSeconds();
    expect(await v.verify(await mint(key, goodClaims({ iat: now - 7200, exp: now - 3600 })))).toEqual({ ok: false, reason: "expired" });
    expect((await v.verify(await mint(key, goodClaims({ exp: now - 20 })))).ok).toBe(true);
    expect(await v.verify(await mint(key, goodClaims({ exp: now - 40 })))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a token that is not yet valid (nbf beyond the skew)", async () => {
    const v = verifier();
    const now = nowSeconds();
    expect(await v.verify(await mint(key, goodClaims({ nbf: now + 120 })))).toEqual({ ok: false, reason: "not-yet-valid" });
    expect((await v.verify(await mint(key, goodClaims({ nbf: now + 20 })))).ok).toBe(true);
  });

  it("refuses a token issued in the future beyond the skew, which jose alone would accept", async () => {
    const now = nowSeconds();
    const future = await mint(key, goodClaims({ iat: now + 120, exp: now + 7200 }));
    // The oracle: jose's own jwtVerify (no max age) accepts this token, so the refusal is gatelock's check.
    await expect(jwtVerify(future, key.publicJwk as never, { issuer: ISSUER, audience: AUDIENCE, clockTolerance: 30 })).resolves.toBeDefined();
    expect(await verifier().verify(future)).toEqual({ ok: false, reason: "not-yet-valid" });
    expect((await verifier().verify(await mint(key, goodClaims({ iat: now + 20 })))).ok).toBe(true);
  });

  it("requires exp: a token without one is refused, naming the claim", async () => {
    expect(await verifier().verify(await mint(key, goodClaims({ exp: undefined })))).toEqual({ ok: false, reason: "claim", claim: "exp" });
  });

  it("honours a narrower skew and a max token age", async () => {
    const now = nowSeconds();
    expect(await verifier({ clockToleranceSeconds: 0 }).verify(await mint(key, goodClaims({ exp: now - 2 })))).toEqual({ ok: false, reason: "expired" });
    const old = await mint(key, goodClaims({ iat: now - 3600 }));
    expect((await verifier().verify(old)).ok).toBe(true);
    expect(await verifier({ maxTokenAgeSeconds: 600 }).verify(old)).toEqual({ ok: false, reason: "expired" });
    expect(await verifier({ maxTokenAgeSeconds: 600 }).verify(await mint(key, goodClaims({ iat: undefined })))).toEqual({ ok: false, reason: "claim", claim: "iat" });
  });

  it("refuses a skew above 300 s, a negative one, and a non-positive max age, when the verifier is created", () => {
    expect(MAX_CLOCK_TOLERANCE_SECONDS).toBe(300);
    expect(() => verifier({ clockToleranceSeconds: 301 })).toThrow(/clockToleranceSeconds/);
    expect(() => verifier({ clockToleranceSeconds: -1 })).toThrow(/clockToleranceSeconds/);
    expect(() => verifier({ clockToleranceSeconds: Number.NaN })).toThrow(/clockToleranceSeconds/);
    expect(() => verifier({ clockToleranceSeconds: 300 })).not.toThrow();
    expect(() => verifier({ maxTokenAgeSeconds: 0 })).toThrow(/maxTokenAgeSeconds/);
  });
});

describe("pinned issuer, audience, subject and claims", () => {
  it("refuses another issuer without touching the JWKS endpoint", async () => {
    const v = verifier();
    const before = jwks.requests();
    expect(await v.verify(await mint(key, goodClaims({ iss: "https://dev.zuplo.com/v1/client-auth/auth_SomeoneElse" })))).toEqual({ ok: false, reason: "issuer" });
    expect(await v.verify(await mint(key, goodClaims({ iss: `${ISSUER}/` })))).toEqual({ ok: false, reason: "issuer" });
    expect(await v.verify(await mint(key, goodClaims({ iss: undefined })))).toEqual({ ok: false, reason: "issuer" });
    expect(jwks.requests()).toBe(before);
  });

  it("refuses another audience, and a token with no audience", async () => {
    const v = verifier();
    expect(await v.verify(await mint(key, goodClaims({ aud: "https://billing.internal.acme.example" })))).toEqual({ ok: false, reason: "audience" });
    expect(await v.verify(await mint(key, goodClaims({ aud: "sts.amazonaws.com" })))).toEqual({ ok: false, reason: "audience" });
    expect(await v.verify(await mint(key, goodClaims({ aud: undefined })))).toEqual({ ok: false, reason: "audience" });
  });

  it("refuses another subject (e.g. another environment's client), and a token with none", async () => {
    const v = verifier();
    expect(await v.verify(await mint(key, goodClaims({ sub: "atcl_preview" })))).toEqual({ ok: false, reason: "subject" });
    // Exact comparison: no prefix, case or pattern matching.
    expect(await v.verify(await mint(key, goodClaims({ sub: `${SUBJECT}x` })))).toEqual({ ok: false, reason: "subject" });
    expect(await v.verify(await mint(key, goodClaims({ sub: SUBJECT.toUpperCase() })))).toEqual({ ok: false, reason: "subject" });
    expect(await v.verify(await mint(key, goodClaims({ sub: undefined })))).toEqual({ ok: false, reason: "subject" });
    expect(await verifier({ subjects: ["atcl_*"] }).verify(await mint(key))).toEqual({ ok: false, reason: "subject" });
  });

  it("refuses a token whose pinned claim differs, is missing, or has another type, naming the claim", async () => {
    const v = verifier();
    // Another Zuplo customer: same issuer, their own (valid) subject pinned here by mistake is not enough.
    expect(await v.verify(await mint(key, goodClaims({ account: "evil-corp" })))).toEqual({ ok: false, reason: "claim", claim: "account" });
    expect(await v.verify(await mint(key, goodClaims({ project: "other-api" })))).toEqual({ ok: false, reason: "claim", claim: "project" });
    expect(await v.verify(await mint(key, goodClaims({ project: undefined })))).toEqual({ ok: false, reason: "claim", claim: "project" });
    expect(await v.verify(await mint(key, goodClaims({ account: ["acme"] })))).toEqual({ ok: false, reason: "claim", claim: "account" });
    const prod = verifier({ claims: { ...CLAIMS, environment_type: "production" } });
    expect((await prod.verify(await mint(key))).ok).toBe(true);
    expect(await prod.verify(await mint(key, goodClaims({ environment_type: "preview" })))).toEqual({ ok: false, reason: "claim", claim: "environment_type" });
  });

  it("pins claims alone when no subject is listed, as the Zuplo preset does", async () => {
    const v = verifier({ subjects: [] });
    expect((await v.verify(await mint(key, goodClaims({ sub: "atcl_any_env_of_acme" })))).ok).toBe(true);
    expect(await v.verify(await mint(key, goodClaims({ sub: "atcl_other_tenant", account: "evil-corp" })))).toEqual({ ok: false, reason: "claim", claim: "account" });
  });

  it("refuses to create a verifier that pins nothing but issuer and audience, or that misplaces pins", () => {
    expect(() => verifier({ subjects: [], claims: {} })).toThrow(/pin `subjects` or `claims`/);
    expect(() => verifier({ claims: { sub: SUBJECT } })).toThrow(/registered claim/);
    expect(() => verifier({ claims: { account: "" } })).toThrow(/claims.account/);
    expect(() => verifier({ audience: "" })).toThrow(/audience/);
    expect(() => verifier({ issuer: "" })).toThrow(/issuer/);
  });

  it("fetches keys only from an https JWKS URL (http only on loopback)", () => {
    expect(() => verifier({ jwksUri: "http://keys.example.com/jwks.json" })).toThrow(/https/);
    expect(() => verifier({ jwksUri: "not a url" })).toThrow(/absolute URL/);
    expect(() => verifier({ jwksUri: "https://user:pw@keys.example.com/jwks.json" })).toThrow(/credentials/);
    expect(verifier({ jwksUri: undefined }).jwksUri).toBe(`${ISSUER}/.well-known/jwks.json`);
  });
});

describe("algorithms: asymmetric only", () => {
  it("refuses `alg: none` (hand-crafted, empty signature) in any spelling, without touching the JWKS endpoint", async () => {
    const v = verifier();
    const before = jwks.requests();
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      const token = handCraft({ alg, typ: "JWT" }, goodClaims());
      expect(await v.verify(`Bearer ${token}`)).toEqual({ ok: false, reason: "algorithm" });
      // Also with a kid that exists, and with a junk signature.
      expect(await v.verify(handCraft({ alg, kid: key.kid }, goodClaims(), () => "c2ln"))).toEqual({ ok: false, reason: "algorithm" });
    }
    expect(await v.verify(handCraft({ typ: "JWT" }, goodClaims()))).toEqual({ ok: false, reason: "algorithm" });
    expect(jwks.requests()).toBe(before);
  });

  it("refuses HS256 signed with the public key as the HMAC secret (key confusion)", async () => {
    const v = verifier();
    const secrets = [key.publicPem, JSON.stringify(key.publicJwk), Buffer.from(key.publicJwk.n!, "base64url")];
    for (const secret of secrets) {
      const forged = handCraft({ alg: "HS256", typ: "JWT", kid: key.kid }, goodClaims(), hs256(secret));
      // The forgery is well made: a verifier confused into HMAC with that secret accepts it.
      const asHmac = await jwtVerify(forged, typeof secret === "string" ? new TextEncoder().encode(secret) : new Uint8Array(secret), { algorithms: ["HS256"] });
      expect(asHmac.payload.sub).toBe(SUBJECT);
      expect(await v.verify(`Bearer ${forged}`)).toEqual({ ok: false, reason: "algorithm" });
    }
  });

  it("refuses to be configured with `none`, HS256 or no algorithm at all", () => {
    expect(() => verifier({ algorithms: ["none" as never] })).toThrow(/not allowed/);
    expect(() => verifier({ algorithms: ["HS256" as never] })).toThrow(/not allowed/);
    expect(() => verifier({ algorithms: ["RS256", "HS512" as never] })).toThrow(/not allowed/);
    expect(() => verifier({ algorithms: [] })).toThrow(/at least one/);
  });

  it("accepts RS256 only by default: an ES256 token from a published key needs `algorithms: [\"ES256\"]`", async () => {
    const token = await mint(ecKey);
    expect(await verifier().verify(token)).toEqual({ ok: false, reason: "algorithm" });
    expect((await verifier({ algorithms: ["ES256"] }).verify(token)).ok).toBe(true);
  });
});

describe("signatures and keys", () => {
  it("refuses a token whose payload was altered after signing", async () => {
    const token = await mint(key, goodClaims({ account: "evil-corp" }));
    const [h, , s] = token.split(".");
    const altered = `${h}.${b64url(JSON.stringify(goodClaims()))}.${s}`;
    expect(await verifier().verify(altered)).toEqual({ ok: false, reason: "signature" });
  });

  it("refuses a token signed by another key that claims a published kid", async () => {
    expect(await verifier().verify(await mint(impostor))).toEqual({ ok: false, reason: "signature" });
  });
});

describe("what is presented", () => {
  it("reports a missing token as missing", async () => {
    const v = verifier();
    for (const input of [undefined, "", "   ", [], [""]]) expect(await v.verify(input as never)).toEqual({ ok: false, reason: "missing" });
  });

  it("refuses a malformed header, and never tries several tokens", async () => {
    const v = verifier();
    const token = await mint(key);
    const malformed = [
      `Basic ${b64url("user:pass")}`,
      "Bearer",
      "Bearer ",
      `Bearer  ${token} extra`,
      `Token ${token}`,
      `Bearer ${token.split(".").slice(0, 2).join(".")}`,
      `Bearer ${token}.x`,
      `Bearer ${token}, Bearer ${token}`,
      "Bearer a.b.c",
      `Bearer ${b64url("{}")}.${b64url("[1]")}.sig`,
      `Bearer ${b64url("{\"alg\":\"RS256\"}")}.${b64url("not json")}.c2ln`,
      `Bearer ${token}${"A".repeat(17 * 1024)}`,
    ];
    for (const input of malformed) expect(await v.verify(input), input.slice(0, 40)).toEqual({ ok: false, reason: "malformed" });
    // Two header values (two Authorization lines) are refused even if both are valid.
    expect(await v.verify([`Bearer ${token}`, `Bearer ${token}`])).toEqual({ ok: false, reason: "malformed" });
    expect(await v.verify([`Bearer ${token}`, ""])).toEqual({ ok: false, reason: "malformed" });
    // The same token, well presented, is fine: the refusals above are about the presentation.
    expect((await v.verify([`Bearer ${token}`])).ok).toBe(true);
  });
});
