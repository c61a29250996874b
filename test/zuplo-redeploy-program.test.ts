/**
 * `gatelock:gateway.environment.redeploy` in the real program, under the mock engine: the
 * `ZuploRedeploy` resource exists only when asked for (with the Developer API), waits for every
 * gateway variable, carries a secret trigger computed from the variables' names, secrecy and
 * values, and that trigger changes exactly when a variable does (a rotation) and not otherwise.
 */
import { describe, expect, it } from "vitest";
import { redeployTrigger } from "../components/gateway/environment";
import { buildModel } from "../components/model/model";
import { awsOrigin, config, gcpOrigin, localOrigin } from "./fixtures/configs";
import { isSecretValue, ofType, one, plainStrings, type ProgramRun, reveal, runProgram } from "./harness";

const REDEPLOY = "pulumi-nodejs:dynamic/gatelock:ZuploRedeploy";
const VARIABLE = "pulumi-nodejs:dynamic/gatelock:ZuploVariable";

function withEnvironment(environment: object, ...origins: object[]) {
  const c = config(...origins);
  return { ...c, gateway: { ...c.gateway, environment } };
}

const redeployOn = (...origins: object[]) => withEnvironment({ developerApi: true, redeploy: true }, ...origins);

function trigger(run: ProgramRun): string {
  const input = one(run.resources, REDEPLOY).inputs.trigger;
  expect(isSecretValue(input)).toBe(true);
  return String(reveal(input));
}

/** The trigger recomputed from what the variables were written with. */
function expectedTrigger(run: ProgramRun): string {
  return redeployTrigger(
    ofType(run.resources, VARIABLE).map((v) => ({ name: String(v.inputs.name), isSecret: v.inputs.isSecret === true, value: String(reveal(v.inputs.value)) })),
  );
}

describe("config", () => {
  it("defaults to false, and reaches the model", () => {
    expect(buildModel(config(awsOrigin), { stack: "test" }).gateway.environment.developerApi).toEqual({ apiUrl: "https://dev.zuplo.com", redeploy: false });
    expect(buildModel(redeployOn(awsOrigin), { stack: "test" }).gateway.environment.developerApi).toEqual({ apiUrl: "https://dev.zuplo.com", redeploy: true });
  });

  it("refuses a non-boolean", () => {
    expect(() => buildModel(withEnvironment({ redeploy: "yes" }, awsOrigin), { stack: "test" })).toThrow(/gatelock:gateway\.environment\.redeploy/);
  });
});

describe("the ZuploRedeploy resource", () => {
  it("is absent by default", async () => {
    const run = await runProgram(config(awsOrigin));
    expect(ofType(run.resources, VARIABLE).length).toBeGreaterThan(0);
    expect(ofType(run.resources, REDEPLOY)).toEqual([]);
    expect(run.deployment.environment.redeploy).toBeUndefined();
  });

  it("is absent without the Developer API (dotenv only)", async () => {
    const run = await runProgram(withEnvironment({ developerApi: false, redeploy: true, dotenv: ".env.redeploy-test.local" }, localOrigin), {
      projectDir: "/tmp/gatelock-redeploy-program-test",
    });
    expect(ofType(run.resources, VARIABLE)).toEqual([]);
    expect(ofType(run.resources, REDEPLOY)).toEqual([]);
  });

  it("exists once for the branch, and depends on every gateway variable", async () => {
    const run = await runProgram(redeployOn(awsOrigin, gcpOrigin));
    const r = one(run.resources, REDEPLOY);
    expect(r.name).toBe("gateway-redeploy");
    expect(reveal(r.inputs)).toMatchObject({ apiUrl: "https://dev.zuplo.com", account: "acme", project: "orders-api", branch: "main" });
    const vars = ofType(run.resources, VARIABLE);
    expect(vars.map((v) => v.inputs.name).sort()).toEqual(["BILLING_SHARED_SECRET", "ORDERS_ORIGIN_URL", "ORDERS_SHARED_SECRET"]);
    for (const v of vars) expect(r.dependsOn, String(v.inputs.name)).toContain(v.urn);
    expect(run.deployment.environment.redeploy).toBeDefined();
  });

  it("has a secret trigger: SHA-256 over the variables' names, secrecy and values, never in plain text", async () => {
    const run = await runProgram(redeployOn(awsOrigin, gcpOrigin));
    const t = trigger(run);
    expect(t).toMatch(/^[0-9a-f]{64}$/);
    expect(t).toBe(expectedTrigger(run));
    for (const r of run.resources) {
      for (const s of plainStrings(r.inputs)) expect(s.includes(t), `${r.type} ${r.name} holds the trigger in plain text`).toBe(false);
    }
    expect(JSON.stringify(run.outputs)).not.toContain(t);
  });

  it("its trigger stays the same when nothing changed, and changes when a rotation changes the secret", async () => {
    const first = await runProgram(redeployOn(awsOrigin));
    const same = await runProgram(redeployOn(awsOrigin), { fakes: { prior: first.fakes.produced } });
    expect(trigger(same)).toBe(trigger(first));
    expect(one(same.resources, REDEPLOY).inputs).toEqual(one(first.resources, REDEPLOY).inputs);

    const rotated = await runProgram(redeployOn({ ...awsOrigin, sharedSecret: { ...awsOrigin.sharedSecret, rotation: 1 } }), {
      fakes: { prior: same.fakes.produced },
    });
    const secretOf = (run: ProgramRun) => String(reveal(ofType(run.resources, VARIABLE).find((v) => v.inputs.name === "ORDERS_SHARED_SECRET")!.inputs.value));
    expect(secretOf(rotated)).not.toBe(secretOf(same));
    expect(trigger(rotated)).not.toBe(trigger(same));
    expect(trigger(rotated)).toBe(expectedTrigger(rotated));
    // The fake redeploys (a new time) only when the trigger changed, as the provider's diff does.
    const at = (run: ProgramRun) => run.fakes.produced.get(`${REDEPLOY}::gateway-redeploy`)!.state.redeployedAt;
    expect(at(same)).toBe(at(first));
    expect(at(rotated)).not.toBe(at(same));
  });
});

describe("redeployTrigger", () => {
  const base = [
    { name: "ORDERS_SHARED_SECRET", isSecret: true, value: "s3cr3t-value" },
    { name: "ORDERS_ORIGIN_URL", isSecret: false, value: "https://orders.example.com" },
  ];

  it("does not depend on the variables' order", () => {
    expect(redeployTrigger([...base].reverse())).toBe(redeployTrigger(base));
  });

  it("changes with any name, secrecy or value", () => {
    const t = redeployTrigger(base);
    expect(redeployTrigger([{ ...base[0]!, value: "s3cr3t-valuf" }, base[1]!])).not.toBe(t);
    expect(redeployTrigger([{ ...base[0]!, isSecret: false }, base[1]!])).not.toBe(t);
    expect(redeployTrigger([{ ...base[0]!, name: "ORDERS_SHARED_SECRET2" }, base[1]!])).not.toBe(t);
    expect(redeployTrigger([base[0]!])).not.toBe(t);
    // No ambiguity between fields: moving characters from a name into a value changes it.
    expect(redeployTrigger([{ name: "AB", isSecret: true, value: "C" }])).not.toBe(redeployTrigger([{ name: "A", isSecret: true, value: "BC" }]));
  });
});
