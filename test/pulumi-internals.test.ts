/**
 * The adapter over Pulumi's internals (components/testing/pulumi-internals.ts), exercised
 * function by function against the installed `@pulumi/pulumi` (whichever version of the peer
 * range that is: the compatibility run executes this file under the newest Pulumi as well), so
 * a release that changes one of these internals fails here, by name, rather than somewhere in
 * the audit.
 *
 * Also checks the adapter is the only way in: no other file of components/ imports
 * `@pulumi/pulumi/runtime/…`, patches the monitor or takes over `unhandledRejection`, and the
 * mock engine reaches Pulumi only through the adapter.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as semver from "semver";
import { describe, expect, it } from "vitest";
import {
  captureUnhandledRejections,
  deserializeInputs,
  type Mocks,
  recordRegistrations,
  type Registration,
  runProgramInStack,
  settleOutput,
  startMockRun,
  waitForPendingRpcs,
} from "../components/testing/pulumi-internals";

const ROOT = path.resolve(__dirname, "..");
const PULUMI_VERSION = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
/** Pulumi's wire signatures (sdk/nodejs/runtime/rpc.ts): a secret, and an unknown value. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A custom resource of a made-up type (the mocks answer for it). */
class Thing extends pulumi.CustomResource {
  constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

/** Mocks that echo inputs and record what reached them. */
function echoMocks(): Mocks & { readonly seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    newResource(args) {
      seen.push(`${args.type}::${args.name}`);
      return { id: `${args.name}-id`, state: { ...args.inputs } };
    },
    call(args) {
      return { token: args.token };
    },
  };
}

const settings = (over: Partial<Parameters<typeof startMockRun>[1]> = {}) => ({
  project: "internals",
  stack: "test",
  preview: false,
  config: {},
  secretKeys: [],
  ...over,
});

describe(`the Pulumi internals adapter, against @pulumi/pulumi ${PULUMI_VERSION}`, () => {
  it("the installed @pulumi/pulumi is in gatelock's peer range", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { peerDependencies: Record<string, string> };
    const range = pkg.peerDependencies["@pulumi/pulumi"]!;
    expect(semver.satisfies(PULUMI_VERSION, range), `${PULUMI_VERSION} in ${range}`).toBe(true);
  });

  it("startMockRun points the runtime at the mocks, project, stack and config (secret keys included)", async () => {
    await startMockRun(echoMocks(), settings({ config: { "gatelock:plain": "p", "gatelock:hidden": "h" }, secretKeys: ["gatelock:hidden"] }));
    expect(pulumi.getProject()).toBe("internals");
    expect(pulumi.getStack()).toBe("test");
    expect(pulumi.runtime.isDryRun()).toBe(false);
    const cfg = new pulumi.Config("gatelock");
    expect(cfg.get("plain")).toBe("p");
    // runtime/config.ts's isConfigSecret (internal, read here only to see what setAllConfig stored).
    const { isConfigSecret } = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    expect(isConfigSecret("gatelock:hidden")).toBe(true);
    expect(isConfigSecret("gatelock:plain")).toBe(false);

    await startMockRun(echoMocks(), settings({ preview: true }));
    expect(pulumi.runtime.isDryRun()).toBe(true);
  });

  it("deserializeInputs keeps secrets marked where they are (not on the object that holds one) and unknowns as pulumi.unknown", () => {
    const struct = Struct.fromJavaScript({
      plain: "p",
      secret: { [SECRET_SIG_KEY]: SECRET_SIG, value: "s" },
      later: UNKNOWN,
      nested: { list: [1, "two", { [SECRET_SIG_KEY]: SECRET_SIG, value: "three" }] },
    });
    const inputs = deserializeInputs(struct);
    expect(inputs["later"]).toBe(pulumi.unknown);
    expect({ ...inputs, later: "unknown" }).toEqual({
      plain: "p",
      secret: { [SECRET_SIG_KEY]: SECRET_SIG, value: "s" },
      later: "unknown",
      nested: { list: [1, "two", { [SECRET_SIG_KEY]: SECRET_SIG, value: "three" }] },
    });
  });

  it("recordRegistrations sees every registration (type, name, URN, parent, custom, inputs, dependsOn) before the mocks; runProgramInStack returns the outputs; waitForPendingRpcs drains", async () => {
    const mocks = echoMocks();
    await startMockRun(mocks, settings());
    const recorded: Registration[] = [];
    recordRegistrations((r) => recorded.push(r));

    class Box extends pulumi.ComponentResource {
      constructor(name: string) {
        super("internals:index:Box", name, {}, {});
        this.registerOutputs({});
      }
    }
    let outputs: Record<string, unknown> | undefined;
    outputs = await runProgramInStack(async () => {
      const box = new Box("box");
      const first = new Thing("internals:index:Thing", "first", { plain: "p", secret: pulumi.secret("s") }, { parent: box });
      const second = new Thing("internals:index:Thing", "second", { plain: "q" }, { dependsOn: [first] });
      return { id: second.id };
    });
    await waitForPendingRpcs();

    // The mocks see components too (the engine's fakes skip them).
    expect(mocks.seen).toEqual(["pulumi:pulumi:Stack::internals-test", "internals:index:Box::box", "internals:index:Thing::first", "internals:index:Thing::second"]);
    expect(recorded.map((r) => `${r.type}::${r.name}`)).toEqual(mocks.seen);
    const byName = new Map(recorded.map((r) => [r.name, r]));
    const stack = recorded.find((r) => r.type === "pulumi:pulumi:Stack")!;
    expect(stack).toMatchObject({ urn: "urn:pulumi:test::internals::pulumi:pulumi:Stack::internals-test", parent: undefined, custom: false });
    expect(byName.get("box")).toMatchObject({ type: "internals:index:Box", custom: false, parent: stack.urn });
    const first = byName.get("first")!;
    expect(first).toMatchObject({
      type: "internals:index:Thing",
      custom: true,
      parent: byName.get("box")!.urn,
      // The mock monitor's URN: only the parent's own type is prefixed.
      urn: "urn:pulumi:test::internals::internals:index:Box$internals:index:Thing::first",
    });
    expect(first.inputs).toEqual({ plain: "p", secret: { [SECRET_SIG_KEY]: SECRET_SIG, value: "s" } });
    expect(byName.get("second")!.dependsOn).toEqual([first.urn]);
    expect(outputs).toEqual({ id: "second-id" });
  });

  it("waitForPendingRpcs waits for a registration still in flight", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let registered = false;
    await startMockRun(
      {
        async newResource(args) {
          await gate;
          registered = true;
          return { id: "slow-id", state: { ...args.inputs } };
        },
        call: () => ({}),
      },
      settings(),
    );
    await runProgramInStack(async () => {
      new Thing("internals:index:Slow", "slow", {});
      return {};
    }).catch(() => undefined);
    const drained = waitForPendingRpcs().then(() => registered);
    setTimeout(release, 50);
    expect(await drained).toBe(true);
  });

  it("captureUnhandledRejections routes stray rejections to the capture only, and restores the listeners in order", async () => {
    const before = process.listeners("unhandledRejection");
    const others: unknown[] = [];
    const other = (reason: unknown) => others.push(reason);
    process.on("unhandledRejection", other);
    const saved = process.listeners("unhandledRejection");
    try {
      const captured: unknown[] = [];
      const restore = captureUnhandledRejections((reason) => captured.push(reason));
      expect(process.listeners("unhandledRejection")).toHaveLength(1);
      const stray = new Error("stray");
      void Promise.reject(stray);
      await new Promise((r) => setTimeout(r, 20));
      restore();
      expect(captured).toEqual([stray]);
      expect(others).toEqual([]);
      expect(process.listeners("unhandledRejection")).toEqual(saved);
    } finally {
      process.removeListener("unhandledRejection", other);
    }
    expect(process.listeners("unhandledRejection")).toEqual(before);
  });
});

