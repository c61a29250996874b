/**
 * Issue 6, as properties: whatever a stack file holds, `gatelock audit` refuses or reports;
 * it never crashes, and it never echoes the file.
 *
 * (a) Garbage and hand-edit mistakes (random bytes; lines of the example stack deleted,
 *     duplicated, swapped; quotes, colons, indentation, anchors and aliases inserted): reading
 *     the stack file returns, or throws a GatelockError with ERR_CONFIG_SYNTAX (or
 *     ERR_STACK_NOT_FOUND); the message never contains the secret-looking token planted in the
 *     file, nor any line of the file other than a bare `key:`.
 * (b) Well-formed YAML with wrong values (keys dropped, types changed, wildcards, empty
 *     arrays, huge numbers, random strings) in `gatelock:gateway` and `gatelock:origins`:
 *     `gatelock audit` exits 0, 1 or 2, never 3 (an internal error); every non-zero exit
 *     names the config key to change, with a fix. (Measured 2026-12-01: of 300 cases, 271
 *     refused, every error naming a key, 76 distinct key paths; 29 ran the whole program.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { readStackConfig } from "../components/audit/stack-file";
import { main } from "../components/cli/main";
import { stackJsonSchema } from "../components/model/json-schema";
import { GatelockError } from "../components/errors";
import { PROJECT_DIR } from "./harness";

const EXAMPLE = fs.readFileSync(path.join(PROJECT_DIR, "stacks", "Pulumi.example.yaml"), "utf8");
const PULUMI_YAML = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");

/** Generated cases per property: recorded here so the report can say how many ran. */
const RUNS = { bytes: 1000, mutatedStack: 2000, mutatedPulumiYaml: 500, audit: 300 } as const;

const dirs: string[] = [];
function scratchProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-prop-"));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PULUMI_YAML);
  fs.mkdirSync(path.join(dir, "stacks"));
  return dir;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// (a) garbage never crashes the reader and is never echoed

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".split("");
/** A secret-looking token, different in every case. */
const tokenArb = fc.array(fc.constantFrom(...ALNUM), { minLength: 24, maxLength: 24 }).map((cs) => `zpka_live_${cs.join("")}`);

type Mutation =
  | { kind: "delete" | "duplicate"; line: number }
  | { kind: "swap"; line: number; other: number }
  | { kind: "insert"; line: number; at: number; text: string }
  | { kind: "indent"; line: number; by: number }
  | { kind: "plant"; line: number; at: number };

const insertions = [`"`, `'`, ":", ": ", " :", "- ", "? ", "&a ", "*a", "&a [", "*a, *a, *a", "[", "]", "{", "}", ",", "#", "|", ">", "!!int ", "!Ref ", "%", "@", "`", "\\", "\t", "---\n", "...\n", "\n", "\n  ", "\r", "\u0000", "\ufeff", "<<: *a", "&b {x: *a}", "config:", "gatelock:origins: "];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom("delete" as const, "duplicate" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), line: fc.nat(), at: fc.nat(), text: fc.constantFrom(...insertions) }),
  fc.record({ kind: fc.constant("indent" as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant("plant" as const), line: fc.nat(), at: fc.nat() }),
);

function mutate(source: string, mutations: readonly Mutation[], token: string, plantLine: number): string {
  const lines = source.split("\n");
  // The token always starts out as a plain-text API key on a line of its own.
  lines.splice(plantLine % (lines.length + 1), 0, `  gatelock:zuploApiKey: ${token}`);
  for (const m of mutations) {
    if (lines.length === 0) lines.push("");
    const i = m.line % lines.length;
    const line = lines[i]!;
    switch (m.kind) {
      case "delete":
        lines.splice(i, 1);
        break;
      case "duplicate":
        lines.splice(i, 0, line);
        break;
      case "swap": {
        const j = m.other % lines.length;
        [lines[i], lines[j]] = [lines[j]!, line];
        break;
      }
      case "insert": {
        const at = m.at % (line.length + 1);
        lines[i] = line.slice(0, at) + m.text + line.slice(at);
        break;
      }
      case "indent":
        lines[i] = m.by >= 0 ? " ".repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), "");
        break;
      case "plant": {
        // Also inside other lines: in keys, comments, quotes, flow collections.
        const at = m.at % (line.length + 1);
        lines[i] = line.slice(0, at) + token + line.slice(at);
        break;
      }
    }
  }
  return lines.join("\n");
}

