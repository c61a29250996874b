/**
 * The private-file helpers the local dynamic providers share (components/files/private-files.ts):
 * git's verdict on a path, the atomic write's modes and symlink handling, the project
 * boundary, folder creation and removal. The providers' own tests run them serialised.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { gitIgnoreOracle } from "../components/dotenv/git-ignore";
import { assertInsideProject, commitRisk, gitCheckIgnore, makeDirs, removeEmptyDirs, sha256Fingerprint, writeAtomic } from "../components/files/private-files";

const ROOT = path.resolve(__dirname, "..");
const mode = (f: string) => fs.statSync(f).mode & 0o777;

let tmp: string;
let repo: string;
/** A folder no git repository contains, whatever is above the temporary directory. */
let nogit: string;
let ceiling: string | undefined;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-private-")));
  repo = path.join(tmp, "repo");
  nogit = path.join(tmp, "nogit");
  fs.mkdirSync(repo);
  fs.mkdirSync(nogit);
  execFileSync("git", ["init", "-q"], { cwd: repo });
  fs.writeFileSync(path.join(repo, ".gitignore"), ".gatelock/\n");
  ceiling = process.env.GIT_CEILING_DIRECTORIES;
  process.env.GIT_CEILING_DIRECTORIES = tmp; // spawnSync inherits it: git stops looking above tmp
});
afterEach(() => {
  vi.restoreAllMocks();
  if (ceiling === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
  else process.env.GIT_CEILING_DIRECTORIES = ceiling;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("gitCheckIgnore and commitRisk", () => {
  it("an ignored file passes", () => {
    expect(gitCheckIgnore(repo, ".gatelock/x/secret")).toBe("ignored");
    expect(commitRisk(repo, [".gatelock/x/secret", ".gatelock/x/other"], ".gatelock/x", ".gatelock")).toBeUndefined();
  });

  it("a file git would commit is refused, naming the file and the folder to ignore", () => {
    expect(gitCheckIgnore(repo, "certs/x/tls.key")).toBe("not-ignored");
    expect(commitRisk(repo, [".gatelock/x/secret", "certs/x/tls.key"], "certs", ".gatelock")).toBe("git would commit certs/x/tls.key: add certs/ to .gitignore (and untrack it if it is tracked)");
  });

  it("a tracked file is refused even though .gitignore covers it, and even under the safe folder", () => {
    fs.mkdirSync(path.join(repo, ".gatelock/x"), { recursive: true });
    fs.writeFileSync(path.join(repo, ".gatelock/x/secret"), "old\n");
    execFileSync("git", ["add", "-f", ".gatelock/x/secret"], { cwd: repo });
    expect(gitCheckIgnore(repo, ".gatelock/x/secret")).toBe("not-ignored");
    expect(commitRisk(repo, [".gatelock/x/secret"], ".gatelock/x", ".gatelock")).toMatch(/^git would commit \.gatelock\/x\/secret/);
  });

  it("outside git, only a file under the safe folder passes (not a folder that merely starts with its name)", () => {
    expect(gitCheckIgnore(nogit, ".zuplo-local/mtls/a/tls.key")).toBe("no-repo");
    expect(commitRisk(nogit, [".zuplo-local/mtls/a/tls.key"], ".zuplo-local/mtls", ".zuplo-local")).toBeUndefined();
    expect(commitRisk(nogit, [".zuplo-local/a/tls.key"], ".zuplo-local", ".zuplo-local")).toBeUndefined();
    for (const [file, dir] of [["certs/a/tls.key", "certs"], [".zuplo-local-old/a/tls.key", ".zuplo-local-old"]]) {
      expect(commitRisk(nogit, [file!], dir!, ".zuplo-local")).toBe(
        `${file} is not in a git repository (or git is missing) and not under .zuplo-local/: nothing keeps it out of source control; use a directory under .zuplo-local/, or one a .gitignore covers`,
      );
    }
  });

  it("the model's oracle asks the same question", () => {
    for (const [dir, f] of [[repo, ".gatelock/a"], [repo, "src/a"], [nogit, "a"]] as const) expect(gitIgnoreOracle(dir)(f)).toBe(gitCheckIgnore(dir, f));
    expect([gitIgnoreOracle(repo)(".gatelock/a"), gitIgnoreOracle(repo)("src/a"), gitIgnoreOracle(nogit)("a")]).toEqual(["ignored", "not-ignored", "no-repo"]);
  });
});

describe("writeAtomic", () => {
  it("gives exactly the mode asked for, 0600 or 0644, whatever the umask, and tightens a widened file", async () => {
    for (const umask of [0, 0o022, 0o077, 0o277]) {
      const old = process.umask(umask);
      try {
        for (const m of [0o600, 0o644]) {
          const file = path.join(tmp, `f-${umask.toString(8)}-${m.toString(8)}`);
          await writeAtomic(file, "v1", m);
          expect([umask, mode(file)]).toEqual([umask, m]);
          fs.chmodSync(file, 0o666);
          await writeAtomic(file, "v2", m);
          expect([umask, mode(file), fs.readFileSync(file, "utf8")]).toEqual([umask, m, "v2"]);
        }
      } finally {
        process.umask(old);
      }
    }
  });

  it("is never readable by others while it is written: the temporary file is created 0600 at most", async () => {
    const opened: number[] = [];
    const realOpen = fs.promises.open;
    vi.spyOn(fs.promises, "open").mockImplementation(((file: fs.PathLike, flags?: string | number, m?: number) => {
      if (flags === "wx") opened.push(m!);
      return realOpen(file, flags, m);
    }) as typeof fs.promises.open);
    await writeAtomic(path.join(tmp, "f"), "x", 0o644);
    expect(opened).toEqual([0o600]);
  });

  it("replaces a symlink at the file by default: the link's target is untouched", async () => {
    const victim = path.join(nogit, "victim");
    fs.writeFileSync(victim, "victim\n");
    const link = path.join(tmp, "secret");
    fs.symlinkSync(victim, link);
    await writeAtomic(link, "secret\n", 0o600);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(link, "utf8")).toBe("secret\n");
    expect(fs.readFileSync(victim, "utf8")).toBe("victim\n");
  });

  it("with followSymlink, the link stays and its target is replaced, with the mode", async () => {
    const real = path.join(nogit, "real.env");
    fs.writeFileSync(real, "OLD=1\n", { mode: 0o644 });
    const link = path.join(tmp, ".env");
    fs.symlinkSync(real, link);
    await writeAtomic(link, "NEW=1\n", 0o600, { followSymlink: true });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, "utf8")).toBe("NEW=1\n");
    expect(mode(real)).toBe(0o600);
    expect(fs.readdirSync(nogit)).toEqual(["real.env"]); // the temporary file was next to the target
  });

  it("a failed rename or write leaves the old file as it was and no temporary file", async () => {
    const file = path.join(tmp, "secret");
    fs.writeFileSync(file, "ORIGINAL\n");
    const before = fs.readdirSync(tmp).sort();
    vi.spyOn(fs.promises, "rename").mockRejectedValueOnce(Object.assign(new Error("EIO: simulated"), { code: "EIO" }));
    await expect(writeAtomic(file, "NEW\n", 0o600)).rejects.toThrow(/simulated/);
    expect(fs.readFileSync(file, "utf8")).toBe("ORIGINAL\n");
    expect(fs.readdirSync(tmp).sort()).toEqual(before);

    const probe = await fs.promises.open(path.join(nogit, "probe"), "w");
    const handleProto = Object.getPrototypeOf(probe) as { writeFile: () => Promise<void> };
    await probe.close();
    vi.spyOn(handleProto, "writeFile").mockRejectedValueOnce(Object.assign(new Error("ENOSPC: simulated"), { code: "ENOSPC" }));
    await expect(writeAtomic(file, "NEW\n", 0o600)).rejects.toThrow(/simulated/);
    expect(fs.readFileSync(file, "utf8")).toBe("ORIGINAL\n");
    expect(fs.readdirSync(tmp).sort()).toEqual(before);
  });
});

