/**
 * Runs a Pulumi program in-process under Pulumi's mock engine and records what it would
 * create: every resource with its type token, name, parent and inputs.
 *
 * The offline audit and gatelock's own tests both use this, so the audit reports exactly
 * what the tests check.
 */
import * as pulumi from "@pulumi/pulumi";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { FakeCloud, type FakeCloudOptions } from "./fakes";

export interface RecordedResource {
  readonly urn: string;
  /** Pulumi type token, e.g. `aws:secretsmanager/secret:Secret`. */
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource, if any. */
  readonly parent?: string;
  /** Whether it is a cloud resource (custom) rather than a component. */
  readonly custom: boolean;
  /** Inputs as the engine received them; secrets are still marked (see `isSecretValue`). */
  readonly inputs: Record<string, unknown>;
  /** URNs this resource explicitly depends on. */
  readonly dependsOn: readonly string[];
}

export interface MockRunOptions {
  readonly project?: string;
  readonly stack: string;
  /** Stack config, `ns:key` → string (objects as JSON), as `pulumi config` stores it. */
  readonly config?: Record<string, string>;
  /** Config keys that are secrets. */
  readonly secretKeys?: readonly string[];
  readonly fakes?: FakeCloud | FakeCloudOptions;
  /** Run as `pulumi preview` (unknown outputs stay unknown). Default false. */
  readonly preview?: boolean;
}

export interface MockRun<T> {
  /** The program's stack outputs, fully resolved (secrets revealed: handle with care). */
  readonly outputs: T;
  readonly resources: readonly RecordedResource[];
  readonly fakes: FakeCloud;
}

/** The program threw. `cause` is what it threw; `resources` is what it had registered by then. */
export class MockRunError extends Error {
  readonly resources: readonly RecordedResource[];

  constructor(cause: unknown, resources: readonly RecordedResource[]) {
    super(`program failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "MockRunError";
    this.resources = resources;
  }
}

/** Route unhandled rejections to `capture` until the returned function is called. */
function captureUnhandledRejections(capture: (reason: unknown) => void): () => void {
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", capture);
  return () => {
    process.removeListener("unhandledRejection", capture);
    for (const l of saved) process.on("unhandledRejection", l);
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getDependenciesList(): string[];
}

/**
 * Run `program` as a Pulumi stack under mocks. Only one run may be active in a process at a
 * time (Pulumi's runtime is global); runs are serialised here.
 */
export async function runUnderMocks<T>(program: () => Promise<T> | T, options: MockRunOptions): Promise<MockRun<T>> {
  const previous = queue;
  let release!: () => void;
  queue = new Promise<void>((r) => (release = r));
  await previous;
  try {
    return await runOnce(program, options);
  } finally {
    release();
  }
}

let queue: Promise<void> = Promise.resolve();

async function runOnce<T>(program: () => Promise<T> | T, options: MockRunOptions): Promise<MockRun<T>> {
  const fakes = options.fakes instanceof FakeCloud ? options.fakes : new FakeCloud(options.fakes);
  const project = options.project ?? "gatelock";
  await pulumi.runtime.setMocks(fakes, project, options.stack, options.preview ?? false);
  pulumi.runtime.setAllConfig(options.config ?? {}, [...(options.secretKeys ?? [])]);

  const resources: RecordedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: unknown): unknown;
    newUrn(parent: string, type: string, name: string): string;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: RegisterRequest, cb: unknown) => {
    const parent = req.getParent();
    // A dynamic resource's `__provider` input is its serialised provider code (tens of KB),
    // identical for every resource of a type: not worth a copy per resource.
    const { __provider: _code, ...inputs } = deserializeProperties(req.getObject() as never, true) as Record<string, unknown>;
    resources.push({
      urn: monitor.newUrn(parent, req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      ...(parent ? { parent } : {}),
      custom: req.getCustom(),
      inputs,
      dependsOn: req.getDependenciesList(),
    });
    return register(req, cb);
  };

  // A program that throws is caught here rather than inside Pulumi's Stack resource, whose
  // internal promises would otherwise reject unhandled; the caller still gets the error.
  let failure: { error: unknown } | undefined;
  // Pulumi's program host treats an unhandled rejection as a failed update (resources whose
  // inputs depend on a refused resource reject that way). Do the same for the length of the
  // run, so a refusal fails this run instead of surfacing later as a stray error.
  const stray: unknown[] = [];
  const restore = captureUnhandledRejections((reason) => stray.push(reason));
  // A resource the fakes refuse leaves everything that needs its outputs waiting: end the
  // run as soon as that happens rather than at some timeout.
  const refused = new Promise<never>((_, reject) => fakes.onRefusal((refusal) => reject(new MockRunError(refusal, resources))));
  refused.catch(() => undefined);
  let stackOutputs: pulumi.Inputs | undefined;
  try {
    stackOutputs = await Promise.race([
      pulumi.runtime.runInPulumiStack(async () => {
        try {
          return (await program()) as pulumi.Inputs;
        } catch (error) {
          failure = { error };
          return {};
        }
      }),
      refused,
    ]);
    const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as { waitForRPCs(): Promise<void> };
    await Promise.race([settings.waitForRPCs(), refused]);
  } finally {
    // Let rejections of this run's last promises arrive before handing the process back.
    await new Promise((r) => setImmediate(r));
    restore();
  }
  if (!failure && stray.length > 0) failure = { error: stray[0] };
  if (failure) throw new MockRunError(failure.error, resources);
  return { outputs: (stackOutputs ?? {}) as T, resources, fakes };
}