/**
 * The message must not contain the planted token (nor any 10-character piece of it), nor any
 * line of the input longer than 6 characters, except a bare structural key (`config:`,
 * `- name:`) that gatelock's own fix hints may name.
 */
function expectNoEcho(message: string, input: string, token: string): void {
  for (let i = "zpka_live_".length; i + 10 <= token.length; i++) expect(message).not.toContain(token.slice(i, i + 10));
  expect(message).not.toContain("zpka_live_");
  for (const raw of input.split(/\r?\n|\r/)) {
    const line = raw.trim();
    if (line.length <= 6 || /^(?:-\s+)?[\w.-]+(?::[\w.-]+)?:$/.test(line)) continue;
    expect(message, `echoes the line ${JSON.stringify(line)}`).not.toContain(line);
  }
}

/** The stack file's path as gatelock names it, when `body` is a Pulumi.yaml that names a `stackConfigDir`. */
function stackFileName(dir: string, body: string): string | undefined {
  try {
    const stackConfigDir = (parse(body, { logLevel: "silent" }) as { stackConfigDir?: unknown } | null)?.stackConfigDir;
    if (typeof stackConfigDir !== "string") return undefined;
    return path.relative(dir, path.join(dir, stackConfigDir, "Pulumi.fuzz.yaml")).split(path.sep).join("/");
  } catch {
    return undefined;
  }
}

/** Read `body` as a stack file: it returns, or refuses with a GatelockError of an expected code. */
function readOrRefuse(dir: string, body: string | Uint8Array): GatelockError | undefined {
  fs.writeFileSync(path.join(dir, "stacks", "Pulumi.fuzz.yaml"), body);
  try {
    readStackConfig(dir, "fuzz");
    return undefined;
  } catch (e) {
    if (!(e instanceof GatelockError)) throw e;
    expect(["ERR_CONFIG_SYNTAX", "ERR_STACK_NOT_FOUND"]).toContain(e.code);
    if (e.code === "ERR_CONFIG_SYNTAX") expect(e.message).toMatch(/^(stacks\/Pulumi\.fuzz\.yaml|Pulumi\.yaml):\d+:\d+: /);
    return e;
  }
}

describe("(a) reading a stack file never crashes and never echoes it", () => {
  it(`random bytes with a planted token (${RUNS.bytes} cases)`, () => {
    const dir = scratchProject();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), tokenArb, fc.nat(), (bytes, token, at) => {
        const i = at % (bytes.length + 1);
        const body = Buffer.concat([bytes.subarray(0, i), Buffer.from(token), bytes.subarray(i)]);
        const e = readOrRefuse(dir, body);
        if (e) expectNoEcho(e.message, body.toString("utf8"), token);
      }),
      { numRuns: RUNS.bytes },
    );
  });

  it(`mutations of the example stack with a planted token (${RUNS.mutatedStack} cases)`, () => {
    const dir = scratchProject();
    let refused = 0;
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 6 }), tokenArb, fc.nat(), (mutations, token, plantLine) => {
        const body = mutate(EXAMPLE, mutations, token, plantLine);
        const e = readOrRefuse(dir, body);
        if (e) {
          refused++;
          expectNoEcho(e.message, body, token);
        }
      }),
      { numRuns: RUNS.mutatedStack },
    );
    // The generator does break files: most cases must be refusals, not all accepted.
    expect(refused).toBeGreaterThan(RUNS.mutatedStack / 4);
  });

  it(`mutations of Pulumi.yaml with a planted token (${RUNS.mutatedPulumiYaml} cases)`, () => {
    const dir = scratchProject();
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.fuzz.yaml"), "config: {}\n");
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), tokenArb, fc.nat(), (mutations, token, plantLine) => {
        const body = mutate(PULUMI_YAML, mutations, token, plantLine);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), body);
        try {
          readStackConfig(dir, "fuzz");
        } catch (e) {
          if (!(e instanceof GatelockError)) throw e;
          expect(["ERR_CONFIG_SYNTAX", "ERR_STACK_NOT_FOUND"]).toContain(e.code);
          // The one thing of Pulumi.yaml a message must name: the stack file's path, which
          // `stackConfigDir` is part of.
          const stackFile = stackFileName(dir, body);
          expectNoEcho(stackFile ? e.message.split(stackFile).join("<stack file>") : e.message, body, token);
        }
      }),
      { numRuns: RUNS.mutatedPulumiYaml },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (b) wrong values never crash the audit

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Step = string | number;