describe("makeDirs, assertInsideProject, removeEmptyDirs", () => {
  it("makeDirs creates each missing folder 0700 whatever the umask, and leaves existing ones alone", async () => {
    for (const umask of [0, 0o277]) {
      const root = path.join(repo, `u${umask.toString(8)}`);
      fs.mkdirSync(path.join(root, "kept"), { recursive: true });
      fs.chmodSync(path.join(root, "kept"), 0o755);
      const old = process.umask(umask);
      try {
        await makeDirs(root, "kept/a/b");
        await makeDirs(root, "kept/a/b"); // again: nothing to do
      } finally {
        process.umask(old);
      }
      expect([umask, ...["kept", "kept/a", "kept/a/b"].map((d) => mode(path.join(root, d)))]).toEqual([umask, 0o755, 0o700, 0o700]);
    }
  });

  it("assertInsideProject accepts folders that do not exist yet, and a link that stays inside", async () => {
    await expect(assertInsideProject(repo, ".gatelock/a/b")).resolves.toBeUndefined();
    fs.mkdirSync(path.join(repo, "inside"));
    fs.symlinkSync(path.join(repo, "inside"), path.join(repo, "link"));
    await expect(assertInsideProject(repo, "link/new/deeper")).resolves.toBeUndefined();
  });

  it("assertInsideProject refuses a folder, or any parent of it, symlinked out of the project, naming only the folder", async () => {
    fs.mkdirSync(path.join(repo, ".gatelock"));
    fs.symlinkSync(nogit, path.join(repo, ".gatelock", "out"));
    for (const folder of [".gatelock/out", ".gatelock/out/a", ".gatelock/out/a/b"]) {
      await expect(assertInsideProject(repo, folder), folder).rejects.toThrow(`gatelock will not write ${folder}: it resolves outside the project (a symlink)`);
    }
    expect(fs.readdirSync(nogit)).toEqual([]);
  });

  it("removeEmptyDirs removes empty folders deepest first and stops at one that holds anything", async () => {
    fs.mkdirSync(path.join(repo, "a/b/c"), { recursive: true });
    fs.mkdirSync(path.join(repo, "a/other"));
    await removeEmptyDirs(repo, "a/b/c");
    expect(fs.readdirSync(path.join(repo, "a"))).toEqual(["other"]);
    await removeEmptyDirs(repo, "a/b/c"); // already gone: fine
    fs.rmdirSync(path.join(repo, "a/other"));
    await removeEmptyDirs(repo, "a/b/c");
    expect(fs.existsSync(path.join(repo, "a"))).toBe(false);
  });
});

describe("the module serialises by value", () => {
  it("sha256Fingerprint is sha256:<hex> of the UTF-8 text", () => {
    expect(sha256Fingerprint("pässword")).toBe(`sha256:${crypto.createHash("sha256").update("pässword", "utf8").digest("hex")}`);
  });

  it("compiled, it reads `exports.x` only where it defines x, and requires nothing but through builtin()", () => {
    // tsc compiles a reference to an `export const` to `exports.x`, which makes Pulumi
    // capture the whole module: only `exports.x = x;` (a function's definition) may appear.
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const js = ts.transpileModule(fs.readFileSync(path.join(ROOT, "components/files/private-files.ts"), "utf8"), { compilerOptions: { ...config.options, sourceMap: false, declaration: false } }).outputText;
    const uses = js.match(/exports\.\w+/g) ?? [];
    const definitions = js.match(/^exports\.(\w+) = \1;$/gm) ?? [];
    expect(definitions.length).toBeGreaterThan(5);
    expect(uses).toHaveLength(definitions.length);
    expect([...js.matchAll(/require\(([^)]*)\)/g)].map((m) => m[1])).toEqual(["id"]);
  });
});
