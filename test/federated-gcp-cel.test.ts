/**
 * The GCP attribute mapping and attribute condition gatelock generates, judged by a CEL
 * evaluator nobody here wrote (@marcbachmann/cel-js): the mapping is evaluated against real
 * claim sets exactly as GCP's STS does (`assertion` = the token's claims), and the condition
 * against the mapped attributes. Plus the member strings and the whole-pool refusal.
 */
import { evaluate } from "@marcbachmann/cel-js";
import { describe, expect, it } from "vitest";
import {
  attributeCondition,
  attributeMapping,
  celString,
  impersonators,
  isWholePoolMember,
  principalMember,
  principalSetMember,
  subjectPatternRegex,
} from "../components/documents/gcp-workload-identity";
import { ZUPLO_ISSUER, ZUPLO_JWKS_URI } from "../components/model/identity";
import type { FederatedTrust } from "../components/model/federated/trust";

const POOL = "projects/418203751982/locations/global/workloadIdentityPools/gl-prod-billing-a1b2c3";

function zuploTrust(over: Partial<FederatedTrust> = {}): FederatedTrust {
  return {
    issuer: ZUPLO_ISSUER,
    jwksUri: ZUPLO_JWKS_URI,
    audience: "",
    subjects: ["atcl_01JPRODCLIENT"],
    claims: { account: "acme", project: "orders-api", environment_type: "production" },
    wildcardSubjects: false,
    sharedIssuer: true,
    ...over,
  };
}

/** The claims of a Zuplo ID token (zuplo.md §3), for the right gateway. */
const RIGHT = {
  iss: ZUPLO_ISSUER,
  aud: `https://iam.googleapis.com/${POOL}/providers/gl-billing-a1b2c3`,
  sub: "atcl_01JPRODCLIENT",
  account: "acme",
  project: "orders-api",
  deployment: "copper-bedbug-main-53c4947",
  environment_type: "production",
  iat: 1767225600,
  exp: 1767261600,
};

interface Exchange {
  /** Mapped attributes, or the mapping error (GCP then rejects the token exchange). */
  readonly attributes?: { google: Record<string, unknown>; attribute: Record<string, unknown> };
  readonly mappingError?: string;
  /** The condition's verdict on the mapped attributes. */
  readonly allowed: boolean;
}

/** What GCP's STS does with a token: map the attributes, then evaluate the condition on them. */
function exchange(trust: FederatedTrust, claims: Record<string, unknown>): Exchange {
  const google: Record<string, unknown> = {};
  const attribute: Record<string, unknown> = {};
  try {
    for (const [key, expr] of Object.entries(attributeMapping(trust))) {
      const value = evaluate(expr, { assertion: claims });
      const [ns, name] = key.split(".", 2) as ["google" | "attribute", string];
      (ns === "google" ? google : attribute)[name] = value;
    }
  } catch (e) {
    return { mappingError: (e as Error).message, allowed: false };
  }
  const verdict = evaluate(attributeCondition(trust), { google, attribute, assertion: claims });
  expect(typeof verdict).toBe("boolean");
  return { attributes: { google, attribute }, allowed: verdict === true };
}

describe("the attribute mapping, evaluated", () => {
  it("maps Zuplo's documented google.subject and every claim gatelock pins", () => {
    const x = exchange(zuploTrust(), RIGHT);
    expect(x.mappingError).toBeUndefined();
    // The evaluator really computed the mapping: the exact string Zuplo's docs specify.
    expect(x.attributes!.google.subject).toBe("zuplo::acme::orders-api::copper-bedbug-main-53c4947");
    expect(x.attributes!.attribute).toEqual({
      account: "acme",
      project: "orders-api",
      deployment: "copper-bedbug-main-53c4947",
      environment_type: "production",
      sub: "atcl_01JPRODCLIENT",
    });
  });

  it("maps the subject only when subjects are pinned, and google.subject to `sub` for a custom issuer", () => {
    expect(attributeMapping(zuploTrust({ subjects: [] }))["attribute.sub"]).toBeUndefined();
    const custom = zuploTrust({ issuer: "https://gateway.acme.example", sharedIssuer: false, claims: { tenant: "acme" } });
    const x = exchange(custom, { ...RIGHT, iss: custom.issuer, tenant: "acme" });
    expect(x.attributes!.google.subject).toBe("atcl_01JPRODCLIENT");
    expect(x.attributes!.attribute).toEqual({ tenant: "acme", sub: "atcl_01JPRODCLIENT" });
    expect(x.allowed).toBe(true);
  });

  it("a token without a mapped claim fails the exchange (the mapping errors, as in GCP)", () => {
    const { environment_type: _dropped, ...noEnv } = RIGHT;
    const x = exchange(zuploTrust(), noEnv);
    expect(x.mappingError).toMatch(/environment_type/);
    expect(x.allowed).toBe(false);
  });
});

