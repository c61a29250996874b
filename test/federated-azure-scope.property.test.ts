/**
 * Property tests of the Azure scope normalisation (issue 6 item 5). Scopes are generated from
 * a model (segments, inserted `.`/`..` segments, encoded separators, random percent-encoding
 * of characters, up to two layers deep, duplicate and trailing slashes), so every generated
 * string comes with what it should normalise to, or why it should be refused:
 *
 * - a scope classes exactly as its normalised form does (and normalising is idempotent);
 * - anything with a dot segment after decoding, or an encoded `/` or `\`, is refused, by the
 *   pure function and by the model (ERR_TRUST_UNSAFE at `azure.scope`);
 * - a valid resource ID with gratuitous percent-encoding of unreserved letters normalises to
 *   the plain ID, with the same level and subscription.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyScope, normaliseScope } from "../components/documents/azure-roles";
import { ConfigError } from "../components/errors";
import { buildModel } from "../components/model/model";
import { gateway } from "./fixtures/configs";

const RUNS = 300;

/** One character percent-encoded, with random hex case, possibly encoded a second time (`%` → `%25`). */
function encodeChar(c: string, upper: boolean, twice: boolean): string {
  const hex = c.charCodeAt(0).toString(16).padStart(2, "0");
  const once = `%${upper ? hex.toUpperCase() : hex.toLowerCase()}`;
  return twice ? `%25${once.slice(1)}` : once;
}

/** Per character: leave it, encode it once, or encode it twice. */
const encoding = fc.array(fc.record({ mode: fc.constantFrom("plain", "plain", "once", "twice"), upper: fc.boolean() }), { minLength: 64, maxLength: 64 });

function encode(text: string, how: readonly { mode: string; upper: boolean }[]): string {
  return [...text].map((c, i) => {
    const h = how[i % how.length]!;
    return h.mode === "plain" ? c : encodeChar(c, h.upper, h.mode === "twice");
  }).join("");
}

/** A segment of a scope: a name of ARM name characters (never `.` or `..`; no `%`, `/`, `\`, spaces or controls), or a dot segment. */
const nameSegment = fc.stringMatching(/^[A-Za-z0-9_()-][A-Za-z0-9._()-]{0,11}$/);
type Piece = { kind: "name"; text: string } | { kind: "dot"; text: "." | ".." };
const piece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 6, arbitrary: nameSegment.map((text) => ({ kind: "name" as const, text })) },
  { weight: 1, arbitrary: fc.constantFrom(".", "..").map((text) => ({ kind: "dot" as const, text })) },
);

/** The separators between segments: one `/`, several, or an encoded separator at some depth. */
const separator = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("/", "//", "///").map((text) => ({ encoded: false, text })) },
  { weight: 1, arbitrary: fc.constantFrom("%2F", "%2f", "%5C", "%5c", "%252F", "%252f", "%255C", "%25252F").map((text) => ({ encoded: true, text })) },
);

/** A generated scope, with the normalised form it should have if nothing in it is refused. */
const generatedScope = fc
  .record({
    pieces: fc.array(fc.record({ piece, sep: separator, how: encoding }), { minLength: 1, maxLength: 8 }),
    trailing: fc.constantFrom("", "/", "//"),
  })
  .map(({ pieces, trailing }) => {
    const scope = pieces.map(({ piece: p, sep, how }) => sep.text + encode(p.text, how)).join("") + trailing;
    const plain = "/" + pieces.map(({ piece: p }) => p.text).join("/");
    return {
      scope,
      plain,
      hasDotSegment: pieces.some(({ piece: p }) => p.kind === "dot"),
      hasEncodedSeparator: pieces.some(({ sep }) => sep.encoded),
    };
  });

