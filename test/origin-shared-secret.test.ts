/**
 * The origin-side verifier (`gatelock/origin`): comparison, rotation, caching, refresh,
 * fail-closed behaviour, sources, and the rule that the module imports no Pulumi/cloud code.
 * HTTP-level behaviour is in origin-middleware.test.ts.
 */
import { createHash } from "node:crypto";
import * as crypto from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { encodeSecretDocument } from "../components/shared-secret/document";
import {
  constantTimeEqual,
  createSharedSecretVerifier,
  fromEnv,
  fromStatic,
  SecretSourceError,
  type SharedSecretVerifierOptions,
  type SourceFailure,
} from "../components/origin/index";

// Pass-through spy on timingSafeEqual, so tests can see what is compared (digests, always
// two per request) without changing behaviour.
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});
const timingSafeEqualSpy = vi.mocked(crypto.timingSafeEqual);

// Shaped like gatelock's generated secrets (base64url alphabet), distinct from each other.
const CURRENT = "Cur7ent_S3cret-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const PREVIOUS = "Prev10us_S3cret-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const NEXT = "N3xt_S3cret-ccccccccccccccccccccccccccccccccccccc";
const ALL_SECRETS = [CURRENT, PREVIOUS, NEXT];

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
const RETIRES = new Date(T0 + 60 * 60 * 1000).toISOString();

/** A settable clock. */
function clock(start = T0) {
  const c = { t: start, now: () => new Date(c.t), advance: (ms: number) => void (c.t += ms) };
  return c;
}

/** A source whose document can be swapped (a rotation in the store) and whose reads are counted. */
function store(initial: string) {
  const s = {
    text: initial as string | (() => string),
    calls: 0,
    source: () => {
      s.calls++;
      return typeof s.text === "function" ? s.text() : s.text;
    },
  };
  return s;
}

function verifierWith(source: SharedSecretVerifierOptions["source"], c = clock(), extra: Partial<SharedSecretVerifierOptions> = {}) {
  return createSharedSecretVerifier({ source, now: c.now, refreshIntervalMs: 5 * 60_000, minRefreshIntervalMs: 10_000, ...extra });
}

function expectNoSecret(value: unknown): void {
  const text = typeof value === "string" ? value : JSON.stringify(value, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v));
  for (const secret of ALL_SECRETS) expect(text ?? "").not.toContain(secret);
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest();

beforeEach(() => {
  timingSafeEqualSpy.mockClear();
});