describe("the attribute condition, evaluated on the mapped attributes", () => {
  const trust = zuploTrust();

  it("admits the right account, project, environment type and subject", () => {
    expect(exchange(trust, RIGHT).allowed).toBe(true);
  });

  it.each([
    ["a foreign account (same project name, same environment type)", { account: "evil-corp" }],
    ["a foreign project in the same account", { project: "payments-api" }],
    ["a foreign environment type (preview)", { environment_type: "preview" }],
    ["a foreign subject (another environment's client)", { sub: "atcl_01JPREVIEWCLIENT" }],
    ["a value differing only in case", { account: "Acme" }],
    ["a value with a trailing space", { account: "acme " }],
  ])("refuses %s", (_label, change) => {
    const x = exchange(trust, { ...RIGHT, ...change });
    expect(x.mappingError).toBeUndefined(); // refused by the condition, not by accident
    expect(x.allowed).toBe(false);
  });

  it("pins the account even with no subjects and no configured claims (Zuplo's minimum)", () => {
    const minimal = zuploTrust({ subjects: [], claims: { account: "acme", project: "orders-api" } });
    expect(attributeCondition(minimal)).toBe('attribute.account == "acme" && attribute.project == "orders-api"');
    expect(exchange(minimal, RIGHT).allowed).toBe(true);
    expect(exchange(minimal, { ...RIGHT, account: "evil-corp" }).allowed).toBe(false);
    expect(exchange(minimal, { ...RIGHT, project: "other" }).allowed).toBe(false);
    // Any environment of that project passes: the environment is pinned only when configured.
    expect(exchange(minimal, { ...RIGHT, environment_type: "preview", sub: "atcl_other" }).allowed).toBe(true);
  });

  it("accepts any of several exact subjects and no other", () => {
    const two = zuploTrust({ subjects: ["atcl_A", "atcl_B"] });
    expect(attributeCondition(two)).toContain('attribute.sub in ["atcl_A", "atcl_B"]');
    expect(exchange(two, { ...RIGHT, sub: "atcl_A" }).allowed).toBe(true);
    expect(exchange(two, { ...RIGHT, sub: "atcl_B" }).allowed).toBe(true);
    expect(exchange(two, { ...RIGHT, sub: "atcl_C" }).allowed).toBe(false);
  });

  it("subject patterns (escape hatch) are anchored and treat regex characters literally", () => {
    const p = zuploTrust({ subjects: ["atcl_01J.*"], wildcardSubjects: true });
    expect(subjectPatternRegex("atcl_01J.*")).toBe("^atcl_01J\\..*$");
    expect(exchange(p, { ...RIGHT, sub: "atcl_01J.PROD" }).allowed).toBe(true);
    expect(exchange(p, { ...RIGHT, sub: "atcl_01JxPROD" }).allowed).toBe(false); // `.` is literal
    expect(exchange(p, { ...RIGHT, sub: "xatcl_01J.PROD" }).allowed).toBe(false); // anchored at the start
    const q = zuploTrust({ subjects: ["atcl_0?"], wildcardSubjects: true });
    expect(exchange(q, { ...RIGHT, sub: "atcl_01" }).allowed).toBe(true);
    expect(exchange(q, { ...RIGHT, sub: "atcl_012" }).allowed).toBe(false); // anchored at the end
  });

  it("the evaluator is not vacuous: a condition on an unmapped attribute errors, as GCP refuses it", () => {
    expect(() => evaluate('attribute.environment_type == "production"', { attribute: { account: "acme" } })).toThrow();
    // and every clause carries weight: dropping any one pinned claim from the token's values flips the verdict
    for (const claim of ["account", "project", "environment_type", "sub"] as const) {
      expect(exchange(trust, { ...RIGHT, [claim]: `${RIGHT[claim]}-x` }).allowed, claim).toBe(false);
    }
  });

  it("a configured value cannot inject CEL", () => {
    const evil = 'acme" || true || "';
    const t = zuploTrust({ claims: { account: evil, project: "orders-api" }, subjects: [] });
    expect(exchange(t, RIGHT).allowed).toBe(false);
    expect(exchange(t, { ...RIGHT, account: evil }).allowed).toBe(true);
  });

  it("never produces an empty condition", () => {
    expect(() => attributeCondition(zuploTrust({ subjects: [], claims: {} }))).toThrow();
    expect(() => attributeCondition(zuploTrust({ subjects: ["atcl_A"], claims: { project: "p" } }))).toThrow(/account/);
  });
});

