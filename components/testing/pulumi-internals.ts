/**
 * The one module through which gatelock touches Pulumi's runtime beyond its documented API.
 *
 * The mock engine (engine.ts), and with it `gatelock audit` and gatelock's tests, needs a few
 * things `@pulumi/pulumi` does not promise: every internal it relies on is behind one function
 * here, with what it relies on and the versions it was checked against. No other file may
 * import `@pulumi/pulumi/runtime/…`, patch the monitor or take over `unhandledRejection`
 * (test/pulumi-internals.test.ts checks that, and exercises each function against the
 * installed `@pulumi/pulumi`, so a Pulumi release that breaks one fails there by name).
 *
 * Each internal below was checked, with the behaviour described, in `@pulumi/pulumi` 3.142.0
 * (the oldest version gatelock has declared as its peer floor) and 3.248.0 (gatelock's own
 * pin); the test runs against whatever is installed, and the compatibility run installs the
 * newest release.
 *
 * Everything is reached through the `pulumi.runtime` namespace, never a deep import path, so
 * an `exports` map in a future `@pulumi/pulumi` cannot break the import itself.
 */
import * as pulumi from "@pulumi/pulumi";

/** The fakes: Pulumi's `Mocks` interface (public API). */
export type Mocks = pulumi.runtime.Mocks;

/** One resource registration, as the (mock) engine received it. */
export interface Registration {
  /** The URN the mock monitor gives it. */
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource, if any. */
  readonly parent: string | undefined;
  /** Whether it is a custom (cloud) resource rather than a component. */
  readonly custom: boolean;
  /** Inputs, deserialized with secrets still marked and unknowns kept (see `deserializeInputs`). */
  readonly inputs: Record<string, unknown>;
  /** URNs it explicitly depends on. */
  readonly dependsOn: readonly string[];
  /** URNs it was known by before (its aliases): a stack that holds one of them adopts the resource. */
  readonly aliases: readonly string[];
  /** The explicit provider reference (`<provider URN>::<id>`), when one was given. */
  readonly provider: string | undefined;
  /** The `replacementTrigger` resource option's value, when one was given: a change replaces the resource. */
  readonly replacementTrigger?: unknown;
}

export interface MockRunSettings {
  readonly project: string;
  readonly stack: string;
  readonly preview: boolean;
  /** `ns:key` → string, as `pulumi config` stores it. */
  readonly config: Record<string, string>;
  readonly secretKeys: readonly string[];
}

/**
 * Point Pulumi's runtime at `mocks` with this project, stack and config.
 *
 * Relies on: `pulumi.runtime.setMocks(mocks, project, stack, preview)` (public, documented for
 * unit tests) and `pulumi.runtime.setAllConfig(config, secretKeys)` (exported from
 * runtime/config.ts but undocumented; present in 3.142.0 and 3.248.0). Both replace global
 * runtime state, so only one run may be active at a time.
 */
export async function startMockRun(mocks: Mocks, settings: MockRunSettings): Promise<void> {
  await pulumi.runtime.setMocks(mocks, settings.project, settings.stack, settings.preview);
  pulumi.runtime.setAllConfig(settings.config, [...settings.secretKeys]);
  computeUrnsAsTheEngineDoes();
}

/**
 * Make the mock monitor give resources the URNs the real engine gives them: the type part is
 * every ancestor's type below the stack, `$`-joined, then the resource's own
 * (`urn:pulumi:dev::proj::my:Comp$my:Inner$aws:s3/bucket:Bucket::b`). The mock monitor's own
 * `newUrn` keeps only the parent's last type and counts the stack as a parent
 * (`pulumi:pulumi:Stack$my:Comp`), so a URN computed the way Pulumi's SDK computes one
 * (`pulumi.createUrn`, an alias's URN) would not match what the mock registered.
 *
 * Relies on: the mock monitor (after `setMocks`, `pulumi.runtime.getMonitor()`) calling its own
 * `newUrn(parent, type, name)` method for every registration and alias, replaceable on the
 * instance; the same in 3.142.0, 3.248.0 and 3.276.0.
 */
