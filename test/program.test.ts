import { describe, expect, it } from "vitest";
import { runProgram } from "./harness";

const config = {
  gateway: { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" },
  origins: [
    { name: "orders", method: "shared-secret", cloud: "aws", aws: { region: "us-east-1", readers: ["arn:aws:iam::123456789012:role/orders-api"] } },
    { name: "billing", method: "shared-secret", cloud: "gcp", gcp: { project: "acme-prod", readers: ["billing@acme-prod.iam.gserviceaccount.com"] } },
    { name: "users", method: "shared-secret", cloud: "azure", azure: { resourceGroup: "rg-users", vault: "kv-acme-users", readers: ["0f8fad5b-d9cb-469f-a165-70867728950e"] } },
  ],
};

describe("program", () => {
  it("runs", async () => {
    const run = await runProgram(config);
    console.log(run.resources.map((r) => `${r.type} ${r.name} <- ${r.parent ?? ""}`).join("\n"));
    console.log(JSON.stringify(run.outputs, null, 1).slice(0, 3000));
    expect(run.resources.length).toBeGreaterThan(10);
  });
});
