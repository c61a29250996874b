/**
 * The `DockerTunnelFiles` dynamic provider: a tunnel connector's files for a plain Docker host,
 * `<dir>/<name>/tunnel-token` (the env file `TUNNEL_TOKEN=<token>`, mode 0600) and the compose
 * file or systemd unit next to it (rendered by documents/docker-tunnel.ts; it never holds the
 * token). The resource class is in tunnel-files.ts.
 *
 * Same design and safety as the local mTLS certificate directory
 * (components/local/mtls-certificate-dir-provider.ts):
 * - paths are relative to `projectDir`, and only the relative `dir`/`name` identify the
 *   resource, so another checkout of the project manages the same files;
 * - files are written atomically (temporary file, fsync, rename, fsync the directory), the
 *   token 0600 from the moment it exists, directories gatelock creates 0700;
 * - the token must never land in a file git would commit: before any write, `git check-ignore`
 *   must say both files are ignored (a tracked file never is). Outside a git repository only
 *   gatelock's own folder `.gatelock/` passes (the folder gatelock's docs tell every project
 *   to ignore): no convention keeps any other folder of a Docker host's files out of source
 *   control;
 * - the token is never an output: a SHA-256 fingerprint (a Pulumi secret) is what diff
 *   compares. Errors name paths and properties, never the token.
 *
 * SERIALISATION: Pulumi serialises the provider and runs it in another process, so it reaches
 * only function declarations and non-exported constants of this file and the private-file
 * helpers bound below (components/files/private-files.ts explains the rules).
 * test/tunnel-docker.test.ts checks it.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as privateFiles from "../files/private-files";

// Bound once, at load: the methods capture these functions by value, not the module.
const { assertInsideProject, commitRisk, fsModule, makeDirs, pathModule, removeEmptyDirs, sha256Fingerprint, writeAtomic } = privateFiles;

export interface DockerTunnelFilesInputs {
  /** Absolute directory of this checkout of the project. Not part of the resource's identity. */
  readonly projectDir: string;
  /** Where the connectors' folders are, relative to the project and inside it (e.g. `.gatelock/tunnel`). */
  readonly dir: string;
  /** The tunnel's name: this connector's folder under `dir`. */
  readonly name: string;
  /** The compose file's or unit's name in that folder (`compose.yaml`, `gatelock-tunnel-<t>@.service`). */
  readonly configFile: string;
  /** Its text; never holds the token. */
  readonly content: string;
  /** The tunnel's token (a Pulumi secret; never an output). */
  readonly token: string;
}

export interface DockerTunnelFilesOutputs {
  readonly projectDir: string;
  readonly dir: string;
  readonly name: string;
  readonly configFile: string;
  readonly content: string;
  /** `<dir>/<name>/<configFile>` and `<dir>/<name>/tunnel-token`, relative to the project. */
  readonly configPath: string;
  readonly tokenPath: string;
  /** `sha256:<hex>` of the token: a Pulumi secret, so that a new token is seen without storing it. */
  readonly tokenFingerprint: string;
}

/** `ResourceProvider` with every method this provider implements made non-optional. */
export interface DockerTunnelFilesProvider extends dynamic.ResourceProvider<DockerTunnelFilesInputs, DockerTunnelFilesOutputs> {
  check(olds: DockerTunnelFilesInputs, news: DockerTunnelFilesInputs): Promise<dynamic.CheckResult<DockerTunnelFilesInputs>>;
  diff(id: string, olds: DockerTunnelFilesOutputs, news: DockerTunnelFilesInputs): Promise<dynamic.DiffResult>;
  create(inputs: DockerTunnelFilesInputs): Promise<dynamic.CreateResult<DockerTunnelFilesOutputs>>;
  update(id: string, olds: DockerTunnelFilesOutputs, news: DockerTunnelFilesInputs): Promise<dynamic.UpdateResult<DockerTunnelFilesOutputs>>;
  delete(id: string, props: DockerTunnelFilesOutputs): Promise<void>;
}

