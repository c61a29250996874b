/**
 * The dotenv sink: the merge that touches only gatelock's keys, value quoting that every
 * dotenv parser reads back identically, the atomic 0600 write, the dynamic provider's
 * create/update/delete, and the rule that the provider survives Pulumi's serialisation.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseEnv } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mergeDotenv, parseDotenv, quoteDotenvValue, writeFileAtomic, dotenvFileProvider as providerFromDotenv } from "../components/dotenv/dotenv";
import { DOTENV_FILE_TYPE, dotenvFileProvider, type DotenvFileOutputs } from "../components/dotenv/dotenv-file";
import { encodeSecretDocument } from "../components/shared-secret/document";
import { expectSelfContained, runInFreshHost, serialiseInstalledProvider } from "./harness/serialised-provider";

const MARKER = "# managed by gatelock (pulumi): keys below are rewritten on every update";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-dotenv-"));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const secret = (n: number) => `S3cret-${n}_${"x".repeat(40)}`;

/** Parse with Node's own dotenv parser (the one behind `--env-file` and `process.loadEnvFile`). */
const nodeParse = (text: string) => parseEnv(text) as Record<string, string>;

describe("parseDotenv", () => {
  it("finds assignments in every form the parsers accept, and nothing else", () => {
    const text = [
      "# A=commented",
      "",
      "PLAIN=1",
      "  INDENTED = 2",
      "export EXPORTED=3",
      "COLON: 4",
      "with.dot-dash=5",
      "not an assignment",
      "   # B=also a comment",
    ].join("\n");
    expect(parseDotenv(text).entries.map((e) => e.key)).toEqual(["PLAIN", "INDENTED", "EXPORTED", "COLON", "with.dot-dash"]);
    const exported = parseDotenv(text).entries[2]!;
    expect(exported.prefix).toBe("export ");
    expect(text.slice(exported.start, exported.end)).toBe("export EXPORTED=3\n");
  });

  it("treats a multi-line quoted value as one entry, so lines inside it are not keys", () => {
    const text = "A='line one\nB=inside\nend'\nC=\"x\ny\"\nD=4\n";
    const entries = parseDotenv(text).entries;
    expect(entries.map((e) => e.key)).toEqual(["A", "C", "D"]);
    expect(text.slice(entries[0]!.start, entries[0]!.end)).toBe("A='line one\nB=inside\nend'\n");
    // Same reading as Node's parser.
    expect(Object.keys(nodeParse(text))).toEqual(["A", "C", "D"]);
  });

  it("an unterminated quote is a single line", () => {
    expect(parseDotenv("A='open\nB=2\n").entries.map((e) => e.key)).toEqual(["A", "B"]);
  });

  it("detects CRLF files", () => {
    expect(parseDotenv("A=1\r\nB=2\r\n").eol).toBe("\r\n");
    expect(parseDotenv("A=1\nB=2\n").eol).toBe("\n");
    expect(parseDotenv("").eol).toBe("\n");
  });
});