describe("constantTimeEqual", () => {
  it("is true only for equal strings", () => {
    expect(constantTimeEqual(CURRENT, CURRENT)).toBe(true);
    expect(constantTimeEqual(CURRENT, CURRENT.slice(0, -1) + "b")).toBe(false);
    expect(constantTimeEqual("é", "e\u0301")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });

  it("rejects values of a different length without throwing", () => {
    // A raw timingSafeEqual over the strings' bytes would throw RangeError here.
    expect(() => constantTimeEqual(CURRENT, "x")).not.toThrow();
    expect(constantTimeEqual(CURRENT, "x")).toBe(false);
    expect(constantTimeEqual(CURRENT, CURRENT + CURRENT)).toBe(false);
    expect(constantTimeEqual("", CURRENT)).toBe(false);
    expect(constantTimeEqual(CURRENT.slice(0, 10), CURRENT)).toBe(false);
  });

  it("compares SHA-256 digests of both sides with timingSafeEqual", () => {
    constantTimeEqual("short", CURRENT);
    expect(timingSafeEqualSpy).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqualSpy.mock.calls[0]!;
    expect(Buffer.isBuffer(a) && Buffer.isBuffer(b)).toBe(true);
    expect(Buffer.from(a as Buffer).equals(sha256("short"))).toBe(true);
    expect(Buffer.from(b as Buffer).equals(sha256(CURRENT))).toBe(true);
  });
});

describe("createSharedSecretVerifier: options", () => {
  it("defaults the header to x-gateway-secret and lower-cases a custom one", () => {
    expect(verifierWith(fromStatic({ current: CURRENT })).header).toBe("x-gateway-secret");
    expect(verifierWith(fromStatic({ current: CURRENT }), clock(), { header: "X-Origin-Key" }).header).toBe("x-origin-key");
  });

  it("refuses invalid options with TypeErrors", () => {
    expect(() => createSharedSecretVerifier({} as SharedSecretVerifierOptions)).toThrow(TypeError);
    expect(() => verifierWith(fromStatic({ current: CURRENT }), clock(), { header: "bad header" })).toThrow(TypeError);
    expect(() => verifierWith(fromStatic({ current: CURRENT }), clock(), { header: "" })).toThrow(TypeError);
    expect(() => verifierWith(fromStatic({ current: CURRENT }), clock(), { refreshIntervalMs: -1 })).toThrow(TypeError);
    expect(() => verifierWith(fromStatic({ current: CURRENT }), clock(), { minRefreshIntervalMs: Number.NaN })).toThrow(TypeError);
    expect(() => verifierWith(fromStatic({ current: CURRENT }), clock(), { sourceTimeoutMs: 0 })).toThrow(TypeError);
  });
});

describe("createSharedSecretVerifier: matching", () => {
  const rotating = () => store(encodeSecretDocument({ current: CURRENT, previous: PREVIOUS, previousRetiresAt: RETIRES }));

  it("accepts the current secret", async () => {
    const v = verifierWith(rotating().source);
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: true, matched: "current" });
    // A single-element array is what headersDistinct yields for one header line.
    await expect(v.verify([CURRENT])).resolves.toEqual({ ok: true, matched: "current" });
  });

  it("accepts the previous secret until previousRetiresAt, and refuses it from then on although the store still lists it", async () => {
    const s = rotating();
    const c = clock();
    const v = verifierWith(s.source, c);
    await expect(v.verify(PREVIOUS)).resolves.toEqual({ ok: true, matched: "previous" });
    c.t = Date.parse(RETIRES) - 1;
    await expect(v.verify(PREVIOUS)).resolves.toEqual({ ok: true, matched: "previous" });
    c.t = Date.parse(RETIRES);
    await expect(v.verify(PREVIOUS)).resolves.toEqual({ ok: false, reason: "mismatch" });
    c.t = Date.parse(RETIRES) + 24 * 60 * 60 * 1000;
    await expect(v.verify(PREVIOUS)).resolves.toEqual({ ok: false, reason: "mismatch" });
    // The store was re-read (cache expiry, refresh-on-miss) and still lists previous: the clock alone retired it.
    expect(s.calls).toBeGreaterThan(1);
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: true, matched: "current" });
  });

  it("accepts a previous secret that has no retirement time (the store governs it)", async () => {
    const v = verifierWith(fromStatic({ current: CURRENT, previous: PREVIOUS }));
    await expect(v.verify(PREVIOUS)).resolves.toEqual({ ok: true, matched: "previous" });
  });

  it("refuses wrong values, including ones of a different length, without throwing", async () => {
    const v = verifierWith(rotating().source);
    for (const wrong of [NEXT, CURRENT.slice(0, -1), CURRENT + "x", "x", "z".repeat(10_000), CURRENT.toLowerCase(), ` ${CURRENT}x`]) {
      await expect(v.verify(wrong)).resolves.toEqual({ ok: false, reason: "mismatch" });
    }
  });

  it("treats absent and empty values as missing, without reading the store", async () => {
    const s = rotating();
    const v = verifierWith(s.source);
    for (const missing of [undefined, "", "   ", [], [""]]) {
      await expect(v.verify(missing)).resolves.toEqual({ ok: false, reason: "missing" });
    }
    expect(s.calls).toBe(0);
  });

  it("refuses more than one value, as an array or comma-joined, even when each is valid", async () => {
    const s = rotating();
    const v = verifierWith(s.source);
    for (const dup of [[CURRENT, CURRENT], [CURRENT, PREVIOUS], [CURRENT, ""], ["", CURRENT], [NEXT, CURRENT], `${CURRENT}, ${CURRENT}`, `${CURRENT},${PREVIOUS}`, `x, ${CURRENT}`]) {
      await expect(v.verify(dup)).resolves.toEqual({ ok: false, reason: "mismatch" });
    }
    expect(s.calls).toBe(0);
  });

  it("runs exactly two 32-byte digest comparisons per check, whatever matches (no short-circuit)", async () => {
    const v = verifierWith(rotating().source);
    await v.verify(CURRENT); // load the document first
    const noPrevious = verifierWith(fromStatic({ current: CURRENT }));
    await noPrevious.verify(CURRENT);
    for (const [verifier, value] of [
      [v, CURRENT],
      [v, PREVIOUS],
      [v, NEXT],
      [v, "x"],
      [v, "y".repeat(5000)],
      [noPrevious, CURRENT],
      [noPrevious, "x"],
    ] as const) {
      timingSafeEqualSpy.mockClear();
      await verifier.verify(value);
      expect(timingSafeEqualSpy, `comparisons for a ${value.length}-char value`).toHaveBeenCalledTimes(2);
      for (const [a, b] of timingSafeEqualSpy.mock.calls) {
        expect((a as Buffer).byteLength).toBe(32);
        expect((b as Buffer).byteLength).toBe(32);
      }
      // The presented side is the digest of the value, not the value itself.
      expect(Buffer.from(timingSafeEqualSpy.mock.calls[0]![0] as Buffer).equals(sha256(value))).toBe(true);
    }
  });
});

