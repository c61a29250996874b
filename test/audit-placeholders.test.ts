/**
 * What a reviewer reads never presents a fake as fact: values only the cloud decides at
 * deploy time are marked placeholders, configured values are shown as configured, and the
 * same stack gives the same report.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { replaceInvented } from "../components/audit/placeholders";
import { render } from "../components/audit/render";
import { type AuditReport, runAudit } from "../components/audit/report";
import { FakeCloud } from "../components/testing/fakes";
import { PROJECT_DIR } from "./harness";

const EXAMPLE = fs.readFileSync(path.join(PROJECT_DIR, "stacks", "Pulumi.example.yaml"), "utf8");

/** Every whole-token occurrence of `value` in `text` (as the placeholder pass matches). */
function tokenIn(text: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`).test(text);
}

function stackDir(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-placeholders-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.writeFileSync(path.join(dir, "stacks", "Pulumi.example.yaml"), yaml);
  return dir;
}

describe("replaceInvented", () => {
  const invented = new Map([
    ["31e38a", "<random>"],
    ["827364519283", "<deploying account>"],
    ["8273645192834", "<longer>"],
  ]);

  it("replaces whole tokens only, in keys and values, longest first", () => {
    const { value, used } = replaceInvented(
      {
        arn: "arn:aws:iam::827364519283:role/x",
        pool: "gl-example-invoices-31e38a",
        hash: "gl-31e38a9f", // a longer token that starts the same: untouched
        inner: "x31e38a", // glued to a letter: untouched
        long: "8273645192834",
        list: ["31e38a", { "827364519283": 1 }],
        n: 827364519283,
      },
      invented,
    );
    expect(value).toEqual({
      arn: "arn:aws:iam::<deploying account>:role/x",
      pool: "gl-example-invoices-<random>",
      hash: "gl-31e38a9f",
      inner: "x31e38a",
      long: "<longer>",
      list: ["<random>", { "<deploying account>": 1 }],
      n: 827364519283,
    });
    expect(used).toEqual(["<deploying account>", "<longer>", "<random>"]);
  });

  it("finds every occurrence in one string, and leaves strings without any as they are", () => {
    const s = "31e38a/31e38a:827364519283";
    expect(replaceInvented(s, invented).value).toBe("<random>/<random>:<deploying account>");
    expect(replaceInvented("nothing here", invented)).toEqual({ value: "nothing here", used: [] });
  });
});

describe("the fakes invent, and say so", () => {
  it("never draw a value found in the stack config, nor the same value twice", () => {
    const cloud = new FakeCloud({ inventAvoiding: "readers: [arn:aws:iam::111111111111:role/x]" });
    const draws = ["111111111111", "222222222222", "222222222222", "333333333333"];
    const draw = () => draws.shift()!;
    expect(cloud.invent(draw, "<a>")).toBe("222222222222");
    expect(cloud.invent(draw, "<b>")).toBe("333333333333");
    expect(cloud.invented.get("222222222222")).toBe("<a>");
  });

  it("with a config to avoid, draw the deploying identity's facts; without, keep the fixed test values", () => {
    const audit = new FakeCloud({ inventAvoiding: "" });
    expect(audit.options.awsAccountId).toMatch(/^[1-9]\d{11}$/);
    expect(audit.invented.get(audit.options.awsAccountId)).toBe("<deploying account>");
    expect(audit.invented.get(audit.options.azureTenantId)).toBe("<deploying tenant>");
    const tests = new FakeCloud();
    expect(tests.options.awsAccountId).toBe("123456789012");
    expect(tests.invented.size).toBe(0);
    // A configured fact is a fact: not drawn, not marked.
    expect(new FakeCloud({ inventAvoiding: "", awsAccountId: "210987654321" }).invented.has("210987654321")).toBe(false);
  });
});

describe("gatelock audit shows placeholders, never invented values", () => {
  it("no value the fakes invented reaches the report, in any format; configured look-alikes stay", async () => {
    const cloud = new FakeCloud({ inventAvoiding: EXAMPLE });
    const report = await runAudit({ projectDir: PROJECT_DIR, stack: "example", fakes: cloud });
    expect(cloud.invented.size).toBeGreaterThan(10);
    const texts = (["json", "markdown", "mermaid"] as const).map((f) => render(report, f));
    for (const [value, placeholder] of cloud.invented) {
      for (const text of texts) expect(tokenIn(text, value), `${value} (${placeholder})`).toBe(false);
    }
    const json = texts[0]!;
    // The deploying account, the project number of the configured project, the identity's IDs.
    expect(json).toContain("arn:aws:secretsmanager:us-east-1:<deploying account>:secret:gatelock/example/orders/shared-secret-<random>");
    expect(json).toContain("projects/<number of project acme-prod>/locations/global/workloadIdentityPools/gl-example-invoices-<random>");
    expect(json).toContain("<principal ID of gatelock-example-reports>");
    expect(report.placeholders).toEqual(expect.arrayContaining(["<deploying account>", "<random>", "<number of project acme-prod>"]));
    // What the config says is shown as it says it, even where it looks like a fake's default.
    expect(json).toContain("arn:aws:iam::123456789012:role/orders-api");
    expect(json).toContain("/subscriptions/6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmereports");
    // Markdown says what the brackets mean; mermaid keeps them visible.
    expect(texts[1]).toContain("Values in angle brackets, such as `<deploying account>`, are known only when `pulumi up` runs");
    expect(texts[2]).not.toMatch(/<[a-z]/);
  });

  it("two audits of the same stack are byte-identical in every format", async () => {
    const [a, b] = [await runAudit({ projectDir: PROJECT_DIR, stack: "example" }), await runAudit({ projectDir: PROJECT_DIR, stack: "example" })];
    for (const format of ["json", "markdown", "mermaid"] as const) expect(render(a, format)).toBe(render(b, format));
  });

  it("warns where the deploying account decides trust, and shows the account once it is configured", async () => {
    const report = await runAudit({ projectDir: PROJECT_DIR, stack: "example" });
    const warning = report.findings.find((f) => f.code === "WARN_ACCOUNT_AT_DEPLOY");
    expect(warning).toMatchObject({ severity: "warning", path: "gatelock:origins[3].aws.accountId" });
    expect(warning!.message).toContain("<deploying account>");
    const trust = (r: AuditReport) => r.resources.find((x) => x.type === "aws:iam/role:Role" && x.name === "shipments-role")!.inputs.assumeRolePolicy as string;
    expect(trust(report)).toContain("arn:aws:iam::<deploying account>:oidc-provider/");

    const pinned = EXAMPLE.replace("      aws:\n        region: us-east-1\n        apiGateway:", "      aws:\n        region: us-east-1\n        accountId: \"210987654321\"\n        apiGateway:");
    expect(pinned).not.toBe(EXAMPLE);
    const dir = stackDir(pinned);
    try {
      const again = await runAudit({ projectDir: dir, stack: "example" });
      expect(again.findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(again.findings.map((f) => f.code)).not.toContain("WARN_ACCOUNT_AT_DEPLOY");
      expect(trust(again)).toContain("arn:aws:iam::210987654321:oidc-provider/");
      expect(JSON.stringify(again.resources)).toContain("arn:aws:execute-api:us-east-1:210987654321:a1b2c3d4e5/prod/GET/orders");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
