/**
 * Every problem of every origin in one run, each with its key, gatelock's own words and a fix:
 * no raw validation-library text, no empty fix, and one origin's shape error does not hide
 * another origin's unsafe trust.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../components/errors";
import { buildModel } from "../components/model/model";
import { AWS_ROLE, awsOrigin, config, gateway, gcpOrigin } from "./fixtures/configs";

function issues(raw: unknown): readonly ConfigIssue[] {
  try {
    buildModel(raw, { stack: "prod", ignoreOracle: () => "no-repo" });
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

/** zod's own phrasing, which can quote values and says nothing about how to fix. */
const LIBRARY_TEXT = /Invalid (input|option|discriminator|union)|Too (small|big)|received \w+|expected \w+ to be/;

describe("config issues", () => {
  it("a malformed origin does not hide another origin's unsafe trust", () => {
    const found = issues(config({ ...awsOrigin, aws: { ...awsOrigin.aws, readers: ["*"] } }, { ...gcpOrigin, gcp: "acme-prod" }));
    expect(found.map((i) => [i.code, i.path])).toEqual([
      ["ERR_CONFIG_INVALID", "gatelock:origins[1].gcp"],
      ["ERR_TRUST_UNSAFE", "gatelock:origins[0].aws.readers[0]"],
    ]);
  });

  it("names an origin by its name as well as its index, when the name is valid", () => {
    let message = "";
    try {
      buildModel(config({ ...awsOrigin, aws: { ...awsOrigin.aws, readers: ["*"] } }, { ...gcpOrigin, name: "Not A Name", gcp: 3 }), { stack: "prod" });
    } catch (e) {
      message = (e as ConfigError).message;
    }
    expect(message).toContain("gatelock:origins[0].aws.readers[0] (orders): wildcards");
    expect(message).toMatch(/gatelock:origins\[1\]\.name: /);
    expect(message).not.toContain("Not A Name");
  });

  it("keeps each issue at its origin's place in the stack file when earlier origins are malformed", () => {
    const found = issues(config({ ...gcpOrigin, sharedSecret: 7 }, awsOrigin, { ...awsOrigin, name: "orders" }));
    expect(found.map((i) => [i.code, i.path])).toEqual([
      ["ERR_CONFIG_INVALID", "gatelock:origins[0].sharedSecret"],
      ["ERR_CONFIG_CONFLICT", "gatelock:origins[2].name"],
    ]);
    expect(found.find((i) => i.code === "ERR_CONFIG_CONFLICT" && i.path === "gatelock:origins[2].name")!.message).toContain("gatelock:origins[1]");
  });

  it("`cloud: AWS` beside a `gcp:` block: did you mean `aws`, and the block is a mismatch", () => {
    const found = issues(config({ ...awsOrigin, cloud: "AWS", aws: undefined, gcp: { project: "acme-prod", readers: [] } }));
    expect(found.find((i) => i.path === "gatelock:origins[0].cloud")!.fix).toBe("did you mean `aws`?");
    expect(found.find((i) => i.path === "gatelock:origins[0].gcp")).toMatchObject({ code: "ERR_CONFIG_CONFLICT" });
  });

  it("a wrong method or kind names the allowed values, and a missing key says what to add", () => {
    const found = issues({ gateway: { ...gateway, kind: "kong" }, origins: [{ ...awsOrigin, method: "sharedsecret" }, { method: "federated" }] });
    expect(found.find((i) => i.path === "gatelock:gateway.kind")).toMatchObject({ message: "`kind` must be one of `zuplo`.", fix: "set `kind` to one of `zuplo`." });
    expect(found.find((i) => i.path === "gatelock:origins[0].method")!.fix).toBe("did you mean `shared-secret`?");
    expect(found.find((i) => i.path === "gatelock:origins[1].name")).toMatchObject({ reason: "missing", message: "required: `name` is missing; it takes a string." });
  });

  it("generated broken configs: every issue has a key, our words and a fix, and never echoes a value", () => {
    const planted = "zpka_live_Q7mP4vR8sT1wY5z2bX9k";
    const value = fc.oneof(fc.constant(planted), fc.integer(), fc.boolean(), fc.constant(null), fc.constant([planted]), fc.constant({ [planted]: 1 }));
    const keys = ["name", "method", "cloud", "url", "aws", "gcp", "azure", "sharedSecret", "federated", "region", "readers"];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...keys), value), { minLength: 1, maxLength: 4 }), fc.boolean(), (edits, inner) => {
        const origin: Record<string, unknown> = structuredClone({ ...awsOrigin, aws: { region: "us-east-1", readers: [AWS_ROLE] } });
        for (const [k, v] of edits) {
          const aws = origin.aws;
          if (inner && (k === "region" || k === "readers") && aws && typeof aws === "object" && !Array.isArray(aws)) (aws as Record<string, unknown>)[k] = v;
          else origin[k] = v;
        }
        for (const i of issues(config(origin))) {
          expect(i.path).toMatch(/^gatelock:/);
          expect(i.fix, `${i.path}: ${i.message}`).toBeTruthy();
          expect(`${i.message} ${i.fix}`).not.toMatch(LIBRARY_TEXT);
          expect(`${i.message} ${i.fix}`).not.toContain(planted);
        }
      }),
      { numRuns: 300 },
    );
  });
});
