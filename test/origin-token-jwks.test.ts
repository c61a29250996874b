/**
 * How the token verifier uses the issuer's JWKS endpoint, counted at a real HTTP server on
 * 127.0.0.1: cached, refetched exactly once on an unknown `kid` (key rotation), never
 * hammered by a flood of unknown kids or by an outage, and failing closed when no keys can
 * be had, while keys that are merely stale keep serving for a bounded time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTokenVerifier, type JwksFailure, type TokenVerifierOptions } from "../components/origin";
import { AUDIENCE, CLAIMS, deadJwksUrl, ISSUER, type JwksServer, mint, newKey, sleep, startJwksServer, SUBJECT, type TestKey } from "./origin-token-kit";

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(...keys: TestKey[]): Promise<JwksServer> {
  const s = await startJwksServer(...keys);
  servers.push(s);
  return s;
}

function verifier(jwksUri: string, overrides: Partial<TokenVerifierOptions> = {}) {
  return createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, subjects: [SUBJECT], claims: { ...CLAIMS }, jwksUri, ...overrides });
}

describe("caching", () => {
  it("fetches the JWKS once for many requests, including concurrent first requests", async () => {
    const key = await newKey("atky_a");
    const jwks = await serve(key);
    const v = verifier(jwks.url);
    const token = await mint(key);
    const first = await Promise.all(Array.from({ length: 25 }, () => v.verify(`Bearer ${token}`)));
    expect(first.every((r) => r.ok)).toBe(true);
    for (let i = 0; i < 25; i++) expect((await v.verify(token)).ok).toBe(true);
    expect(jwks.requests()).toBe(1);
  });

  it("refetches once the cache is older than jwksCacheMaxAgeMs, so a withdrawn key stops working", async () => {
    const old = await newKey("atky_old");
    const next = await newKey("atky_next");
    const jwks = await serve(old, next);
    const oldToken = await mint(old);
    const nextToken = await mint(next);
    const v = verifier(jwks.url, { jwksCacheMaxAgeMs: 600 });
    expect((await v.verify(oldToken)).ok).toBe(true);
    jwks.publish(next); // the issuer withdraws the old key
    expect((await v.verify(oldToken)).ok).toBe(true); // still cached
    expect(jwks.requests()).toBe(1);
    await sleep(650);
    expect(await v.verify(oldToken)).toEqual({ ok: false, reason: "unknown-key" });
    expect(jwks.requests()).toBe(2);
    expect((await v.verify(nextToken)).ok).toBe(true);
  });
});

describe("key rotation and unknown kids", () => {
  it("a token with an unknown kid triggers exactly one refetch and then succeeds, once the cooldown has passed", async () => {
    const a = await newKey("atky_a");
    const b = await newKey("atky_b");
    const jwks = await serve(a);
    const tokenA = await mint(a);
    const tokenB = await mint(b);
    const v = verifier(jwks.url, { jwksCooldownMs: 600 });
    expect((await v.verify(tokenA)).ok).toBe(true);
    expect(jwks.requests()).toBe(1);

    jwks.publish(a, b); // the issuer rotates: B is published and starts signing
    // Within the cooldown after the last fetch, an unknown kid does not reach the endpoint.
    expect(await v.verify(tokenB)).toEqual({ ok: false, reason: "unknown-key" });
    expect(jwks.requests()).toBe(1);

    await sleep(650);
    expect((await v.verify(tokenB)).ok).toBe(true);
    expect(jwks.requests()).toBe(2);
    // And the new set now serves both keys without further fetches.
    expect((await v.verify(tokenA)).ok).toBe(true);
    expect((await v.verify(tokenB)).ok).toBe(true);
    expect(jwks.requests()).toBe(2);
  });

  it("a flood of unknown kids does not hammer the JWKS endpoint: one fetch per cooldown at most", async () => {
    const a = await newKey("atky_a");
    const attacker = await newKey("atky_attacker");
    const jwks = await serve(a);
    // Minted up front, so the timing below is about the verifier, not about RSA signing.
    const unknown = await Promise.all(Array.from({ length: 450 }, (_, i) => mint(attacker, undefined, { kid: `atky_random_${i}` })));
    const tokenA = await mint(a);
    const v = verifier(jwks.url, { jwksCooldownMs: 1000 });
    expect((await v.verify(tokenA)).ok).toBe(true);
    expect(jwks.requests()).toBe(1);

    const flood = (tokens: string[]) => Promise.all(tokens.map((t) => v.verify(`Bearer ${t}`)));
    // Right after a fetch: no fetch at all.
    expect((await flood(unknown.slice(0, 200))).every((r) => !r.ok && r.reason === "unknown-key")).toBe(true);
    expect(jwks.requests()).toBe(1);
    // Once the cooldown has passed: 200 concurrent unknown kids share one fetch...
    await sleep(1050);
    expect((await flood(unknown.slice(200, 400))).every((r) => !r.ok && r.reason === "unknown-key")).toBe(true);
    expect(jwks.requests()).toBe(2);
    // ...and the ones that follow, one by one, wait for the next cooldown.
    for (const t of unknown.slice(400)) expect(await v.verify(t)).toEqual({ ok: false, reason: "unknown-key" });
    expect(jwks.requests()).toBe(2);
    // The real key kept working throughout.
    expect((await v.verify(tokenA)).ok).toBe(true);
  });
});

describe("JWKS unavailable: fail closed", () => {
  it("refuses every token as `unavailable` when the endpoint cannot be reached, and reports it", async () => {
    const key = await newKey("atky_a");
    const failures: JwksFailure[] = [];
    const v = verifier(await deadJwksUrl(), { onJwksError: (f) => failures.push(f) });
    expect(await v.verify(await mint(key))).toEqual({ ok: false, reason: "unavailable" });
    expect(failures).toEqual([{ stage: "network", message: "the JWKS endpoint could not be reached" }]);
  });

  it("backs off after a failure: an outage under load costs one fetch per retry interval, not one per request", async () => {
    const key = await newKey("atky_a");
    const jwks = await serve(key);
    jwks.mode("error");
    const failures: JwksFailure[] = [];
    const v = verifier(jwks.url, { jwksRetryAfterFailureMs: 1000, onJwksError: (f) => failures.push(f) });
    const token = await mint(key);
    for (let i = 0; i < 30; i++) expect(await v.verify(token)).toEqual({ ok: false, reason: "unavailable" });
    expect((await Promise.all(Array.from({ length: 30 }, () => v.verify(token)))).every((r) => !r.ok && r.reason === "unavailable")).toBe(true);
    expect(jwks.requests()).toBe(1);
    expect(failures).toEqual([{ stage: "status", message: "the JWKS endpoint answered 500", status: 500 }]);

    // The endpoint recovers; after the retry interval the next request fetches and passes.
    jwks.mode("ok");
    expect(await v.verify(token)).toEqual({ ok: false, reason: "unavailable" });
    await sleep(1050);
    expect((await v.verify(token)).ok).toBe(true);
    expect(jwks.requests()).toBe(2);
  });

  it("gives up on an endpoint that does not answer within jwksTimeoutMs", async () => {
    const key = await newKey("atky_a");
    const jwks = await serve(key);
    jwks.mode("hang");
    const failures: JwksFailure[] = [];
    const v = verifier(jwks.url, { jwksTimeoutMs: 200, onJwksError: (f) => failures.push(f) });
    const started = Date.now();
    expect(await v.verify(await mint(key))).toEqual({ ok: false, reason: "unavailable" });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(failures.map((f) => f.stage)).toEqual(["timeout"]);
  });

  it("refuses what is not a JWKS: an HTML page, an oversized document, a redirect elsewhere", async () => {
    const key = await newKey("atky_a");
    for (const [mode, stage] of [["junk", "document"], ["huge", "document"], ["huge-chunked", "document"], ["redirect", "status"]] as const) {
      const jwks = await serve(key);
      jwks.mode(mode);
      const failures: JwksFailure[] = [];
      const v = verifier(jwks.url, { onJwksError: (f) => failures.push(f) });
      expect(await v.verify(await mint(key)), mode).toEqual({ ok: false, reason: "unavailable" });
      expect(failures.map((f) => f.stage), mode).toEqual([stage]);
      expect(jwks.requests(), mode).toBe(1); // a redirect is not followed
    }
  });

  it("keeps serving stale keys for a bounded time while the endpoint is down, then fails closed", async () => {
    const key = await newKey("atky_a");
    const jwks = await serve(key);
    const token = await mint(key);
    const unknownKid = await mint(await newKey("atky_b"));
    const tolerant = verifier(jwks.url, { jwksCacheMaxAgeMs: 300, jwksStaleIfErrorMs: 1500, jwksRetryAfterFailureMs: 0 });
    const strict = verifier(jwks.url, { jwksCacheMaxAgeMs: 300, jwksStaleIfErrorMs: 0, jwksRetryAfterFailureMs: 0 });
    expect((await tolerant.verify(token)).ok).toBe(true);
    expect((await strict.verify(token)).ok).toBe(true);
    jwks.mode("error");
    await sleep(350); // both caches are now stale
    expect((await tolerant.verify(token)).ok).toBe(true);
    expect(await strict.verify(token)).toEqual({ ok: false, reason: "unavailable" });
    // Each tried to refresh (2 initial fetches + 2 failed refreshes).
    expect(jwks.requests()).toBe(4);
    // An unknown kid cannot be decided from stale keys: unavailable, not accepted.
    expect(await tolerant.verify(unknownKid)).toEqual({ ok: false, reason: "unavailable" });
    await sleep(1500); // past cacheMaxAge + staleIfError
    expect(await tolerant.verify(token)).toEqual({ ok: false, reason: "unavailable" });
  });
});