describe("azure scope normalisation: properties", () => {
  it("classes a scope exactly as its normalised form, and normalising twice changes nothing", () => {
    fc.assert(
      fc.property(generatedScope, ({ scope }) => {
        const n = normaliseScope(scope);
        if (!n.ok) {
          expect(classifyScope(scope)).toBeUndefined();
          return;
        }
        expect(classifyScope(scope)).toEqual(classifyScope(n.scope));
        expect(normaliseScope(n.scope)).toEqual(n);
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses every scope with a dot segment after decoding or an encoded separator; normalises the rest to the plain path", () => {
    fc.assert(
      fc.property(generatedScope, ({ scope, plain, hasDotSegment, hasEncodedSeparator }) => {
        const n = normaliseScope(scope);
        if (hasEncodedSeparator) expect(n).toEqual({ ok: false, problem: "encoded-separator" });
        else if (hasDotSegment) expect(n).toEqual({ ok: false, problem: "dot-segment" });
        else expect(n).toEqual({ ok: true, scope: plain });
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses dot segments and encoded separators inside a real resource ID, whatever they would class as", () => {
    const attack = fc.record({
      sub: fc.uuid(),
      climb: fc.integer({ min: 1, max: 6 }),
      dot: fc.constantFrom("..", ".", "%2e%2e", "%2E.", "%252e%252E", "\uFF0E\uFF0E"),
      sep: fc.constantFrom("/", "%2F", "%2f", "%252F", "%5C"),
    });
    fc.assert(
      fc.property(attack, ({ sub, climb, dot, sep }) => {
        const scope = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acme` + `${sep}${dot}`.repeat(climb);
        expect(normaliseScope(scope).ok).toBe(false);
        expect(classifyScope(scope)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it("the model refuses such scopes with ERR_TRUST_UNSAFE at azure.scope, and nothing else", () => {
    const refused = generatedScope.filter((g) => g.hasDotSegment || g.hasEncodedSeparator);
    fc.assert(
      fc.property(fc.uuid(), refused, (sub, { scope }) => {
        const full = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts${scope}`;
        const raw = {
          gateway,
          origins: [
            {
              name: "reports",
              method: "federated",
              cloud: "azure",
              federated: { subjects: ["atcl_2bX9kQ7mP4vR8sT1wY5z"] },
              azure: { resourceGroup: "rg-gateway", location: "westeurope", role: "Storage Blob Data Reader", scope: full },
            },
          ],
        };
        let err: unknown;
        try {
          buildModel(raw, { stack: "prod" });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].azure.scope"]]);
      }),
      { numRuns: 60 },
    );
  });

  it("a valid resource ID with gratuitous percent-encoding of unreserved letters normalises to the plain ID: same level, same subscription", () => {
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,9}$/);
    const resourceId = fc.record({
      sub: fc.uuid(),
      upperSub: fc.boolean(),
      level: fc.constantFrom("subscription", "resourceGroup", "resource"),
      rg: fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9_.()-]{0,19}$/).filter((s) => !/^\.+$/.test(s)),
      namespace: fc.array(word, { minLength: 2, maxLength: 3 }).map((w) => w.join(".")),
      pairs: fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 3 }),
      how: encoding,
      slashes: fc.constantFrom("", "/", "//"),
    });
    fc.assert(
      fc.property(resourceId, ({ sub, upperSub, level, rg, namespace, pairs, how, slashes }) => {
        const id = upperSub ? sub.toUpperCase() : sub;
        let plain = `/subscriptions/${id}`;
        if (level !== "subscription") plain += `/resourceGroups/${rg}`;
        if (level === "resource") plain += `/providers/${namespace}` + pairs.map(([t, n]) => `/${t}/${n}`).join("");
        // Percent-encode only ALPHA and DIGIT (unreserved; never `/`, `.`, `-`, `_`).
        const encoded = [...plain].map((c, i) => (/[A-Za-z0-9]/.test(c) ? encode(c, [how[i % how.length]!]) : c)).join("") + slashes;
        expect(normaliseScope(encoded)).toEqual({ ok: true, scope: plain });
        const expected = { level, subscription: sub.toLowerCase() };
        expect(classifyScope(plain)).toEqual(expected);
        expect(classifyScope(encoded)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });
});