describe("settleOutput", () => {
  it("resolves a known Output to its value, and says when a value is not known (a preview's)", async () => {
    expect(await settleOutput(pulumi.output("a"))).toEqual({ known: true, value: "a" });
    expect(await settleOutput(pulumi.secret({ b: 1 }))).toEqual({ known: true, value: { b: 1 } });
    expect(await settleOutput(pulumi.output(pulumi.unknown) as pulumi.Output<string>)).toEqual({ known: false });
  });
});

describe("the adapter is the only way into Pulumi's internals", () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const p = path.join(dir, d.name);
      return d.isDirectory() ? sources(p) : d.name.endsWith(".ts") ? [p] : [];
    });

  it("no other file of components/ imports @pulumi/pulumi/runtime/…, patches registerResource or takes over unhandledRejection", () => {
    const offenders: string[] = [];
    for (const file of sources(path.join(ROOT, "components"))) {
      const rel = path.relative(ROOT, file);
      if (rel === path.join("components", "testing", "pulumi-internals.ts")) continue;
      const text = fs.readFileSync(file, "utf8");
      if (/["']@pulumi\/pulumi\/runtime\//.test(text)) offenders.push(`${rel}: imports @pulumi/pulumi/runtime/…`);
      if (/\.registerResource\s*=/.test(text)) offenders.push(`${rel}: patches registerResource`);
      if (/removeAllListeners\(\s*["']unhandledRejection/.test(text)) offenders.push(`${rel}: removes unhandledRejection listeners`);
    }
    expect(offenders).toEqual([]);
  });

  it("the mock engine imports nothing from @pulumi/pulumi itself", () => {
    const engine = fs.readFileSync(path.join(ROOT, "components", "testing", "engine.ts"), "utf8");
    expect(engine).not.toMatch(/from\s+["']@pulumi\//);
    expect(engine).not.toMatch(/require\(\s*["']@pulumi\//);
    expect(engine).toMatch(/from "\.\/pulumi-internals"/);
  });
});
