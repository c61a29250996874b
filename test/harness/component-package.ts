/**
 * gatelock as an installed Pulumi component package (`pulumi package add …/provider`), without
 * the Pulumi CLI: a fresh build laid out as the plugin is installed, the provider Pulumi's
 * component host starts from it and the schema it infers, and helpers that compare what that
 * provider builds with what the TypeScript classes register under the mock engine.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, expect } from "vitest";
import { createProvider, type GatelockComponentProvider } from "../../components/provider/host";
import { type RecordedResource, runUnderMocks } from "../../components/testing";
import { settleOutput } from "../../components/testing/pulumi-internals";
import { PROJECT_DIR } from "./index";

/** The parts of Pulumi's package schema the tests read. */
export interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  plain?: boolean;
  secret?: boolean;
  description?: string;
}
export interface SchemaResource {
  description?: string;
  inputProperties: Record<string, SchemaProperty>;
  requiredInputs: string[];
  properties: Record<string, SchemaProperty>;
  required: string[];
}
/** An object type has properties; an enum (`GcpTokenKind`) has `enum` instead. */
export interface SchemaType {
  properties?: Record<string, SchemaProperty>;
  required?: string[];
  enum?: { name: string; value: string }[];
}
export interface PackageSchema {
  name: string;
  version: string;
  resources: Record<string, SchemaResource>;
  types: Record<string, SchemaType>;
}

/** A built package; its fields are there once the `beforeAll` of useComponentPackage has run. */
export class ComponentPackage {
  #dir?: string;
  #provider?: GatelockComponentProvider;
  #schema?: PackageSchema;

  /** The package folder: dist/ and provider/ side by side, node_modules linked to the repository's. */
  get dir(): string {
    return this.#built(this.#dir);
  }
  get provider(): GatelockComponentProvider {
    return this.#built(this.#provider);
  }
  get schema(): PackageSchema {
    return this.#built(this.#schema);
  }

  /**
   * Build into a temporary package, not the repository's dist/, so that the test reads the
   * declarations of the source it runs with, as a user's `pulumi package add` would.
   */
  async build(prefix: string): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.#dir = dir;
    execFileSync(process.execPath, [path.join(PROJECT_DIR, "node_modules/typescript/bin/tsc"), "-p", path.join(PROJECT_DIR, "tsconfig.build.json"), "--outDir", path.join(dir, "dist")], {
      stdio: "pipe",
    });
    fs.cpSync(path.join(PROJECT_DIR, "provider"), path.join(dir, "provider"), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, "package.json"), path.join(dir, "package.json"));
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
    this.#provider = await createProvider(path.join(dir, "provider"));
    this.#schema = JSON.parse(await this.#provider.getSchema()) as PackageSchema;
  }

  remove(): void {
    if (this.#dir) fs.rmSync(this.#dir, { recursive: true, force: true });
  }

  /** The schema's `gatelock:index:<name>` resource. */
  resource(name: string): SchemaResource {
    const r = this.schema.resources[`gatelock:index:${name}`];
    if (!r) throw new Error(`no gatelock:index:${name} in the schema`);
    return r;
  }

  /** The schema's `gatelock:index:<name>` type. */
  type(name: string): SchemaType {
    return this.schema.types[`gatelock:index:${name}`]!;
  }

  /** The type a property's `$ref` (`#/types/…`, URI-encoded) names. */
  typeOf(ref: string): SchemaType {
    return this.schema.types[decodeURIComponent(ref.replace(/^#\/types\//, ""))]!;
  }

  /** Build `gatelock:index:<component>` as another language's program does, through the provider. */
  construct(name: string, component: string, inputs: pulumi.Inputs) {
    return this.provider.construct(name, `gatelock:index:${component}`, inputs, {});
  }

  /** construct(), and the component's outputs. */
  async state(name: string, component: string, inputs: pulumi.Inputs): Promise<Record<string, unknown>> {
    return (await this.construct(name, component, inputs)).state as Record<string, unknown>;
  }

  #built<T>(value: T | undefined): T {
    if (value === undefined) throw new Error("the component package is built in beforeAll: use it inside a test");
    return value;
  }
}

/**
 * The package, built once for the test file (in its `beforeAll`; a build takes a while) and
 * removed after it. `prefix` names the temporary folder.
 */
export function useComponentPackage(prefix: string): ComponentPackage {
  const pkg = new ComponentPackage();
  beforeAll(() => pkg.build(prefix), 120_000);
  afterAll(() => pkg.remove());
  return pkg;
}

/** `string`, `string[]`, `map<string>`, `Any`, or a type's name. */
export function describeType(p: SchemaProperty): string {
  if (p.$ref === "pulumi.json#/Any") return "Any";
  if (p.$ref) return p.$ref.replace(/^#\/types\/gatelock:index:/, "");
  if (p.type === "array") return `${describeType(p.items!)}[]`;
  if (p.type === "object" && p.additionalProperties) return `map<${describeType(p.additionalProperties)}>`;
  return p.type!;
}

/** Each property's describeType. */
export const described = (props: Record<string, SchemaProperty>) => Object.fromEntries(Object.entries(props).map(([k, p]) => [k, describeType(p)]));

/** What a program registers under the mock engine (stack `prod`). */
export async function registeredBy(program: () => Promise<unknown> | unknown): Promise<readonly RecordedResource[]> {
  return (await runUnderMocks(async () => ({ ...((await program()) as object) }), { stack: "prod" })).resources;
}

/** An output's value (known, under the mock engine; its failure, if it fails). */
export const settled = async (value: unknown) => (await settleOutput(pulumi.output(value as pulumi.Input<unknown>))).value;

/** The names of the resources `urns` name, sorted: what a resource waits for, readably. */
export const resourceNames = (rs: readonly RecordedResource[], urns: readonly string[]) => urns.map((u) => rs.find((r) => r.urn === u)?.name).sort();

/** What a run registered: every resource's type and name, the components' apart. */
export function shape(resources: readonly RecordedResource[]) {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const components = resources.filter((r) => r.type.startsWith("gatelock:")).map((r) => `${r.type} ${r.name}`);
  const children = resources
    .filter((r) => !r.type.startsWith("gatelock:") && r.type !== "pulumi:pulumi:Stack")
    .map((r) => `${r.type} ${r.name} < ${byUrn.get(r.parent ?? "")?.name ?? "(root)"}`)
    .sort();
  return { components, children };
}

/**
 * The same children under the same names; each component registered as its package type
 * (`tokens`: TypeScript type → package type) instead of its own. `extra`: components only the
 * package registers (`GatewayTunnelServices`, which TypeScript's `carry()` does without).
 */
export function expectSameChildren(ts: readonly RecordedResource[], pkg: readonly RecordedResource[], tokens: Record<string, string>, extra: readonly string[] = []): void {
  const a = shape(ts);
  const b = shape(pkg);
  expect(b.children).toEqual(a.children);
  expect(a.children.length).toBeGreaterThan(0);
  expect(b.components.filter((c) => !extra.includes(c))).toEqual(
    a.components.map((c) => {
      const [t, n] = c.split(" ");
      return `${tokens[t!] ?? t} ${n}`;
    }),
  );
  expect(b.components.filter((c) => extra.includes(c))).toEqual([...extra]);
}
