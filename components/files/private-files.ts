/**
 * Writing private files (keys, tokens, dotenv secrets) into a user's project, shared by the
 * local dynamic providers: the dotenv sink (dotenv/dotenv.ts), the local mTLS certificate
 * directory (local/mtls-certificate-dir-provider.ts) and the Docker tunnel files
 * (docker/tunnel-files-provider.ts).
 *
 * SERIALISATION: Pulumi serialises those providers and runs them in another process, where no
 * gatelock module can be required. So, as zuplo/client.ts for the Zuplo providers:
 * - a provider binds these functions to module-scope locals once, at load
 *   (`const { writeAtomic } = privateFiles;`), never calls `privateFiles.writeAtomic(…)`: a
 *   captured module object serialises as a `require` of this file, a captured function as its
 *   own code (with the function declarations it calls, by value too);
 * - here: `function` declarations and non-exported constants only (an `export const`
 *   referenced inside a function compiles to `exports.x`, which captures the whole module),
 *   and Node builtins only through `builtin()`.
 * The providers' tests serialise them and run them where no gatelock module exists.
 *
 * Errors name paths, never what is written: that is a secret.
 */
import type * as NodeChildProcess from "node:child_process";
import type * as NodeCrypto from "node:crypto";
import type * as NodeFs from "node:fs";
import type * as NodePath from "node:path";

/** A global, not an import: vitest wraps imports in objects Pulumi's serialiser cannot capture. */
function builtin(id: string): unknown {
  const p = process as unknown as { getBuiltinModule?: (id: string) => unknown };
  return p.getBuiltinModule ? p.getBuiltinModule(id) : require(id);
}
export function fsModule(): typeof NodeFs {
  return builtin("node:fs") as typeof NodeFs;
}
export function pathModule(): typeof NodePath {
  return builtin("node:path") as typeof NodePath;
}
export function cryptoModule(): typeof NodeCrypto {
  return builtin("node:crypto") as typeof NodeCrypto;
}
function childProcessModule(): typeof NodeChildProcess {
  return builtin("node:child_process") as typeof NodeChildProcess;
}

/** `sha256:<hex>`: lets diff see a new secret without the state storing it. */
export function sha256Fingerprint(text: string): string {
  return `sha256:${cryptoModule().createHash("sha256").update(text, "utf8").digest("hex")}`;
}

/**
 * `git check-ignore` in `projectDir`: "ignored" (exit 0); "not-ignored" (1: git would commit
 * it, which a tracked file always is, whatever `.gitignore` says); "no-repo" for anything else
 * (no repository, no git, a path beyond a symlink).
 */
export function gitCheckIgnore(projectDir: string, relativePath: string): "ignored" | "not-ignored" | "no-repo" {
  const r = childProcessModule().spawnSync("git", ["check-ignore", "-q", "--", relativePath], { cwd: projectDir, stdio: "ignore", timeout: 10_000 });
  return r.status === 0 ? "ignored" : r.status === 1 ? "not-ignored" : "no-repo";
}

/**
 * Why git might commit `files` (relative to `projectDir`, all under `dir`), or undefined when
 * they may be written. Only git's answer counts; without one, only a file under `safeFolder`
 * passes: the folder the docs tell every project to ignore (`.gatelock`, `.zuplo-local`).
 */
export function commitRisk(projectDir: string, files: readonly string[], dir: string, safeFolder: string): string | undefined {
  for (const f of files) {
    const answer = gitCheckIgnore(projectDir, f);
    if (answer === "ignored") continue;
    if (answer === "not-ignored") return `git would commit ${f}: add ${dir}/ to .gitignore (and untrack it if it is tracked)`;
    if (f.startsWith(`${safeFolder}/`)) continue;
    return `${f} is not in a git repository (or git is missing) and not under ${safeFolder}/: nothing keeps it out of source control; use a directory under ${safeFolder}/, or one a .gitignore covers`;
  }
  return undefined;
}

/**
 * Refuse a folder (relative to `projectDir`) that a symlink sends outside the project: a
 * secret would be written there. Judged on the deepest part of it that exists, so it can run
 * before anything is created: `mkdir` under a symlinked parent would create outside too.
 */
export async function assertInsideProject(projectDir: string, folder: string): Promise<void> {
  const p = pathModule();
  const root = await fsModule().promises.realpath(projectDir);
  const segments = folder.split("/");
  for (let n = segments.length; n >= 0; n--) {
    let real: string;
    try {
      real = await fsModule().promises.realpath(p.join(projectDir, ...segments.slice(0, n)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
    if (real !== root && !real.startsWith(root + p.sep)) throw new Error(`gatelock will not write ${folder}: it resolves outside the project (a symlink)`);
    return;
  }
}

/** Create the missing folders of `relative` (`a/b/c`) under `root`, each 0700 whatever the umask. */
export async function makeDirs(root: string, relative: string): Promise<void> {
  const p = pathModule();
  let at = root;
  for (const segment of relative.split("/")) {
    at = p.join(at, segment);
    try {
      await fsModule().promises.mkdir(at, { mode: 0o700 });
      await fsModule().promises.chmod(at, 0o700);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

/**
 * Replace `file` by rename: a reader sees the old file or the new one, never a torn write. The
 * temporary file is never wider than `mode` (0600 at most until chmod gives it exactly `mode`,
 * whatever the umask), and is removed if anything fails, leaving the old file as it was.
 * A symlink at `file` is replaced, so a secret goes where the reader looks and nowhere else;
 * with `followSymlink` (a user's own linked `.env`) the link stays and its target is replaced.
 */
export async function writeAtomic(file: string, text: string, mode: number, options: { readonly followSymlink?: boolean } = {}): Promise<void> {
  const p = pathModule();
  const target = options.followSymlink ? await symlinkTarget(file) : file;
  const dir = p.dirname(target);
  const tmp = p.join(dir, `.${p.basename(target)}.${process.pid}.${cryptoModule().randomBytes(6).toString("hex")}.tmp`);
  let renamed = false;
  try {
    const handle = await fsModule().promises.open(tmp, "wx", mode & 0o600);
    try {
      await handle.chmod(mode);
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsModule().promises.rename(tmp, target);
    renamed = true;
  } finally {
    if (!renamed) await fsModule().promises.rm(tmp, { force: true });
  }
  await syncDirectory(dir);
}

async function symlinkTarget(path: string): Promise<string> {
  try {
    return (await fsModule().promises.lstat(path)).isSymbolicLink() ? await fsModule().promises.realpath(path) : path;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return path;
    throw e;
  }
}

/** Makes the rename itself durable. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: NodeFs.promises.FileHandle | undefined;
  try {
    handle = await fsModule().promises.open(dir, "r");
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

/**
 * Remove the folders of `relative` under `root`, deepest first, while they are empty: other
 * resources' folders, or anything a user put there, stay.
 */
export async function removeEmptyDirs(root: string, relative: string): Promise<void> {
  const segments = relative.split("/");
  for (let n = segments.length; n > 0; n--) {
    if (!(await removeIfEmpty(pathModule().join(root, ...segments.slice(0, n))))) return;
  }
}

async function removeIfEmpty(folder: string): Promise<boolean> {
  try {
    await fsModule().promises.rmdir(folder);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return true;
    if (code === "ENOTEMPTY" || code === "EEXIST") return false;
    throw e;
  }
}
