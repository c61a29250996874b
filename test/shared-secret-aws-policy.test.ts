/**
 * The AWS secret's resource policy, judged by an IAM policy simulator (@cloud-copilot/iam-simulate):
 * the configured role may read the secret over TLS, and nobody else may read it at all.
 * Identity policies are left empty, so the resource policy alone decides (same account).
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import { AWS_ROLE, awsOrigin, config } from "./fixtures/configs";
import { one, runProgram } from "./harness";

let policy: unknown;
let secretArn: string;

beforeAll(async () => {
  const run = await runProgram(config(awsOrigin));
  const p = one(run.resources, "aws:secretsmanager/secretPolicy:SecretPolicy");
  policy = JSON.parse(String(p.inputs.policy));
  secretArn = String(p.inputs.secretArn);
});

async function decide(principal: string, action: string, secureTransport: "true" | "false" = "true", resource = secretArn) {
  const sim: Simulation = {
    request: {
      principal,
      action,
      resource: { resource, accountId: resource.split(":")[4]! },
      contextVariables: { "aws:SecureTransport": secureTransport },
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: policy,
  };
  const result = await runSimulation(sim, {});
  if (result.resultType === "error") throw new Error(`simulator refused the request: ${JSON.stringify(result.errors)}`);
  // Not a vacuous oracle: the simulator understood every key it was given.
  if (result.resultType === "single") expect(result.result.ignoredContextKeys ?? []).toEqual([]);
  return result.overallResult;
}

describe("the shared secret's resource policy on AWS", () => {
  it("lets the configured role read the secret over TLS (the allowed case first)", async () => {
    expect(secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:gatelock\/test\/orders\/shared-secret-\w{6}$/);
    expect(await decide(AWS_ROLE, "secretsmanager:GetSecretValue")).toBe("Allowed");
    expect(await decide(AWS_ROLE, "secretsmanager:DescribeSecret")).toBe("Allowed");
  });

  it("gives another role of the same account nothing", async () => {
    expect(await decide("arn:aws:iam::123456789012:role/billing-api", "secretsmanager:GetSecretValue")).toBe("ImplicitlyDenied");
  });

  it("refuses the reader without TLS, explicitly", async () => {
    expect(await decide(AWS_ROLE, "secretsmanager:GetSecretValue", "false")).toBe("ExplicitlyDenied");
  });

  it("lets the reader only read: no writes, no deletes, no policy changes", async () => {
    for (const action of ["secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:UpdateSecret"]) {
      expect(await decide(AWS_ROLE, action), action).toBe("ImplicitlyDenied");
    }
  });
});
