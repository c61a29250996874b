import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { stackJsonSchema } from "../components/model/json-schema";
import { buildModel } from "../components/model/model";
import { awsOrigin, config } from "./fixtures/configs";

const root = path.resolve(__dirname, "..");

/**
 * The stack files committed with the project, never whatever else lies in `stacks/` (a user's
 * own untracked stack must not fail gatelock's tests). Outside a git checkout with history (a
 * copy of the sources), the two stacks gatelock ships.
 */
function committedStacks(): string[] {
  const r = spawnSync("git", ["ls-files", "--", "stacks/*.yaml"], { cwd: root, encoding: "utf8" });
  const tracked = r.status === 0 ? r.stdout.split("\n").filter(Boolean).map((f) => path.basename(f)) : [];
  return tracked.length > 0 ? tracked : ["Pulumi.example.yaml", "Pulumi.local.yaml"];
}
const shipped = JSON.parse(fs.readFileSync(path.join(root, "schema/gatelock-stack.schema.json"), "utf8"));
const validate = new Ajv2020({ strict: false, allErrors: true, logger: false }).compile(shipped);

describe("JSON Schema for stack files", () => {
  it("is generated from the config schema and the shipped copy is current (run `npm run schema`)", () => {
    expect(shipped).toEqual(stackJsonSchema());
  });

  it.each(committedStacks())("accepts %s, which gatelock also accepts", (file) => {
    const doc = parse(fs.readFileSync(path.join(root, "stacks", file), "utf8"));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    buildModel({ gateway: doc.config["gatelock:gateway"], origins: doc.config["gatelock:origins"] }, { stack: file });
  });

  it("rejects what gatelock rejects for its shape: unknown keys, wrong enums, wrong patterns", () => {
    const bad = (mutate: (c: any) => void) => {
      const c = config(awsOrigin) as any;
      mutate(c);
      return validate({ config: { "gatelock:gateway": c.gateway, "gatelock:origins": c.origins } });
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((c) => (c.origins[0].sharedSecret.rotateAfterDay = 3))).toBe(false);
    expect(bad((c) => (c.origins[0].cloud = "oracle"))).toBe(false);
    expect(bad((c) => (c.origins[0].name = "Orders API"))).toBe(false);
    expect(bad((c) => (c.gateway.kind = "kong"))).toBe(false);
    expect(bad((c) => delete c.gateway.branch)).toBe(false);
  });
});
