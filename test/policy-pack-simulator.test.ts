/**
 * The AWS rule of gatelock's policy pack against an IAM policy simulator nobody here wrote
 * (@cloud-copilot/iam-simulate, as in test/federated-aws-simulator.test.ts, whose evaluation
 * path this reuses: `runUnsafeSimulation`, because `runSimulation` silently drops an issuer's
 * `:aud`/`:sub` keys and would deny everything).
 *
 * For each trust policy, the simulator answers: may a token other than the pinned one assume
 * the role? Other = a foreign `sub`, a foreign `aud`, or a token lacking either claim (what
 * `ForAllValues:` and `…IfExists` let in). The rule must flag exactly the policies where the
 * answer is yes. Each case first proves the right token is allowed, so a denial is never
 * vacuous. A last group lists where the rule is stricter than the simulator, by design.
 */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { oidcTrustProblems } from "../components/policy-pack/aws-oidc-trust";

const ACCOUNT = "123456789012";
const KEY = "dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${KEY}`;
const SUB = "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e";
const FOREIGN_SUB = "atcl_Fz7Kq1Xw9Lm3Np5Rt2Vb8Yc4";
const AUD = "aws:acme:prod";
/** Another tenant's default audience, and this account's other environment. */
const FOREIGN_AUDS = ["sts.amazonaws.com", "aws:acme:dev"];

interface Token {
  readonly aud: string | null;
  readonly sub: string | null;
}

function assume(trust: unknown, t: Token): string {
  const context: Record<string, string> = {};
  if (t.aud !== null) context[`${KEY}:aud`] = t.aud;
  if (t.sub !== null) context[`${KEY}:sub`] = t.sub;
  return runUnsafeSimulation(
    {
      request: {
        principal: PROVIDER,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: { resource: `arn:aws:iam::${ACCOUNT}:role/orders`, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: { __validated: true, policyDocument: trust, metadata: { name: "trust-policy" }, errors: [] },
    } as never,
    {},
  );
}

const FOREIGN_TOKENS: readonly Token[] = [
  { aud: AUD, sub: FOREIGN_SUB },
  ...FOREIGN_AUDS.map((a) => ({ aud: a, sub: SUB })),
  { aud: AUD, sub: null },
  { aud: null, sub: SUB },
];

/** The simulator's verdict: does any token but the pinned one get in? */
const foreignTokenGetsIn = (trust: unknown) => FOREIGN_TOKENS.some((t) => assume(trust, t) === "Allowed");

const aud = `${KEY}:aud`;
const sub = `${KEY}:sub`;

/** Trust policies, good and bad; `name` says what each is. */
const CASES: Record<string, unknown> = {
  "StringEquals on aud and sub (gatelock's own)": { StringEquals: { [aud]: AUD, [sub]: SUB } },
  "StringEquals on aud and a list of subjects": { StringEquals: { [aud]: AUD, [sub]: [SUB, "atcl_9hRtY2uE4wQ6pL8kJ0nB3vXc"] } },
  "StringEquals pins plus a narrowing StringLike": { StringEquals: { [aud]: AUD, [sub]: SUB }, StringLike: { [sub]: "atcl_*" } },
  "StringEquals pins plus a narrowing ForAllValues": { StringEquals: { [aud]: AUD, [sub]: SUB }, "ForAllValues:StringEquals": { [sub]: [SUB] } },
  "no condition": undefined,
  "aud only": { StringEquals: { [aud]: AUD } },
  "sub only": { StringEquals: { [sub]: SUB } },
  "StringLike wildcard on sub": { StringEquals: { [aud]: AUD }, StringLike: { [sub]: "atcl_*" } },
  "StringLike wildcard on aud": { StringLike: { [aud]: "aws:*" }, StringEquals: { [sub]: SUB } },
  "ForAllValues on both": { "ForAllValues:StringEquals": { [aud]: AUD, [sub]: SUB } },
  "ForAllValues on sub": { StringEquals: { [aud]: AUD }, "ForAllValues:StringEquals": { [sub]: SUB } },
  "StringEqualsIfExists on sub": { StringEquals: { [aud]: AUD }, StringEqualsIfExists: { [sub]: SUB } },
  "StringNotEquals on sub": { StringEquals: { [aud]: AUD }, StringNotEquals: { [sub]: "atcl_someone_else_entirely" } },
};

const trustWith = (condition: unknown) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Federated: PROVIDER }, Action: "sts:AssumeRoleWithWebIdentity", ...(condition === undefined ? {} : { Condition: condition }) }],
});

describe("the AWS OIDC trust rule agrees with the IAM policy simulator", () => {
  for (const [name, condition] of Object.entries(CASES)) {
    it(name, () => {
      const trust = trustWith(condition);
      // Never vacuous: the pinned token itself is allowed.
      expect(assume(trust, { aud: AUD, sub: SUB })).toBe("Allowed");
      const flagged = oidcTrustProblems(JSON.stringify(trust)).length > 0;
      expect(flagged).toBe(foreignTokenGetsIn(trust));
    });
  }

  it("a second, unpinned statement is found by both, next to a pinned one", () => {
    const good = trustWith(CASES["StringEquals on aud and sub (gatelock's own)"]);
    const bad = trustWith(CASES["aud only"]);
    const both = { Version: "2012-10-17", Statement: [...good.Statement, ...bad.Statement] };
    expect(foreignTokenGetsIn(good)).toBe(false);
    expect(foreignTokenGetsIn(both)).toBe(true);
    expect(oidcTrustProblems(both)).toHaveLength(1);
  });

  it("covers both verdicts (the case list is not one-sided)", () => {
    const verdicts = Object.values(CASES).map((c) => foreignTokenGetsIn(trustWith(c)));
    expect(verdicts.filter(Boolean).length).toBeGreaterThanOrEqual(5);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThanOrEqual(3);
  });
});

describe("where the rule is stricter than the simulator, by design", () => {
  // An allowlist: only `StringEquals` counts as a pin. These deny every foreign token today,
  // but read like patterns or set logic, and one edit (a `*`, a missing key) opens them.
  const STRICTER: Record<string, unknown> = {
    "StringLike without a wildcard on sub": { StringEquals: { [aud]: AUD }, StringLike: { [sub]: SUB } },
    "ForAnyValue on sub": { StringEquals: { [aud]: AUD }, "ForAnyValue:StringEquals": { [sub]: SUB } },
  };
  for (const [name, condition] of Object.entries(STRICTER)) {
    it(name, () => {
      const trust = trustWith(condition);
      expect(assume(trust, { aud: AUD, sub: SUB })).toBe("Allowed");
      expect(foreignTokenGetsIn(trust)).toBe(false);
      expect(oidcTrustProblems(trust)).toHaveLength(1);
    });
  }
});