function computeUrnsAsTheEngineDoes(): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor | undefined;
  if (!monitor || typeof monitor.newUrn !== "function") {
    throw new Error("gatelock's mock engine cannot compute URNs: @pulumi/pulumi's mock monitor has changed (expected newUrn after setMocks)");
  }
  monitor.newUrn = (parent: string, type: string, name: string) => {
    const qualified = parent ? parent.split("::")[2]! : "";
    const chain = !qualified || qualified === STACK_TYPE ? type : `${qualified}$${type}`;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${chain}::${name}`;
  };
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/** The request the mock monitor's `registerResource` receives (a protobuf `RegisterResourceRequest`). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getDependenciesList(): string[];
  getProvider?(): string;
  /** Alias specs (Pulumi sends specs when the monitor supports `aliasSpecs`, as the mock monitor does). */
  getAliasesList?(): AliasMessage[];
  /** The `replacementTrigger` option, a protobuf `Value` (3.248.0 and later). */
  getReplacementTrigger?(): { toJavaScript(): unknown } | undefined;
}

interface AliasMessage {
  getUrn(): string;
  getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

interface MockMonitor {
  registerResource(req: RegisterRequest, callback: unknown): unknown;
  newUrn(parent: string, type: string, name: string): string;
}

/**
 * Call `onRegister` for every resource registered from now on in the current mock run (until
 * the next `startMockRun`, which creates a new monitor), before the mocks see it.
 *
 * Relies on (all internal, unchanged from 3.142.0 to 3.248.0):
 * - `pulumi.runtime.getMonitor()` returning, after `setMocks`, the `MockMonitor` of
 *   runtime/mocks.ts, whose `registerResource(req, callback)` is an own-able method that
 *   every registration goes through and that may be replaced on the instance;
 * - `req` being a `RegisterResourceRequest` with the getters in `RegisterRequest` above;
 * - `MockMonitor.newUrn(parent, type, name)`, the URN the monitor itself assigns;
 * - `req.getReplacementTrigger()` (3.248.0 on), the `replacementTrigger` option as a `Value`.
 */
export function recordRegistrations(onRegister: (registration: Registration) => void): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor | undefined;
  if (!monitor || typeof monitor.registerResource !== "function" || typeof monitor.newUrn !== "function") {
    throw new Error("gatelock's mock engine cannot record registrations: @pulumi/pulumi's mock monitor has changed (expected registerResource and newUrn after setMocks)");
  }
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: RegisterRequest, callback: unknown) => {
    const parent = req.getParent();
    const trigger = req.getReplacementTrigger?.();
    onRegister({
      ...(trigger ? { replacementTrigger: trigger.toJavaScript() } : {}),
      urn: monitor.newUrn(parent, req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      parent: parent || undefined,
      custom: req.getCustom(),
      inputs: deserializeInputs(req.getObject()),
      dependsOn: req.getDependenciesList(),
      provider: req.getProvider?.() || undefined,
      aliases: (req.getAliasesList?.() ?? []).map((a) => {
        const spec = a.getSpec();
        if (!spec) return a.getUrn();
        const aliasParent = spec.getNoparent() ? "" : spec.getParenturn() || parent;
        return monitor.newUrn(aliasParent, spec.getType() || req.getType(), spec.getName() || req.getName());
      }),
    });
    return register(req, callback);
  };
}

/**
 * Turn a registration's serialized inputs (a protobuf `Struct`) back into values: secrets stay
 * marked with Pulumi's secret signature (`{"4dabf18193072939515e22adb298388d": "1b47…", value}`)
 * exactly where they are, not on the whole object that holds one (Pulumi's own deserializer
 * lifts them there, since an SDK cannot mark part of a property secret; the audit can, and
 * then shows a Container App's secret's name while it masks its value). Unknowns (a preview's
 * values not known yet) become `pulumi.unknown` rather than vanishing.
 *
 * Relies on: the `Struct`'s `toJavaScript()` (google-protobuf), Pulumi's secret signature, and
 * `pulumi.runtime.deserializeProperty(value, keepUnknowns)` from runtime/rpc.ts (exported
 * through `pulumi.runtime`, undocumented) for every other special value, with `keepUnknowns`
 * mapping the unknown placeholder to output.ts's `unknown`; the same in 3.248.0 and 3.276.0.
 */
export function deserializeInputs(struct: unknown): Record<string, unknown> {
  const raw = (struct as { toJavaScript(): Record<string, unknown> }).toJavaScript();
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, keepLeafSecrets(v)]));
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function keepLeafSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keepLeafSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return { [SIG_KEY]: SECRET_SIG, value: keepLeafSecrets(o.value) };
    // Resource references, assets, output values: Pulumi's own reading.
    if (SIG_KEY in o) return pulumi.runtime.deserializeProperty(o, true);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, keepLeafSecrets(x)]));
  }
  return pulumi.runtime.deserializeProperty(v, true);
}

/**
 * Run `program` as the root stack resource and resolve to its outputs.
 *
 * Relies on: `pulumi.runtime.runInPulumiStack(init)` from runtime/stack.ts (exported through
 * `pulumi.runtime`, undocumented; what Pulumi's own program host calls; same signature in
 * 3.142.0 and 3.248.0).
 */
export function runProgramInStack(program: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown> | undefined> {
  return pulumi.runtime.runInPulumiStack(program) as Promise<Record<string, unknown> | undefined>;
}

/**
 * Resolve once every RPC the run started (registrations, invokes, outputs) has finished.
 *
 * Relies on: `waitForRPCs()` from runtime/settings.ts, marked `@internal` (absent from the
 * type declarations, present at run time through `pulumi.runtime`'s re-export of settings);
 * it waits for the runtime's RPC queue to drain. Present in 3.142.0 (with an optional
 * `disconnectFromServers` argument, left false) and in 3.248.0.
 */
export function waitForPendingRpcs(): Promise<void> {
  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (typeof waitForRPCs !== "function") {
    return Promise.reject(new Error("gatelock's mock engine cannot wait for Pulumi's RPCs: @pulumi/pulumi no longer has runtime.waitForRPCs"));
  }
  return waitForRPCs();
}

/**
 * Route every unhandled promise rejection to `capture`, and only there, until the returned
 * function is called (which puts the previous listeners back, in order).
 *
 * Relies on: Pulumi's runtime leaving the outputs of a resource whose registration failed (or
 * that waits on one that did) as rejected promises nobody awaits; Pulumi's program host
 * (cmd/run) treats such an unhandled rejection as a failed update. Taking over the event for
 * the length of a run lets the engine do the same, instead of the rejection reaching vitest or
 * the CLI's crash handler after the run. Behaviour observed in 3.142.0 and 3.248.0.
 */
export function captureUnhandledRejections(capture: (reason: unknown) => void): () => void {
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", capture);
  return () => {
    process.removeListener("unhandledRejection", capture);
    for (const l of saved) process.on("unhandledRejection", l);
  };
}

/**
 * Wait for an Output and say whether its value is known (a preview leaves some unknown): what
 * the component package needs to settle another language's Outputs into known args.
 *
 * Relies on: output.ts's `OutputImpl` fields `isKnown: Promise<boolean>` and
 * `promise(): Promise<T>` (not part of the public type; the same in 3.142.0, 3.248.0 and 3.276.0).
 */
export async function settleOutput<T>(o: pulumi.OutputInstance<T>): Promise<{ known: boolean; value?: T }> {
  const impl = o as unknown as { isKnown: Promise<boolean>; promise(withUnknowns?: boolean): Promise<T> };
  if (!(await impl.isKnown)) return { known: false };
  return { known: true, value: await impl.promise() };
}

/**
 * Whether a stack config value is stored encrypted (`secure:`), as Pulumi's own `Config`
 * decides before warning about a secret read in plain text; undefined when the SDK cannot say
 * (the caller must then not refuse).
 *
 * Relies on: `isConfigSecret(key)` in `@pulumi/pulumi/runtime/config` (marked internal; it
 * reads the secret keys the engine passes in `PULUMI_CONFIG_SECRET_KEYS`, or `setAllConfig`'s
 * under the mock engine); the same in 3.248.0 and 3.276.0.
 */
export function isStoredSecret(fullKey: string): boolean | undefined {
  let check: unknown;
  try {
    check = (require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: unknown }).isConfigSecret;
  } catch {
    return undefined;
  }
  return typeof check === "function" ? Boolean((check as (k: string) => boolean)(fullKey)) : undefined;
}
