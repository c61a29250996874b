/** Every `gatelock:*` key of a stack is one gatelock reads; an empty origin list is a warning. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../components/errors";
import { buildModel } from "../components/model/model";
import { awsOrigin, config, gateway } from "./fixtures/configs";
import { runUnderMocks } from "../components/testing/engine";
import { deploy } from "../components/program/deploy";
import { PROJECT_DIR } from "./harness";

describe("gatelock:* keys", () => {
  it("a typo in a top-level key is an error with a 'did you mean', beside the config's other problems", () => {
    const raw = config({ ...awsOrigin, aws: { ...awsOrigin.aws, readers: ["*"] } });
    const err = (() => {
      try {
        buildModel(raw, { stack: "prod", stackKeys: ["gatelock:gateway", "gatelock:orgins", "gatelock:zuploApiKey", "aws:region"] });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a refusal");
    })();
    const typo = err.issues.find((i) => i.path === "gatelock:orgins")!;
    expect(typo.code).toBe("ERR_CONFIG_INVALID");
    expect(typo.fix).toBe("did you mean `gatelock:origins`?");
    expect(err.issues.map((i) => i.path)).toContain("gatelock:origins[0].aws.readers[0]");
    // Other namespaces are the providers' business.
    expect(err.issues.some((i) => i.path.startsWith("aws:"))).toBe(false);
  });

  it("the program reads the stack's keys: `gatelock:orgins` fails the run instead of deploying nothing", async () => {
    const run = runUnderMocks(() => deploy({ projectDir: PROJECT_DIR }).then(() => ({})), {
      stack: "prod",
      config: { "gatelock:gateway": JSON.stringify(gateway), "gatelock:orgins": JSON.stringify([awsOrigin]) },
    });
    const e = await run.then(() => undefined, (x: { cause?: unknown }) => x.cause);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues.map((i) => [i.path, i.fix])).toEqual([["gatelock:orgins", "did you mean `gatelock:origins`?"]]);
  });

  it("an empty origin list is a warning, not silence", () => {
    const m = buildModel({ gateway, origins: [] }, { stack: "prod" });
    expect(m.findings.map((f) => [f.severity, f.code, f.path])).toEqual([["warning", "WARN_NO_ORIGINS", "gatelock:origins"]]);
  });
});