describe("mergeDotenv", () => {
  // A file a developer wrote by hand: comments, blank lines, odd spacing, quotes, export,
  // a trailing space, an inline comment, a multi-line value.
  const original = [
    "# Local settings for the gateway",
    "",
    "__ZUPLO_REMOTE_LOG_URL=",
    "API_KEY = 'abc'   # inline comment ",
    "export DEBUG=true",
    "",
    "ORDERS_SHARED_SECRET=old-secret",
    "CERT=\"-----BEGIN-----",
    "ORDERS_SHARED_SECRET=not-a-key-this-is-inside-CERT",
    "-----END-----\"",
    // Last: Node 20's parser glues an indented comment to the next assignment's key.
    "  # indented comment",
    "TRAILING=value ",
    "",
  ].join("\n");

  it("replaces a key in place and leaves every other byte as it was", () => {
    const out = mergeDotenv(original, { ORDERS_SHARED_SECRET: "new-secret" });
    expect(out).toBe(original.replace("ORDERS_SHARED_SECRET=old-secret\n", "ORDERS_SHARED_SECRET=new-secret\n"));
    // The line inside CERT's multi-line value was not mistaken for the key.
    expect(nodeParse(out)).toMatchObject({ ORDERS_SHARED_SECRET: "new-secret", CERT: "-----BEGIN-----\nORDERS_SHARED_SECRET=not-a-key-this-is-inside-CERT\n-----END-----" });
  });

  it("appends new keys under one gatelock marker, and later new keys join that block", () => {
    const once = mergeDotenv(original, { ORDERS_ORIGIN_URL: "http://127.0.0.1:8080" });
    expect(once).toBe(`${original}${MARKER}\nORDERS_ORIGIN_URL=http://127.0.0.1:8080\n`);
    const userAddsLine = `${once}USER_LINE=after\n`;
    // As the provider does: every managed key in `set` (or `remove`).
    const twice = mergeDotenv(userAddsLine, { ORDERS_ORIGIN_URL: "http://127.0.0.1:8080", BILLING_ORIGIN_URL: "http://127.0.0.1:9090" });
    expect(twice).toBe(`${original}${MARKER}\nORDERS_ORIGIN_URL=http://127.0.0.1:8080\nBILLING_ORIGIN_URL=http://127.0.0.1:9090\nUSER_LINE=after\n`);
    expect(twice.split(MARKER)).toHaveLength(2);
    // Removing gatelock's keys takes the marker with them, and leaves the user's line.
    expect(mergeDotenv(twice, {}, ["ORDERS_ORIGIN_URL", "BILLING_ORIGIN_URL"])).toBe(`${original}USER_LINE=after\n`);
    // A merge that removes nothing keeps the marker.
    expect(mergeDotenv(twice, {}, ["NOT_PRESENT"])).toBe(twice);
  });

  it("adds a line break before appending to a file that does not end with one", () => {
    expect(mergeDotenv("A=1", { B: "2" })).toBe(`A=1\n${MARKER}\nB=2\n`);
    expect(mergeDotenv("", { B: "2" })).toBe(`${MARKER}\nB=2\n`);
  });

  it("keeps CRLF: replaced lines keep theirs, appended lines get CRLF, no bare LF appears", () => {
    const crlf = "# comment\r\nA=1\r\n\r\nB=2\r\nC=3";
    const out = mergeDotenv(crlf, { B: "two", D: "4" });
    expect(out).toBe(`# comment\r\nA=1\r\n\r\nB=two\r\nC=3\r\n${MARKER}\r\nD=4\r\n`);
    expect(out.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("keeps indentation and `export` on a replaced line", () => {
    expect(mergeDotenv("  export A=1\n", { A: "2" })).toBe("  export A=2\n");
  });

  it("replaces the first of duplicated assignments and deletes the later ones", () => {
    const dup = "A=first\nX=keep\nA=second\n# c\nA=third\n";
    const out = mergeDotenv(dup, { A: "new" });
    expect(out).toBe("A=new\nX=keep\n# c\n");
    // Node's parser takes the last assignment: with a duplicate left in, it would read an old value.
    expect(nodeParse(out).A).toBe("new");
  });

  it("removes keys (every assignment, multi-line values included) and nothing else", () => {
    const out = mergeDotenv(original, {}, ["CERT", "API_KEY", "NOT_PRESENT"]);
    expect(out).toBe(
      original
        .replace("API_KEY = 'abc'   # inline comment \n", "")
        .replace("CERT=\"-----BEGIN-----\nORDERS_SHARED_SECRET=not-a-key-this-is-inside-CERT\n-----END-----\"\n", ""),
    );
    expect(mergeDotenv("A=1\nB=2\nA=3\n", {}, ["A"])).toBe("B=2\n");
  });

  it("is a no-op when nothing changes, and idempotent", () => {
    expect(mergeDotenv(original, {}, ["NOT_PRESENT"])).toBe(original);
    const once = mergeDotenv(original, { ORDERS_SHARED_SECRET: "s", NEW_KEY: "n" });
    expect(mergeDotenv(once, { ORDERS_SHARED_SECRET: "s", NEW_KEY: "n" })).toBe(once);
  });

  it("adding then removing gatelock's keys gives back the original file byte for byte", () => {
    for (const start of [original, "A=1\n", "A=1\r\nB=2\r\n", ""]) {
      const added = mergeDotenv(start, { G1: "one", G2: "{\"json\":true}" });
      expect(added).toContain(MARKER);
      expect(mergeDotenv(added, {}, ["G1", "G2"])).toBe(start);
    }
  });

  it("refuses bad keys, a key both set and removed, and unwritable values, without echoing the value", () => {
    expect(() => mergeDotenv("", { "BAD KEY": "v" })).toThrow(/invalid dotenv key/);
    expect(() => mergeDotenv("", { "A=B": "v" })).toThrow(/invalid dotenv key/);
    expect(() => mergeDotenv("", { "1A": "v" })).toThrow(/invalid dotenv key/);
    expect(() => mergeDotenv("", {}, ["A\nB"])).toThrow(/invalid dotenv key/);
    expect(() => mergeDotenv("", { A: "v" }, ["A"])).toThrow(/both set and removed/);
    const secretValue = "top-secret\ninjected=1";
    let message = "";
    try {
      mergeDotenv("", { A: secretValue });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/`A`.*line break/);
    expect(message).not.toContain("top-secret");
    const allQuotes = "it's \"quoted\" `three` ways";
    expect(() => mergeDotenv("", { A: allQuotes })).toThrow(/no dotenv quoting/);
    expect(() => mergeDotenv("", { A: "it's `x` \\" })).toThrow(/no dotenv quoting/);
    try {
      mergeDotenv("", { A: allQuotes });
    } catch (e) {
      expect((e as Error).message).not.toContain("three");
    }
  });
});

describe("value quoting round-trips through Node's parser", () => {
  const tricky: Record<string, string> = {
    BASE64URL: "aB3-_xYz09aB3-_xYz09aB3-_xYz09aB3-_xYz09aB3-_xYz",
    URL: "http://127.0.0.1:8080/v1?x=1&y=2#frag",
    JSON_DOC: encodeSecretDocument({ current: secret(1), previous: secret(2), previousRetiresAt: "2030-01-01T00:00:00.000Z" }),
    JSON_WITH_APOSTROPHE: JSON.stringify({ note: "it's", n: 1 }),
    HASH: "abc#def",
    HASH_START: "#not-a-comment",
    SPACE_HASH: "a # b",
    EQUALS: "a=b==",
    LEADING_EQUALS: "=x",
    SPACES: "  padded both sides  ",
    DOLLAR: "$HOME ${PATH} $(whoami)",
    BACKSLASH_N: "a\\nb",
    BACKSLASH_AND_APOSTROPHE: "it's a \\n",
    BOTH_QUOTES: "it's \"x\"",
    BOTH_QUOTES_AND_BACKSLASH: "it's \"x\" \\n",
    BACKTICK: "`cmd`",
    EMPTY: "",
    UNICODE: "päss wörd ✓",
    SINGLE_QUOTE_ONLY: "'",
    DOUBLE_QUOTE_ONLY: '"',
    TAB: "a\tb",
  };

  it("every value comes back exactly, and the other lines are unaffected", () => {
    const base = "# header\nOTHER=unchanged\n";
    const out = mergeDotenv(base, tricky);
    expect(nodeParse(out)).toEqual({ OTHER: "unchanged", ...tricky });
    // Through a file with `process.loadEnvFile`'s reader too (same parser, file path).
    const file = path.join(dir, ".env");
    fs.writeFileSync(file, out);
    const viaFile = execFileSync(process.execPath, ["--env-file", file, "-e", `process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(Object.keys(tricky))}.map(k => [k, process.env[k]]))))`], { encoding: "utf8", env: {} });
    expect(JSON.parse(viaFile)).toEqual(tricky);
  });

  it("writes the simple cases bare or single-quoted", () => {
    expect(quoteDotenvValue(tricky.BASE64URL!)).toBe(tricky.BASE64URL);
    expect(quoteDotenvValue(tricky.JSON_DOC!)).toBe(`'${tricky.JSON_DOC}'`);
    expect(quoteDotenvValue("")).toBe("''");
    expect(quoteDotenvValue("a#b")).toBe("'a#b'");
  });

  it("random values made of awkward characters either round-trip or are refused", () => {
    // Deterministic pseudo-random generator, so a failure is reproducible.
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = ["a", "Z", "0", "-", "_", " ", "\t", "#", "=", "$", "'", '"', "`", "\\", "n", "{", "}", ":", ",", "é", "/"];
    let written = 0;
    for (let i = 0; i < 2000; i++) {
      const value = Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join("");
      let text: string;
      try {
        text = mergeDotenv("BEFORE=1\n", { VALUE: value });
      } catch (e) {
        expect((e as Error).message).toMatch(/no dotenv quoting/);
        // Refused only when single quotes, double quotes (or a backslash) and backticks are all taken.
        expect(value.includes("'") && (value.includes('"') || value.includes("\\")) && value.includes("`")).toBe(true);
        continue;
      }
      written++;
      expect(nodeParse(text), JSON.stringify(value)).toEqual({ BEFORE: "1", VALUE: value });
    }
    expect(written).toBeGreaterThan(1500);
  });
});

describe("writeFileAtomic", () => {
  it("creates a new file with mode 0600, whatever the umask", async () => {
    const file = path.join(dir, ".env");
    const umask = process.umask(0); // a permissive umask: only an explicit mode gives 0600
    try {
      await writeFileAtomic(file, "A=1\n");
    } finally {
      process.umask(umask);
    }
    expect(fs.readFileSync(file, "utf8")).toBe("A=1\n");
    expect(mode(file)).toBe(0o600);
  });

  it("tightens a pre-existing 0644 (or 0666) file to 0600", async () => {
    for (const wide of [0o644, 0o666]) {
      const file = path.join(dir, `.env-${wide.toString(8)}`);
      fs.writeFileSync(file, "OLD=1\n");
      fs.chmodSync(file, wide);
      expect(mode(file)).toBe(wide);
      await writeFileAtomic(file, "NEW=1\n");
      expect(mode(file)).toBe(0o600);
      expect(fs.readFileSync(file, "utf8")).toBe("NEW=1\n");
    }
  });

  it("honours an explicit mode", async () => {
    const file = path.join(dir, "f");
    await writeFileAtomic(file, "x", 0o640);
    expect(mode(file)).toBe(0o640);
  });

  it("replaces the file by rename (a new inode) and leaves no temporary file behind", async () => {
    const file = path.join(dir, ".env");
    fs.writeFileSync(file, "OLD=1\n");
    // A reader that has the old file open (this also keeps its inode from being reused).
    const reader = fs.openSync(file, "r");
    try {
      const before = fs.fstatSync(reader).ino;
      await writeFileAtomic(file, "NEW=1\n");
      expect(fs.statSync(file).ino).not.toBe(before);
      // The reader still sees the complete old file, never a half-written one.
      expect(fs.readFileSync(reader, "utf8")).toBe("OLD=1\n");
    } finally {
      fs.closeSync(reader);
    }
    await writeFileAtomic(file, "NEWER=1\n");
    expect(fs.readFileSync(file, "utf8")).toBe("NEWER=1\n");
    expect(fs.readdirSync(dir)).toEqual([".env"]);
  });

  it("syncs the data before the rename makes it visible", async () => {
    const file = path.join(dir, ".env");
    const calls: string[] = [];
    const probe = await fs.promises.open(path.join(dir, "probe"), "w");
    const handleProto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    fs.rmSync(path.join(dir, "probe"));
    const realSync = handleProto.sync;
    vi.spyOn(handleProto, "sync").mockImplementation(function (this: unknown) {
      calls.push("sync");
      return realSync.call(this);
    });
    const realRename = fs.promises.rename;
    vi.spyOn(fs.promises, "rename").mockImplementation((a, b) => {
      calls.push("rename");
      return realRename(a, b);
    });
    await writeFileAtomic(file, "A=1\n");
    expect(calls.slice(0, 2)).toEqual(["sync", "rename"]);
  });

  it("a failed rename (a crash at the worst moment) leaves the original intact and no temporary file", async () => {
    const file = path.join(dir, ".env");
    fs.writeFileSync(file, "ORIGINAL=1\n", { mode: 0o600 });
    vi.spyOn(fs.promises, "rename").mockRejectedValue(Object.assign(new Error("EIO: simulated"), { code: "EIO" }));
    await expect(writeFileAtomic(file, "REPLACEMENT=1\n")).rejects.toThrow(/simulated/);
    expect(fs.readFileSync(file, "utf8")).toBe("ORIGINAL=1\n");
    expect(mode(file)).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([".env"]);
  });

  it("a failed write leaves the original intact and no temporary file", async () => {
    const file = path.join(dir, ".env");
    fs.writeFileSync(file, "ORIGINAL=1\n");
    const probe = await fs.promises.open(path.join(dir, "probe"), "w");
    const handleProto = Object.getPrototypeOf(probe) as { writeFile: () => Promise<void> };
    await probe.close();
    fs.rmSync(path.join(dir, "probe"));
    vi.spyOn(handleProto, "writeFile").mockRejectedValue(Object.assign(new Error("ENOSPC: simulated"), { code: "ENOSPC" }));
    await expect(writeFileAtomic(file, "REPLACEMENT=1\n")).rejects.toThrow(/simulated/);
    expect(fs.readFileSync(file, "utf8")).toBe("ORIGINAL=1\n");
    expect(fs.readdirSync(dir)).toEqual([".env"]);
  });

  it("follows a symlink: the link stays, its target is replaced", async () => {
    const real = path.join(dir, "real.env");
    const link = path.join(dir, ".env");
    fs.writeFileSync(real, "OLD=1\n", { mode: 0o644 });
    fs.symlinkSync("real.env", link);
    await writeFileAtomic(link, "NEW=1\n");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, "utf8")).toBe("NEW=1\n");
    expect(mode(real)).toBe(0o600);
  });
});

describe("dotenvFileProvider", () => {
  const p = dotenvFileProvider;

  it("is the provider of `dotenv.ts`, exported under the resource's names", () => {
    expect(p).toBe(providerFromDotenv);
    expect(DOTENV_FILE_TYPE).toBe("DotenvFile");
  });

  it("check refuses a relative path, a bad key and a value with a line break, never echoing values", async () => {
    const r1 = await p.check({ path: ".env", entries: {} } as never, { path: ".env", entries: { A: "1" } });
    expect(r1.failures).toEqual([{ property: "path", reason: expect.stringMatching(/absolute/) }]);
    const r2 = await p.check({} as never, { path: "/x/.env", entries: { "bad key": "1", GOOD: "secret-value\nX=1" } });
    expect(r2.failures?.map((f) => f.property)).toEqual(["entries", "entries"]);
    expect(JSON.stringify(r2.failures)).not.toContain("secret-value");
    const ok = await p.check({} as never, { path: "/x/.env", entries: { A: "1" } });
    expect(ok.failures).toBeUndefined();
  });

  it("check lets unknown values through in preview", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    expect((await p.check({} as never, { path: unknown, entries: unknown as never })).failures).toBeUndefined();
    expect((await p.check({} as never, { path: "/x/.env", entries: { A: unknown } })).failures).toBeUndefined();
  });

  it("diff: a new path replaces, new entries update, the same entries (in any order) change nothing", async () => {
    const olds: DotenvFileOutputs = { path: "/a/.env", entries: { A: "1", B: "2" }, created: true };
    expect(await p.diff("/a/.env", olds, { path: "/b/.env", entries: { A: "1", B: "2" } })).toMatchObject({ changes: true, replaces: ["path"] });
    expect(await p.diff("/a/.env", olds, { path: "/a/.env", entries: { A: "1", B: "3" } })).toMatchObject({ changes: true, replaces: [] });
    expect(await p.diff("/a/.env", olds, { path: "/a/.env", entries: { A: "1" } })).toMatchObject({ changes: true, replaces: [] });
    expect(await p.diff("/a/.env", olds, { path: "/a/.env", entries: { A: "1", B: "2", C: "3" } })).toMatchObject({ changes: true, replaces: [] });
    expect(await p.diff("/a/.env", olds, { path: "/a/.env", entries: { B: "2", A: "1" } })).toMatchObject({ changes: false, replaces: [] });
  });

  it("names the file relative to its project: another checkout manages the same file, and 0.1's absolute state moves without a replace", async () => {
    const entries = { A: "1" };
    const created = await p.create({ path: ".env", projectDir: dir, entries });
    expect(created.id).toBe(".env");
    expect(created.outs).toEqual({ path: ".env", projectDir: dir, entries, created: true });
    expect(fs.readFileSync(path.join(dir, ".env"), "utf8")).toContain("A=1");
    // Another checkout (another directory), same relative path and entries: nothing to do.
    expect(await p.diff(".env", created.outs!, { path: ".env", projectDir: "/home/ci/checkout", entries })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    // Another relative path is another file.
    expect(await p.diff(".env", created.outs!, { path: ".env.local", projectDir: dir, entries })).toMatchObject({ changes: true, replaces: ["path"] });
    // State written by gatelock 0.1 holds the absolute path: the same file, so an update, not a replacement.
    const legacy = { path: path.join(dir, ".env"), entries, created: true };
    expect(await p.diff(legacy.path, legacy, { path: ".env", projectDir: dir, entries })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await p.diff(legacy.path, legacy, { path: ".env", projectDir: "/elsewhere", entries })).toMatchObject({ replaces: ["path"] });
    const moved = await p.update(legacy.path, legacy, { path: ".env", projectDir: dir, entries: { A: "2" } });
    expect(moved.outs).toEqual({ path: ".env", projectDir: dir, entries: { A: "2" }, created: true });
    expect(fs.readFileSync(path.join(dir, ".env"), "utf8")).toContain("A=2");
    await p.delete(".env", moved.outs!);
    expect(fs.existsSync(path.join(dir, ".env"))).toBe(false);
  });

  it("check: with projectDir, the path is relative and stays inside the project; projectDir is absolute", async () => {
    const failures = async (inputs: object) => ((await p.check({} as never, inputs as never)).failures ?? []).map((f) => f.property);
    expect(await failures({ path: "../.env", projectDir: dir, entries: {} })).toEqual(["path"]);
    expect(await failures({ path: "/etc/.env", projectDir: dir, entries: {} })).toEqual(["path"]);
    expect(await failures({ path: ".env", projectDir: "relative/dir", entries: {} })).toEqual(["projectDir"]);
    expect(await failures({ path: "gateway/.env", projectDir: dir, entries: {} })).toEqual([]);
  });

  it("create writes a new file, 0600, and records that gatelock created it", async () => {
    const file = path.join(dir, ".env");
    const r = await p.create({ path: file, entries: { ORDERS_SHARED_SECRET: secret(1), ORDERS_ORIGIN_URL: "http://127.0.0.1:1" } });
    expect(r.id).toBe(file);
    expect(r.outs).toEqual({ path: file, entries: { ORDERS_SHARED_SECRET: secret(1), ORDERS_ORIGIN_URL: "http://127.0.0.1:1" }, created: true });
    expect(nodeParse(fs.readFileSync(file, "utf8"))).toEqual({ ORDERS_SHARED_SECRET: secret(1), ORDERS_ORIGIN_URL: "http://127.0.0.1:1" });
    expect(mode(file)).toBe(0o600);
  });

  it("create merges into an existing file, keeps its lines, tightens its mode, and records it was not created", async () => {
    const file = path.join(dir, ".env");
    const user = "# mine\nUSER_VAR='keep me'\nORDERS_SHARED_SECRET=stale\n";
    fs.writeFileSync(file, user, { mode: 0o644 });
    const r = await p.create({ path: file, entries: { ORDERS_SHARED_SECRET: secret(1) } });
    expect(r.outs?.created).toBe(false);
    expect(fs.readFileSync(file, "utf8")).toBe(`# mine\nUSER_VAR='keep me'\nORDERS_SHARED_SECRET=${secret(1)}\n`);
    expect(mode(file)).toBe(0o600);
  });

  it("update writes new values, removes keys that are no longer managed, keeps the rest", async () => {
    const file = path.join(dir, ".env");
    fs.writeFileSync(file, "# mine\nUSER_VAR=1\n");
    const created = (await p.create({ path: file, entries: { A: "a1", B: "b1" } })).outs!;
    fs.appendFileSync(file, "LATER_USER_LINE=2\n");
    const updated = (await p.update(file, created, { path: file, entries: { A: "a2", C: "c1" } })).outs!;
    expect(updated).toEqual({ path: file, entries: { A: "a2", C: "c1" }, created: false });
    expect(fs.readFileSync(file, "utf8")).toBe(`# mine\nUSER_VAR=1\n${MARKER}\nA=a2\nC=c1\nLATER_USER_LINE=2\n`);
    expect(mode(file)).toBe(0o600);
  });

  it("update recreates a file that was deleted by hand, and then owns it", async () => {
    const file = path.join(dir, ".env");
    fs.writeFileSync(file, "USER=1\n");
    const created = (await p.create({ path: file, entries: { A: "1" } })).outs!;
    expect(created.created).toBe(false);
    fs.rmSync(file);
    const updated = (await p.update(file, created, { path: file, entries: { A: "2" } })).outs!;
    expect(updated.created).toBe(true);
    expect(nodeParse(fs.readFileSync(file, "utf8"))).toEqual({ A: "2" });
  });

  it("delete restores a file gatelock did not create to its exact original bytes", async () => {
    const file = path.join(dir, ".env");
    const user = "# mine\r\nUSER_VAR=1\r\n\r\nOTHER='x'\r\n";
    fs.writeFileSync(file, user);
    const outs = (await p.create({ path: file, entries: { A: "1", B: "{\"j\":1}" } })).outs!;
    await p.delete(file, outs);
    expect(fs.readFileSync(file, "utf8")).toBe(user);
  });

  it("delete removes a file gatelock created once nothing else is in it", async () => {
    const file = path.join(dir, ".env");
    const outs = (await p.create({ path: file, entries: { A: "1" } })).outs!;
    await p.delete(file, outs);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("delete keeps a file gatelock created when someone added lines to it", async () => {
    const file = path.join(dir, ".env");
    const outs = (await p.create({ path: file, entries: { A: "1" } })).outs!;
    fs.appendFileSync(file, "USER=1\n");
    await p.delete(file, outs);
    expect(fs.readFileSync(file, "utf8")).toBe("USER=1\n");
  });

  it("delete of a file that is already gone succeeds", async () => {
    await expect(p.delete("/x", { path: path.join(dir, "missing.env"), entries: { A: "1" }, created: true })).resolves.toBeUndefined();
  });

  it("two resources writing the same file at once both land (no lost update)", async () => {
    const file = path.join(dir, ".env");
    const keys = Array.from({ length: 8 }, (_, i) => `K${i}`);
    await Promise.all(keys.map((k) => p.create({ path: file, entries: { [k]: k.toLowerCase() } })));
    expect(nodeParse(fs.readFileSync(file, "utf8"))).toEqual(Object.fromEntries(keys.map((k) => [k, k.toLowerCase()])));
  });

  it("refuses to rewrite a file that is not UTF-8, and leaves it alone", async () => {
    const file = path.join(dir, ".env");
    const bytes = Buffer.from([0x41, 0x3d, 0xff, 0xfe, 0x0a]); // "A=" + invalid UTF-8
    fs.writeFileSync(file, bytes);
    await expect(p.create({ path: file, entries: { B: "1" } })).rejects.toThrow(/not valid UTF-8/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe("the provider survives Pulumi's serialisation", () => {
  it("installed as an npm package, serialised as `pulumi up` does it, it runs in a fresh process", () => {
    // Installed as gatelock is in a user's project, where only builtins may be required (see
    // test/harness/serialised-provider.ts); the provider and the private-file helpers it requires.
    const project = path.join(dir, "project");
    const serialised = serialiseInstalledProvider(project, ["components/dotenv/dotenv.ts", "components/files/private-files.ts"], "dotenvFileProvider");
    expectSelfContained(serialised.text);

    const target = path.join(project, ".env");
    fs.writeFileSync(target, "USER=1\n", { mode: 0o644 });
    const out = runInFreshHost(
      serialised,
      project,
      `const target = ${JSON.stringify(target)};
      const c = await provider.create({ path: target, entries: { A: "it's", B: "{\\"j\\":1}" } });
      const afterCreate = fs.readFileSync(target, "utf8");
      const u = await provider.update(c.id, c.outs, { path: target, entries: { B: "2" } });
      const afterUpdate = fs.readFileSync(target, "utf8");
      await provider.delete(c.id, u.outs);
      const afterDelete = fs.readFileSync(target, "utf8");
      return { outs: u.outs, afterCreate, afterUpdate, afterDelete };`,
    );
    expect(out.outs).toEqual({ path: target, entries: { B: "2" }, created: false });
    expect(nodeParse(out.afterCreate as string)).toEqual({ USER: "1", A: "it's", B: '{"j":1}' });
    expect(out.afterUpdate).toBe(`USER=1\n${MARKER}\nB=2\n`);
    expect(out.afterDelete).toBe("USER=1\n");
    expect(mode(target)).toBe(0o600);
  }, 60_000);
});