describe("CEL string literals", () => {
  it.each(['plain', 'quote " inside', "back\\slash", "new\nline\r\t", "nul\u0000 del\u007f c1\u0085", "ünïcødé ✓ 🚀", "'single'", "${x}", "\\u0041"])(
    "round-trips %j through the evaluator",
    (s) => {
      expect(evaluate(celString(s))).toBe(s);
      expect(evaluate(`${celString(s)} == x`, { x: s })).toBe(true);
    },
  );

  it("round-trips random strings", () => {
    for (let n = 0; n < 300; n++) {
      let s = "";
      const len = Math.floor(Math.random() * 12);
      for (let i = 0; i < len; i++) {
        let cp = Math.floor(Math.random() * 0x1100);
        if (Math.random() < 0.3) cp = Math.floor(Math.random() * 0x80);
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
        s += String.fromCodePoint(cp);
      }
      expect(evaluate(celString(s))).toBe(s);
    }
  });

  it("refuses a lone surrogate rather than emit an invalid literal", () => {
    expect(() => celString("\ud800")).toThrow();
  });
});

describe("IAM members", () => {
  it("binds the exact subjects of the pool, never the pool", () => {
    expect(impersonators(POOL, zuploTrust({ subjects: ["atcl_A", "atcl_B"] }), "sub")).toEqual([
      `principalSet://iam.googleapis.com/${POOL}/attribute.sub/atcl_A`,
      `principalSet://iam.googleapis.com/${POOL}/attribute.sub/atcl_B`,
    ]);
    expect(impersonators(POOL, zuploTrust({ subjects: [] }), "account")).toEqual([`principalSet://iam.googleapis.com/${POOL}/attribute.account/acme`]);
    expect(principalMember(POOL, "zuplo::acme::orders-api::copper-bedbug-main-53c4947")).toBe(
      `principal://iam.googleapis.com/${POOL}/subject/zuplo::acme::orders-api::copper-bedbug-main-53c4947`,
    );
  });

  it("refuses to bind an attribute the trust does not pin, or patterns", () => {
    expect(() => impersonators(POOL, zuploTrust(), "deployment")).toThrow();
    expect(() => impersonators(POOL, zuploTrust({ subjects: ["atcl_*"], wildcardSubjects: true }), "sub")).toThrow();
    expect(() => principalSetMember(POOL, "account", "*")).toThrow();
    expect(() => principalSetMember(POOL, "*", "x")).toThrow();
    expect(() => principalSetMember("projects/x/workloadIdentityPools/p", "account", "acme")).toThrow();
  });

  it.each([
    [`principalSet://iam.googleapis.com/${POOL}/*`, true],
    [`principalSet://iam.googleapis.com/${POOL}`, true],
    [`principalSet://iam.googleapis.com/${POOL}/`, true],
    [`principalSet://iam.googleapis.com/${POOL}/attribute.account/*`, true],
    [`principalSet://iam.googleapis.com/${POOL}/attribute.account`, true],
    [`principalSet://iam.googleapis.com/${POOL}/group/*`, true],
    [`principalSet://iam.googleapis.com/${POOL}/attribute.sub/atcl_A`, false],
    [`principal://iam.googleapis.com/${POOL}/subject/atcl_A`, false],
    ["serviceAccount:gl@acme-prod.iam.gserviceaccount.com", false],
  ])("%s names the whole pool: %s", (member, whole) => {
    expect(isWholePoolMember(member)).toBe(whole);
  });
});