describe("createSharedSecretVerifier: caching and refresh", () => {
  it("reads the store once per refreshIntervalMs", async () => {
    const s = store(encodeSecretDocument({ current: CURRENT }));
    const c = clock();
    const v = verifierWith(s.source, c);
    for (let i = 0; i < 50; i++) await v.verify(CURRENT);
    expect(s.calls).toBe(1);
    c.advance(5 * 60_000 - 1);
    await v.verify(CURRENT);
    expect(s.calls).toBe(1);
    c.advance(1);
    await v.verify(CURRENT);
    expect(s.calls).toBe(2);
  });

  it("reads the store once for concurrent first requests (single flight)", async () => {
    let calls = 0;
    const v = verifierWith(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return encodeSecretDocument({ current: CURRENT });
    });
    const results = await Promise.all(Array.from({ length: 25 }, () => v.verify(CURRENT)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls).toBe(1);
  });

  it("picks up a rotation on a miss, before the cache expires", async () => {
    const s = store(encodeSecretDocument({ current: CURRENT }));
    const c = clock();
    const v = verifierWith(s.source, c);
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: true, matched: "current" });
    // The store rotates; the gateway starts sending NEXT a minute later.
    s.text = encodeSecretDocument({ current: NEXT, previous: CURRENT, previousRetiresAt: RETIRES });
    c.advance(60_000);
    await expect(v.verify(NEXT)).resolves.toEqual({ ok: true, matched: "current" });
    expect(s.calls).toBe(2);
    // Requests still in flight from the old gateway deployment are accepted as previous.
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: true, matched: "previous" });
    expect(s.calls).toBe(2);
  });

  it("re-reads on a miss at most once per minRefreshIntervalMs", async () => {
    const s = store(encodeSecretDocument({ current: CURRENT }));
    const c = clock();
    const v = verifierWith(s.source, c);
    await v.verify(CURRENT);
    expect(s.calls).toBe(1);
    // Misses right after a read: rate-limited, no read.
    for (let i = 0; i < 20; i++) await expect(v.verify(`wrong-${i}`)).resolves.toEqual({ ok: false, reason: "mismatch" });
    expect(s.calls).toBe(1);
    // A rotation within the window is not seen yet, by design of the rate limit...
    s.text = encodeSecretDocument({ current: NEXT, previous: CURRENT });
    c.advance(9_999);
    await expect(v.verify(NEXT)).resolves.toEqual({ ok: false, reason: "mismatch" });
    expect(s.calls).toBe(1);
    // ...and is seen on the first miss once the window has passed.
    c.advance(1);
    await expect(v.verify(NEXT)).resolves.toEqual({ ok: true, matched: "current" });
    expect(s.calls).toBe(2);
    // A burst of concurrent misses after the window shares one read.
    c.advance(10_000);
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => v.verify(`burst-${i}`)));
    expect(results.every((r) => !r.ok && r.reason === "mismatch")).toBe(true);
    expect(s.calls).toBe(3);
    for (let i = 0; i < 10; i++) await v.verify(`again-${i}`);
    expect(s.calls).toBe(3);
  });
});

