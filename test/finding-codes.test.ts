/** Findings carry codes from one typed family: a misspelt code does not compile. */
import { describe, expect, it } from "vitest";
import type { Finding, WarningFinding } from "../components/model/safety";
import { buildModel } from "../components/model/model";
import { awsOrigin, config } from "./fixtures/configs";

describe("finding codes", () => {
  it("are a typed union: warnings carry WARN_ codes, errors ERR_ codes", () => {
    // @ts-expect-error: not a warning code
    const typo: WarningFinding = { severity: "warning", code: "WARN_NO_OVERLAPP", path: "gatelock:origins[0]", message: "m" };
    // @ts-expect-error: an error code on a warning
    const mixed: Finding = { severity: "warning", code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0]", message: "m" };
    expect([typo.code, mixed.code]).toHaveLength(2);
  });

  it("the model's warnings use them", () => {
    const raw = config({ ...awsOrigin, sharedSecret: { overlapDays: 0 } });
    const codes = buildModel(raw, { stack: "prod" }).findings.map((f) => f.code);
    expect(codes).toEqual(["WARN_NO_OVERLAP"]);
  });
});
