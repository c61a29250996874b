import { describe, expect, it } from "vitest";
import { buildModel } from "../components/model/model";

describe("smoke", () => {
  it("builds a model", () => {
    const m = buildModel(
      {
        gateway: { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" },
        origins: [{ name: "orders", method: "shared-secret", cloud: "aws", aws: { region: "us-east-1", readers: ["arn:aws:iam::123456789012:role/orders-api"] } }],
      },
      { stack: "dev" },
    );
    expect(m.origins[0]!.sharedSecret.variable).toBe("ORDERS_SHARED_SECRET");
  });
});
