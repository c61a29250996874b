import { Role } from "@pulumi/aws/iam/role";
import { OpenIdConnectProvider } from "@pulumi/aws/iam/openIdConnectProvider";
import { describe, expect, it } from "vitest";
import { GatelockError, ResourceRefusedError } from "../components/errors";
import { MockRunError, runUnderMocks } from "../components/testing/engine";

describe("the mock engine", () => {
  it("fails a run at once when a fake refuses a resource that others wait on", async () => {
    const started = Date.now();
    const err = await runUnderMocks(
      () => {
        // IAM refuses a provider URL that is not https; the role needs the provider's ARN.
        const provider = new OpenIdConnectProvider("bad", { url: "http://issuer.example", clientIdLists: ["aud"] });
        const role = new Role("waits", { assumeRolePolicy: provider.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: arn }, Action: "sts:AssumeRoleWithWebIdentity" }] })) });
        return { role: role.arn };
      },
      { stack: "engine" },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MockRunError);
    expect(String((err as Error).message)).toMatch(/aws:iam\/openIdConnectProvider:OpenIdConnectProvider bad was refused: .*url must begin with https:\/\//);
    // The refusal is matched by class and code, not by that message.
    const refusal = (err as MockRunError).cause;
    expect(refusal).toBeInstanceOf(ResourceRefusedError);
    expect(refusal).toBeInstanceOf(GatelockError);
    expect(refusal).toMatchObject({ code: "ERR_RESOURCE_REFUSED", resourceType: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", resourceName: "bad" });
    expect(Date.now() - started).toBeLessThan(10_000);
    // The engine is usable again afterwards.
    const ok = await runUnderMocks(() => ({ fine: "yes" }), { stack: "engine" });
    expect(ok.outputs).toEqual({ fine: "yes" });
  });
});