describe("createSharedSecretVerifier: failures", () => {
  it("fails closed when the source throws, and never puts the secret in what it reports", async () => {
    const failures: SourceFailure[] = [];
    const v = verifierWith(
      () => {
        const e = new Error(`could not parse ${CURRENT}`) as Error & { code: string };
        e.name = "AccessDeniedException";
        e.code = "ECONNRESET";
        throw e;
      },
      clock(),
      { onSourceError: (f) => void failures.push(f) },
    );
    // resolves, not rejects: verify() never throws, so no error object can carry the message onward.
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: false, reason: "unavailable" });
    expect(failures).toEqual([{ stage: "source", message: "the secret source failed", errorName: "AccessDeniedException", errorCode: "ECONNRESET" }]);
    expectNoSecret(failures);
  });

  it("fails closed on an async rejection as well", async () => {
    const v = verifierWith(async () => Promise.reject(new Error(CURRENT)));
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: false, reason: "unavailable" });
  });

  it("passes on SecretSourceError messages, which are secret-free by contract", async () => {
    const failures: SourceFailure[] = [];
    const v = verifierWith(fromEnv("ORDERS_SHARED_SECRET_ACCEPTED", {}), clock(), { onSourceError: (f) => void failures.push(f) });
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: false, reason: "unavailable" });
    expect(failures[0]).toMatchObject({ stage: "source", errorName: "SecretSourceError" });
    expect(failures[0]!.message).toContain("ORDERS_SHARED_SECRET_ACCEPTED");
  });

  it.each([
    ["not JSON", `not json ${CURRENT}`],
    ["JSON that V8 would quote in its error", `{"version":1,"current":"${CURRENT}"`],
    ["the wrong version", JSON.stringify({ version: 2, current: CURRENT })],
    ["no current secret", JSON.stringify({ version: 1, previous: CURRENT })],
    ["an empty current secret", JSON.stringify({ version: 1, current: "" })],
    ["a bad retirement time", JSON.stringify({ version: 1, current: CURRENT, previous: PREVIOUS, previousRetiresAt: "soon" })],
    ["a non-string", 42 as unknown as string],
  ])("fails closed on a document with %s, without leaking it", async (_label, text) => {
    const failures: SourceFailure[] = [];
    const v = verifierWith(() => text, clock(), { onSourceError: (f) => void failures.push(f) });
    for (const value of [CURRENT, PREVIOUS, "x"]) {
      await expect(v.verify(value)).resolves.toEqual({ ok: false, reason: "unavailable" });
    }
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f.stage === "document")).toBe(true);
    expectNoSecret(failures);
  });

  it("rate-limits reads while the store keeps failing", async () => {
    let calls = 0;
    const c = clock();
    const v = verifierWith(
      () => {
        calls++;
        throw new Error("down");
      },
      c,
    );
    for (let i = 0; i < 20; i++) await expect(v.verify(CURRENT)).resolves.toEqual({ ok: false, reason: "unavailable" });
    expect(calls).toBe(1);
    c.advance(10_000);
    await v.verify(CURRENT);
    expect(calls).toBe(2);
  });

  it("keeps serving the last good document when a refresh fails", async () => {
    const s = store(encodeSecretDocument({ current: CURRENT, previous: PREVIOUS, previousRetiresAt: RETIRES }));
    const c = clock();
    const failures: SourceFailure[] = [];
    const v = verifierWith(s.source, c, { onSourceError: (f) => void failures.push(f) });
    await expect(v.verify(CURRENT)).resolves.toMatchObject({ ok: true });
    s.text = () => {
      throw new Error("store down");
    };
    c.advance(5 * 60_000);
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: true, matched: "current" });
    expect(s.calls).toBe(2);
    expect(failures).toHaveLength(1);
    // Still a real check against that document: wrong values are mismatches, not accepted, not "unavailable".
    await expect(v.verify(NEXT)).resolves.toEqual({ ok: false, reason: "mismatch" });
    // And retirement is still enforced on the stale document.
    await expect(v.verify(PREVIOUS)).resolves.toEqual({ ok: true, matched: "previous" });
    c.t = Date.parse(RETIRES);
    await expect(v.verify(PREVIOUS)).resolves.toEqual({ ok: false, reason: "mismatch" });
  });

  it("does not replace a good document with a malformed one", async () => {
    const s = store(encodeSecretDocument({ current: CURRENT }));
    const c = clock();
    const v = verifierWith(s.source, c);
    await v.verify(CURRENT);
    s.text = "{ truncated";
    c.advance(5 * 60_000);
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: true, matched: "current" });
    expect(s.calls).toBe(2);
  });

  it("gives up on a source that does not answer in sourceTimeoutMs", async () => {
    const failures: SourceFailure[] = [];
    const v = verifierWith(() => new Promise<string>(() => {}), clock(), { sourceTimeoutMs: 30, onSourceError: (f) => void failures.push(f) });
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: false, reason: "unavailable" });
    expect(failures.map((f) => f.stage)).toEqual(["timeout"]);
  });

  it("ignores an onSourceError hook that throws", async () => {
    const v = verifierWith(
      () => {
        throw new Error("down");
      },
      clock(),
      {
        onSourceError: () => {
          throw new Error("logger broke");
        },
      },
    );
    await expect(v.verify(CURRENT)).resolves.toEqual({ ok: false, reason: "unavailable" });
  });
});

