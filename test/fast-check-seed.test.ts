import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("property tests are reproducible", () => {
  it.skipIf(process.env.GATELOCK_FC_SEED === "random")("every run draws the same cases unless GATELOCK_FC_SEED=random", () => {
    const draw = () => fc.sample(fc.array(fc.string(), { minLength: 3, maxLength: 3 }), 5);
    expect(fc.readConfigureGlobal().seed).toBe(process.env.GATELOCK_FC_SEED ? Number(process.env.GATELOCK_FC_SEED) : 20_261_202);
    expect(draw()).toEqual(draw());
  });
});
