/**
 * Some 0.1 aliases are given as URNs computed at construction (components/component/urns.ts)
 * instead of specs Pulumi resolves through Outputs. They must be the URNs the real engine
 * computes from those specs (its parent's full type chain, the stack's own type left out), and
 * a program under Pulumi's mocks (which computes URNs as the real engine does) must register
 * the same aliases as before. Where the tree is not known, there is no string and the spec stays.
 */
import * as pulumi from "@pulumi/pulumi";
import { SecretIamMember } from "@pulumi/gcp/secretmanager/secretIamMember";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { describe, expect, it } from "vitest";
import { legacyGrantAlias } from "../components/component/grant-names";
import { sdkType, urnBelow } from "../components/component/urns";
import { runUnderMocks } from "../components/testing/engine";

const MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember";

describe("urnBelow", () => {
  it("is the real engine's URN, from the stack down, at any depth", async () => {
    const run = await runUnderMocks(() => {
      const top = new pulumi.ComponentResource("acme:index:Platform", "platform");
      const nested = new pulumi.ComponentResource("gatelock:gcp:SharedSecretOrigin", "orders", {}, { parent: top });
      return {
        top: urnBelow(top, ["gatelock:shared-secret:SharedSecret"], "orders"),
        nested: urnBelow(nested, ["gatelock:shared-secret:SharedSecret", "random:index/randomPassword:RandomPassword"], "orders-slot-a"),
        // The mock engine registers the URNs the real one computes.
        registered: nested.urn,
        // With the parent's URN as a string, Pulumi's own createUrn follows the same rule.
        viaPulumi: pulumi.createUrn("orders", "gatelock:shared-secret:SharedSecret", "urn:pulumi:urns::gatelock::acme:index:Platform::platform"),
      };
    }, { stack: "urns" });
    expect(run.outputs.top).toBe("urn:pulumi:urns::gatelock::acme:index:Platform$gatelock:shared-secret:SharedSecret::orders");
    expect(run.outputs.viaPulumi).toBe(run.outputs.top);
    expect(run.outputs.nested).toBe(
      "urn:pulumi:urns::gatelock::acme:index:Platform$gatelock:gcp:SharedSecretOrigin$gatelock:shared-secret:SharedSecret$random:index/randomPassword:RandomPassword::orders-slot-a",
    );
    expect(run.outputs.registered).toBe("urn:pulumi:urns::gatelock::acme:index:Platform$gatelock:gcp:SharedSecretOrigin::orders");
  });

  it("reads the type a provider SDK's class registers with", async () => {
    const run = await runUnderMocks(() => ({ type: pulumi.resourceType(new RandomPassword("p", { length: 32 })) }), { stack: "urns" });
    expect(run.outputs.type).toBe(sdkType(RandomPassword));
    expect(sdkType(SecretIamMember)).toBe(MEMBER);
    expect(sdkType(class {})).toBeUndefined();
  });

  it("gives a grant's 0.1 alias as a URN at any depth, the spec only when the class has no type", async () => {
    const run = await runUnderMocks(() => {
      const top = new pulumi.ComponentResource("gatelock:gcp:SharedSecretOrigin", "orders");
      const nested = new pulumi.ComponentResource("gatelock:gcp:SharedSecretOrigin", "billing", {}, { parent: top });
      return {
        top: legacyGrantAlias("orders", "reader", 0, { parent: top, resourceClass: SecretIamMember }),
        nested: legacyGrantAlias("billing", "reader", 1, { parent: nested, resourceClass: SecretIamMember }),
        unknownClass: legacyGrantAlias("orders", "reader", 0, { parent: top, resourceClass: class {} }),
      };
    }, { stack: "urns" });
    expect(run.outputs).toEqual({
      top: `urn:pulumi:urns::gatelock::gatelock:gcp:SharedSecretOrigin$${MEMBER}::orders-reader-0`,
      nested: `urn:pulumi:urns::gatelock::gatelock:gcp:SharedSecretOrigin$gatelock:gcp:SharedSecretOrigin$${MEMBER}::billing-reader-1`,
      unknownClass: { name: "orders-reader-0" },
    });
  });

  it("gives no URN outside a program, where there is no stack to anchor the walk", () => {
    const loose = { __pulumiType: "acme:index:Thing" } as unknown as pulumi.Resource;
    expect(urnBelow(loose, ["a:b:C"], "x")).toBeUndefined();
    expect(legacyGrantAlias("orders", "reader", 0, { parent: loose, resourceClass: SecretIamMember })).toEqual({ name: "orders-reader-0" });
    expect(legacyGrantAlias("orders", "reader", 0)).toEqual({ name: "orders-reader-0" });
  });
});
