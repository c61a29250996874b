/**
 * Runs a Pulumi program in-process under Pulumi's mock engine and records what it would
 * create: every resource with its type token, name, parent and inputs.
 *
 * The offline audit and gatelock's own tests both use this, so the audit reports exactly
 * what the tests check.
 */
import { FakeCloud, type FakeCloudOptions } from "./fakes";
// Everything this engine needs from Pulumi's runtime, internals included, goes through the
// adapter; see pulumi-internals.ts for what each function relies on.
import { captureUnhandledRejections, recordRegistrations, runProgramInStack, startMockRun, waitForPendingRpcs } from "./pulumi-internals";

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
  /** URNs it was known by before (its aliases). */
  readonly aliases: readonly string[];
  /** The explicit provider reference, when one was given. */
  readonly provider?: string;
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
  await startMockRun(fakes, {
    project,
    stack: options.stack,
    preview: options.preview ?? false,
    config: options.config ?? {},
    secretKeys: options.secretKeys ?? [],
  });

  const resources: RecordedResource[] = [];
  recordRegistrations((r) => {
    if (r.replacementTrigger !== undefined) fakes.noteReplacementTrigger(r.type, r.name, r.replacementTrigger);
    // A dynamic resource's `__provider` input is its serialised provider code (tens of KB),
    // identical for every resource of a type: not worth a copy per resource.
    const { __provider: _code, ...inputs } = r.inputs;
    resources.push({
      urn: r.urn,
      type: r.type,
      name: r.name,
      ...(r.parent ? { parent: r.parent } : {}),
      custom: r.custom,
      inputs,
      dependsOn: r.dependsOn,
      aliases: r.aliases,
      ...(r.provider ? { provider: r.provider } : {}),
    });
  });

  // A program that throws is caught here rather than inside Pulumi's Stack resource, whose
  // internal promises would otherwise reject unhandled; the caller still gets the error.
  let failure: { error: unknown } | undefined;
  // Pulumi's program host treats an unhandled rejection as a failed update (resources whose
  // inputs depend on a refused resource reject that way). Do the same for the length of the
  // run, so a refusal fails this run instead of surfacing later as a stray error.
  const stray: unknown[] = [];
  // ...and at once: a resource whose input was refused (an Output that failed a check) leaves
  // everything that needs its outputs waiting, as a refused resource does.
  let strayFailure!: (reason: unknown) => void;
  const failedFast = new Promise<never>((_, reject) => (strayFailure = reject));
  failedFast.catch(() => undefined);
  const restore = captureUnhandledRejections((reason) => {
    stray.push(reason);
    strayFailure(new MockRunError(reason, resources));
  });
  // A resource the fakes refuse leaves everything that needs its outputs waiting: end the
  // run as soon as that happens rather than at some timeout.
  const refused = new Promise<never>((_, reject) => fakes.onRefusal((refusal) => reject(new MockRunError(refusal, resources))));
  refused.catch(() => undefined);
  let stackOutputs: Record<string, unknown> | undefined;
  try {
    stackOutputs = await Promise.race([
      runProgramInStack(async () => {
        try {
          return (await program()) as Record<string, unknown>;
        } catch (error) {
          failure = { error };
          return {};
        }
      }),
      refused,
      failedFast,
    ]);
    await Promise.race([waitForPendingRpcs(), refused, failedFast]);
  } catch (error) {
    // A stack output that fails to resolve rejects the stack itself (newer SDKs reject there
    // what older ones reported as a stray rejection): the same failed run either way.
    if (error instanceof MockRunError) throw error;
    failure = { error };
  } finally {
    // Let rejections of this run's last promises arrive before handing the process back.
    await new Promise((r) => setImmediate(r));
    restore();
  }
  if (!failure && stray.length > 0) failure = { error: stray[0] };
  if (failure) throw new MockRunError(failure.error, resources);
  return { outputs: (stackOutputs ?? {}) as T, resources, fakes };
}