const EXAMPLE_CONFIG = (parse(EXAMPLE) as { config: Record<string, Json> }).config;

/** Every path into `v` (not `v` itself). */
function pathsOf(v: Json, prefix: Step[] = []): Step[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => [[...prefix, i], ...pathsOf(x, [...prefix, i])]);
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...pathsOf(x, [...prefix, k])]);
  return [];
}

function parentOf(root: Json, p: readonly Step[]): { parent: Json[] | { [k: string]: Json }; key: Step } {
  let cur = root;
  for (const s of p.slice(0, -1)) cur = cur && typeof cur === "object" ? (cur as Record<string, Json>)[s as string]! : (undefined as never);
  return { parent: cur as Json[] | { [k: string]: Json }, key: p[p.length - 1]! };
}

/**
 * Vocabulary, so that mutations also build plausible configs that pass validation and run the
 * whole program: every key and enum value of the stack schema, every string of the example,
 * and every subtree of the example (a `gcp:` block moved into an AWS origin, a `claims:` map
 * into `sharedSecret:`).
 */
function vocabulary(): { keys: string[]; strings: string[]; subtrees: Json[] } {
  const keys = new Set<string>(["principalAttribute", "environment_type", "__proto__", "constructor", "extra"]);
  const strings = new Set<string>();
  const subtrees: Json[] = [];
  const walkSchema = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walkSchema);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.properties && typeof o.properties === "object") for (const k of Object.keys(o.properties)) keys.add(k);
    if (Array.isArray(o.enum)) for (const e of o.enum) if (typeof e === "string") strings.add(e);
    if (typeof o.const === "string") strings.add(o.const);
    Object.values(o).forEach(walkSchema);
  };
  walkSchema(stackJsonSchema());
  const walkExample = (v: Json): void => {
    if (typeof v === "string") strings.add(v);
    else if (Array.isArray(v)) {
      subtrees.push(v);
      v.forEach(walkExample);
    } else if (v && typeof v === "object") {
      subtrees.push(v);
      for (const [k, x] of Object.entries(v)) {
        keys.add(k);
        walkExample(x);
      }
    }
  };
  walkExample(EXAMPLE_CONFIG as Json);
  return { keys: [...keys].sort(), strings: [...strings].sort(), subtrees };
}
const VOCAB = vocabulary();

const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(...VOCAB.strings),
  fc.constantFrom<Json>(...VOCAB.subtrees).map((t) => structuredClone(t)),
  fc.constantFrom<Json>("*", "", " ", "**", "*.*", "?", "http://x", "https://*.example", "https://", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:root", "allUsers", "allAuthenticatedUsers", "domain:example.com", "principalSet://*", "0.0.0.0/0", "../../..", "/etc/passwd", "$env(X)", "${env.X}", "a".repeat(3000), "ü🔥", "None", "null", "true", "0", "-1"),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,70}$/),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.integer({ min: -2, max: 40_000 }),
  fc.constantFrom<Json>(0, -1, 1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 1e-300, Number.MAX_SAFE_INTEGER, 65536, 4294967296),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom<Json>([], {}, ["*"], [""], [null], [[]], [{}], { "*": "*" }),
  fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
);

type ValueMutation =
  | { op: "delete"; pick: number }
  | { op: "replace"; pick: number; value: Json }
  | { op: "wildcard"; pick: number; at: number }
  | { op: "duplicate"; pick: number }
  | { op: "emptyArrays" }
  | { op: "addKey"; pick: number; key: string; value: Json };

const valueMutationArb: fc.Arbitrary<ValueMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("replace" as const), pick: fc.nat(), value: nastyValue }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("wildcard" as const), pick: fc.nat(), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("duplicate" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("emptyArrays" as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("addKey" as const), pick: fc.nat(), key: fc.constantFrom(...VOCAB.keys), value: nastyValue }) },
);

