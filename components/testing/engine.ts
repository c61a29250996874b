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
  const stackOutputs = await pulumi.runtime.runInPulumiStack(async () => {
    try {
      return (await program()) as pulumi.Inputs;
    } catch (error) {
      failure = { error };
      return {};
    }
  });
  const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
  if (failure) throw new MockRunError(failure.error, resources);
  return { outputs: (stackOutputs ?? {}) as T, resources, fakes };
}
