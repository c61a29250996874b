/**
 * Test harness: runs the real gatelock program (or any component) under Pulumi's mocks with
 * faithful fakes, and answers questions about what it registered.
 */
import * as path from "node:path";
import { readStackConfig } from "../../components/audit/stack-file";
import { deploy, type Deployment, type GatelockOutputs } from "../../components/program/deploy";
import { isSecretValue, reveal } from "../../components/testing/fakes";
import { type MockRun, type MockRunOptions, type RecordedResource, runUnderMocks } from "../../components/testing/engine";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

export interface ProgramRun extends MockRun<GatelockOutputs> {
  readonly deployment: Deployment;
}

/** Run the gatelock program with raw config `{gateway, origins}`. */
export async function runProgram(
  config: unknown,
  options: Partial<Omit<MockRunOptions, "config">> & { projectDir?: string } = {},
): Promise<ProgramRun> {
  let deployment!: Deployment;
  const run = await runUnderMocks(
    async () => {
      deployment = await deploy({ config, stack: options.stack ?? "test", projectDir: options.projectDir ?? PROJECT_DIR });
      return deployment.outputs;
    },
    { stack: "test", ...options },
  );
  return { ...run, deployment };
}

/** Run the program for a stack file in `stacks/`, exactly as the audit does. */
export async function runStack(stack: string, options: Partial<MockRunOptions> = {}): Promise<ProgramRun> {
  const sc = readStackConfig(PROJECT_DIR, stack);
  let deployment!: Deployment;
  const run = await runUnderMocks(
    async () => {
      deployment = await deploy({ projectDir: PROJECT_DIR });
      return deployment.outputs;
    },
    { stack, config: sc.config, secretKeys: sc.secretKeys, ...options },
  );
  return { ...run, deployment };
}

export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

export function one(resources: readonly RecordedResource[], type: string, name?: string): RecordedResource {
  const found = ofType(resources, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}

/** Resolve an Output in a test (Output.promise() is internal). */
export function resolve<T>(o: { apply<U>(f: (t: T) => U): unknown }): Promise<T> {
  return new Promise((r) => o.apply((v) => { r(v); return v; }));
}

/** Every plain (non-secret) string anywhere in a value. */
export function plainStrings(v: unknown, out: string[] = []): string[] {
  if (isSecretValue(v)) return out;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => plainStrings(x, out));
  return out;
}

export { isSecretValue, reveal };
export type { RecordedResource };