function applyMutation(config: { [k: string]: Json }, m: ValueMutation): void {
  const paths = pathsOf(config).filter((p) => p[0] === "gatelock:gateway" || p[0] === "gatelock:origins");
  if (m.op === "emptyArrays") {
    // Children before parents. The example shares blocks through YAML aliases (`stockroom` rides
    // `warehouse`'s tunnel), so emptying one origin's array can already have removed a path
    // that another origin reaches through the same object: skip what no longer exists.
    for (const p of paths.reverse()) {
      const { parent, key } = parentOf(config, p);
      if (parent && Array.isArray((parent as Record<string, Json>)[key as string])) (parent as Record<string, Json>)[key as string] = [];
    }
    return;
  }
  const p = paths[m.pick % paths.length]!;
  const { parent, key } = parentOf(config, p);
  const current = (parent as Record<string, Json>)[key as string]!;
  switch (m.op) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case "replace":
      (parent as Record<string, Json>)[key as string] = m.value;
      break;
    case "wildcard":
      if (typeof current === "string") {
        const at = m.at % (current.length + 1);
        (parent as Record<string, Json>)[key as string] = m.at % 3 === 0 ? "*" : current.slice(0, at) + "*" + current.slice(at);
      } else (parent as Record<string, Json>)[key as string] = "*";
      break;
    case "duplicate":
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current));
      else if (Array.isArray(current) && current.length > 0) current.push(structuredClone(current[0]!));
      break;
    case "addKey":
      if (current && typeof current === "object" && !Array.isArray(current)) Object.defineProperty(current, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      else (parent as Record<string, Json>)[key as string] = { [m.key]: m.value };
      break;
  }
}

/** A stack config key, such as `gatelock:origins[2].aws.readers[0]`. */
const NAMES_A_KEY = /^gatelock:[A-Za-z]+(?:[.[]|$)/;
const keysNamed = new Set<string>();

describe("(b) gatelock audit never fails with an internal error on a wrong config", () => {
  it(`structured mutations of the example stack's gatelock:gateway and gatelock:origins exit 0, 1 or 2, never 3 (${RUNS.audit} cases)`, async () => {
    const dir = scratchProject();
    const codes = new Map<number, number>();
    let ranProgram = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(valueMutationArb, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const config = structuredClone(EXAMPLE_CONFIG);
        for (const m of mutations) applyMutation(config, m);
        fs.writeFileSync(path.join(dir, "stacks", "Pulumi.fuzz.yaml"), stringify({ config }));
        let err = "";
        let out = "";
        const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } };
        // With GATELOCK_DEBUG=1 a crash carries its stack trace into the failure report.
        const code = await main(["audit", "--stack", "fuzz", "--format", "json", "--cwd", dir], io, { env: { GATELOCK_DEBUG: "1" } });
        codes.set(code, (codes.get(code) ?? 0) + 1);
        const report = out ? (JSON.parse(out) as { resources: unknown[]; findings: Array<{ severity: string; path: string; code: string; fix?: string }> }) : undefined;
        if (report && report.resources.length > 0) ranProgram++;
        expect([0, 1, 2], `exit ${code}:\n${err}`).toContain(code);
        // Every refusal names the key to change, with a fix.
        if (code !== 0) {
          const errors = report?.findings.filter((f) => f.severity === "error") ?? [];
          expect(errors.length + (err ? 1 : 0), `exit ${code} names nothing`).toBeGreaterThan(0);
          for (const f of errors) {
            expect(f.path, `${f.code} names no key`).toMatch(NAMES_A_KEY);
            expect(f.fix ?? "", `${f.code} at ${f.path} has no fix`).not.toBe("");
            keysNamed.add(f.path.replace(/\[\d+\]/g, "[]"));
          }
          if (!report) expect(err, "a usage error names a flag or key").toMatch(/--[a-z]|gatelock:/);
        }
      }),
      // A mutation that once broke this test's own harness (shared YAML-alias blocks), kept.
      { numRuns: RUNS.audit, examples: [[[{ op: "addKey", pick: 1121543057, key: "__proto__", value: {} }, { op: "emptyArrays" }]]] },
    );
    // Most mutations make the config invalid; some must still run the whole program.
    expect(codes.get(1) ?? 0).toBeGreaterThan(0);
    expect(ranProgram).toBeGreaterThan(0);
    if (process.env.GATELOCK_PROPERTY_REPORT) console.log(JSON.stringify({ codes: Object.fromEntries(codes), ranProgram, keysNamed: keysNamed.size }));
  }, 120_000);
});