/** How the dynamic provider host spells a value that is not known yet (preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The env file's name (documents/docker-tunnel.ts `TOKEN_FILE`; a copy, as this file may import nothing). */
const TOKEN_FILE = "tunnel-token";
/** The compose file or unit is a page of text; anything much larger is a mistake. */
const MAX_CONTENT = 64 * 1024;
/** The folder that passes outside a git repository (see the file comment). */
const SAFE_FOLDER = ".gatelock";

/** Zuplo's tunnel names. */
export function isTunnelFolderName(name: unknown): name is string {
  return typeof name === "string" && /^[a-zA-Z0-9-]{3,24}$/.test(name);
}

/** A plain file name in the connector's folder, not a hidden file and not the token file. */
export function isConfigFileName(name: unknown): name is string {
  return typeof name === "string" && /^[A-Za-z0-9][A-Za-z0-9@._-]{0,99}$/.test(name) && name !== TOKEN_FILE;
}

/**
 * The token as an env file line can carry it, read the same by `docker --env-file` and by
 * compose's `env_file` (which interpolates `$` and strips quotes): base64 or base64url
 * characters on one line. A Zuplo (Cloudflare) tunnel token is base64.
 */
export function isTokenWritable(token: unknown): token is string {
  return typeof token === "string" && /^[A-Za-z0-9+/=_.-]{1,8192}$/.test(token);
}

/** `a/./b//` → `a/b`; undefined when the path is absolute, escapes the project or is the project itself. */
export function normaliseTunnelDir(dir: unknown): string | undefined {
  if (typeof dir !== "string" || dir.includes("\0") || /^[/\\]|^[A-Za-z]:/.test(dir) || dir.split(/[/\\]/).includes("..")) return undefined;
  const n = pathModule().posix.normalize(dir.replace(/\\/g, "/")).replace(/\/+$/, "");
  return n === "" || n === "." ? undefined : n;
}

function inputFailures(news: Partial<Record<keyof DockerTunnelFilesInputs, unknown>>): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  if (news.projectDir !== UNKNOWN && (typeof news.projectDir !== "string" || !pathModule().isAbsolute(news.projectDir))) {
    failures.push({ property: "projectDir", reason: "expected the project's absolute directory" });
  }
  if (news.dir !== UNKNOWN && normaliseTunnelDir(news.dir) === undefined) {
    failures.push({ property: "dir", reason: "expected a directory relative to the project and inside it (e.g. .gatelock/tunnel)" });
  }
  if (news.name !== UNKNOWN && !isTunnelFolderName(news.name)) {
    failures.push({ property: "name", reason: "expected the tunnel's name: 3-24 letters, digits and dashes" });
  }
  if (news.configFile !== UNKNOWN && !isConfigFileName(news.configFile)) {
    failures.push({ property: "configFile", reason: `expected a plain file name (letters, digits, @ . _ -), not ${TOKEN_FILE}` });
  }
  if (news.content !== UNKNOWN && (typeof news.content !== "string" || news.content.length > MAX_CONTENT)) {
    failures.push({ property: "content", reason: `expected the compose file's or unit's text, at most ${MAX_CONTENT} characters` });
  }
  if (news.token !== UNKNOWN && !isTokenWritable(news.token)) {
    failures.push({ property: "token", reason: "expected the tunnel's token: one line of base64 characters (A-Z a-z 0-9 + / = _ . -)" });
  }
  // The content is a plain input, stored and shown in diffs: it must never carry the token.
  if (typeof news.content === "string" && isTokenWritable(news.token) && news.token !== UNKNOWN && news.content.includes(news.token)) {
    failures.push({ property: "content", reason: "contains the tunnel's token: it belongs in the token file only" });
  }
  return failures;
}

function relativeFiles(dir: string, name: string, configFile: string): { folder: string; configPath: string; tokenPath: string } {
  const folder = `${normaliseTunnelDir(dir)}/${name}`;
  return { folder, configPath: `${folder}/${configFile}`, tokenPath: `${folder}/${TOKEN_FILE}` };
}

