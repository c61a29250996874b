/**
 * Gateway variables are paired with their values by key: a component that forgets one does
 * not compile, and nothing silently falls back to the origin URL.
 */
import { describe, expect, it } from "vitest";
import { pairVariables, type VariableSpec } from "../components/gateway/variables";

const spec = (name: string, isSecret = false): VariableSpec => ({ name, isSecret, origin: "orders", description: name });

describe("pairVariables", () => {
  it("pairs every key with its own value, and the URL only when the origin has one", () => {
    const specs = { roleArn: spec("ORDERS_AWS_ROLE_ARN"), region: spec("ORDERS_AWS_REGION"), url: spec("ORDERS_ORIGIN_URL") };
    const paired = pairVariables(specs, { roleArn: "arn:aws:iam::123456789012:role/x", region: "us-east-1", url: "https://orders.example" }, { roleArn: [] });
    expect(paired.map((v) => [v.name, v.value])).toEqual([
      ["ORDERS_AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/x"],
      ["ORDERS_AWS_REGION", "us-east-1"],
      ["ORDERS_ORIGIN_URL", "https://orders.example"],
    ]);
    expect(pairVariables<"roleArn" | "region">({ roleArn: spec("A"), region: spec("B") }, { roleArn: "a", region: "b", url: "https://ignored.example" }).map((v) => v.name)).toEqual(["A", "B"]);
  });

  it("a missing value is a compile error (and, past the compiler, an error, never the URL)", () => {
    const specs = { roleArn: spec("ORDERS_AWS_ROLE_ARN"), url: spec("ORDERS_ORIGIN_URL") };
    // @ts-expect-error: `roleArn` has no value
    expect(() => pairVariables(specs, { url: "https://orders.example" })).toThrow(/no value for gateway variable ORDERS_AWS_ROLE_ARN/);
  });
});