describe("sources", () => {
  it("fromEnv reads the variable at each call", () => {
    const env: Record<string, string | undefined> = { DOC: "one" };
    const source = fromEnv("DOC", env);
    expect(source()).toBe("one");
    env.DOC = "two";
    expect(source()).toBe("two");
  });

  it("fromEnv names an unset or empty variable, and nothing else", () => {
    for (const env of [{}, { DOC: "" }]) {
      let error: unknown;
      try {
        fromEnv("DOC", env)();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SecretSourceError);
      expect((error as Error).message).toBe("environment variable DOC is not set or is empty");
    }
    expect(() => fromEnv("")).toThrow(TypeError);
  });

  it("fromEnv defaults to process.env", async () => {
    const name = `GATELOCK_TEST_DOC_${process.pid}`;
    process.env[name] = encodeSecretDocument({ current: CURRENT });
    try {
      await expect(verifierWith(fromEnv(name)).verify(CURRENT)).resolves.toEqual({ ok: true, matched: "current" });
    } finally {
      delete process.env[name];
    }
  });

  it("fromStatic accepts the text or the fields", async () => {
    const text = encodeSecretDocument({ current: CURRENT, previous: PREVIOUS });
    expect(fromStatic(text)()).toBe(text);
    expect(JSON.parse(fromStatic({ current: CURRENT, previous: PREVIOUS })() as string)).toEqual(JSON.parse(text));
    expect(JSON.parse(fromStatic({ version: 1, current: CURRENT })() as string)).toEqual({ version: 1, current: CURRENT });
  });

  it("fromStatic refuses a malformed document up front without quoting it", () => {
    for (const bad of [`{"current":"${CURRENT}"`, JSON.stringify({ version: 1, current: "" }), JSON.stringify({ version: 3, current: CURRENT })]) {
      let error: unknown;
      try {
        fromStatic(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expectNoSecret((error as Error).message);
      expectNoSecret(String((error as Error).stack));
    }
  });
});

describe("import boundary", () => {
  it("gatelock/origin reaches only Node built-ins and jose: no @pulumi/*, no cloud SDK, no other npm package", () => {
    const root = path.resolve(__dirname, "..");
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, "utf8");
      const specifiers = [...code.matchAll(/\b(?:from|import|require)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      for (const spec of specifiers) {
        if (spec.startsWith(".")) visit(path.resolve(path.dirname(file), spec) + ".ts");
        else external.add(spec);
      }
    };
    visit(path.join(root, "components/origin/index.ts"));
    const files = [...seen].map((f) => path.relative(root, f)).sort();
    expect(files).toEqual([
      "components/documents/entra.ts",
      "components/documents/trust-bundle.ts",
      "components/origin/client-cert-header.ts",
      "components/origin/entra.ts",
      "components/origin/index.ts",
      "components/origin/jwks.ts",
      "components/origin/middleware.ts",
      "components/origin/mtls-env.ts",
      "components/origin/mtls.ts",
      "components/origin/shared-secret.ts",
      "components/origin/sources.ts",
      "components/origin/token-middleware.ts",
      "components/origin/token.ts",
      "components/shared-secret/document.ts",
    ]);
    // jose backs the gateway-token verifier (JOSE is not something to hand-write).
    expect([...external].filter((s) => !s.startsWith("node:"))).toEqual(["jose"]);
  });
});