async function writeFiles(inputs: DockerTunnelFilesInputs): Promise<DockerTunnelFilesOutputs> {
  const failures = inputFailures(inputs);
  if (failures.length > 0) throw new Error(`gatelock will not write the tunnel connector's files: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  const dir = normaliseTunnelDir(inputs.dir)!;
  const files = relativeFiles(dir, inputs.name, inputs.configFile);
  // Before anything is created: mkdir under a symlinked parent would create outside the project.
  await assertInsideProject(inputs.projectDir, files.folder);
  const risk = commitRisk(inputs.projectDir, [files.tokenPath, files.configPath], dir, SAFE_FOLDER);
  if (risk !== undefined) throw new Error(`gatelock will not write the tunnel token: ${risk}`);
  await makeDirs(inputs.projectDir, files.folder);
  // Again: a symlink may have appeared meanwhile.
  await assertInsideProject(inputs.projectDir, files.folder);
  const p = pathModule();
  // Token first: a compose file or unit is never left pointing at a missing token by a crash.
  await writeAtomic(p.join(inputs.projectDir, files.tokenPath), `TUNNEL_TOKEN=${inputs.token}\n`, 0o600);
  await writeAtomic(p.join(inputs.projectDir, files.configPath), inputs.content, 0o644);
  return {
    projectDir: inputs.projectDir,
    dir,
    name: inputs.name,
    configFile: inputs.configFile,
    content: inputs.content,
    configPath: files.configPath,
    tokenPath: files.tokenPath,
    tokenFingerprint: sha256Fingerprint(inputs.token),
  };
}

export const dockerTunnelFilesProvider: DockerTunnelFilesProvider = {
  async check(_olds, news) {
    const failures = inputFailures(news);
    if (failures.length === 0 && news.projectDir !== UNKNOWN && news.dir !== UNKNOWN && news.name !== UNKNOWN && news.configFile !== UNKNOWN) {
      const dir = normaliseTunnelDir(news.dir)!;
      const files = relativeFiles(dir, news.name, news.configFile);
      const risk = commitRisk(news.projectDir, [files.tokenPath, files.configPath], dir, SAFE_FOLDER);
      if (risk !== undefined) failures.push({ property: "dir", reason: risk });
    }
    return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id, olds, news) {
    const replaces: string[] = [];
    // Only the relative location names the files: another checkout's projectDir is the same
    // resource (its unit's absolute paths, if any, show up as a content change).
    if (news.dir === UNKNOWN || normaliseTunnelDir(news.dir) !== normaliseTunnelDir(olds.dir)) replaces.push("dir");
    if (news.name !== olds.name) replaces.push("name");
    const tokenChanged = typeof news.token !== "string" || news.token === UNKNOWN || sha256Fingerprint(news.token) !== olds.tokenFingerprint;
    const changes = replaces.length > 0 || tokenChanged || news.content !== olds.content || news.configFile !== olds.configFile;
    // Delete first: on a file system that ignores case, the old and new folders may be one,
    // and deleting the old after would remove the new token.
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
  },

  async create(inputs) {
    const outs = await writeFiles(inputs);
    return { id: relativeFiles(outs.dir, outs.name, outs.configFile).folder, outs };
  },

  async update(_id, olds, news) {
    // A new dir or name is a replacement (see diff): this rewrites the same folder.
    const outs = await writeFiles(news);
    // From compose to systemd or back: the other file goes, the token file stays.
    if (olds.configFile !== outs.configFile && isConfigFileName(olds.configFile)) {
      await fsModule().promises.rm(pathModule().join(news.projectDir, relativeFiles(olds.dir, olds.name, olds.configFile).configPath), { force: true });
    }
    return { outs };
  },

  async delete(_id, props) {
    const p = pathModule();
    const files = relativeFiles(props.dir, props.name, props.configFile);
    for (const f of [files.configPath, files.tokenPath]) await fsModule().promises.rm(p.join(props.projectDir, f), { force: true });
    await removeEmptyDirs(props.projectDir, files.folder);
  },
};
