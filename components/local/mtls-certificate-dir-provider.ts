/**
 * The `MtlsCertificateDir` dynamic provider: one client certificate where `zuplo dev
 * --mtls-certificates-dir <dir>` reads it, `<dir>/<name>/tls.crt` and `<dir>/<name>/tls.key`
 * (reference/zuplo-local.md), so that a route's `"mtlsCertificate": "<name>"` presents it.
 * The resource class is in mtls-certificate-dir.ts.
 *
 * Same design and safety as the dotenv sink (components/dotenv/dotenv.ts):
 * - paths are relative to `projectDir`, and only the relative `dir`/`name` identify the
 *   resource, so another checkout of the project manages the same files;
 * - files are written atomically (temporary file, fsync, rename, fsync the directory), the
 *   key 0600 from the moment it exists, directories gatelock creates 0700;
 * - a private key must never land in a file git would commit: before any write, `git
 *   check-ignore` must say both files are ignored (a tracked file never is). Outside a git
 *   repository only a directory under `.zuplo-local/` passes: where `zuplo dev` looks for
 *   local certificates by default, and which it warns about when git does not ignore it (the
 *   analogue of dotenv's conventional names). Not `.zuplo/`: the CLI rebuilds that folder;
 * - the key is never an output: a SHA-256 fingerprint (a Pulumi secret) is what diff compares.
 *   Errors name paths and properties, never the key or any line of it.
 *
 * SERIALISATION: Pulumi serialises the provider and runs it in another process, so it reaches
 * only function declarations and non-exported constants of this file and the private-file
 * helpers bound below (components/files/private-files.ts explains the rules).
 * test/local-mtls-certificate-dir.test.ts checks it.
 */
import type * as NodeCrypto from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as privateFiles from "../files/private-files";

// Bound once, at load: the methods capture these functions by value, not the module.
const { assertInsideProject, commitRisk, cryptoModule, fsModule, makeDirs, pathModule, removeEmptyDirs, sha256Fingerprint, writeAtomic } = privateFiles;

export interface MtlsCertificateDirInputs {
  /** Absolute directory of this checkout of the project. Not part of the resource's identity. */
  readonly projectDir: string;
  /** The `--mtls-certificates-dir`, relative to the project and inside it (e.g. `.zuplo-local/mtls`). */
  readonly dir: string;
  /** The certificate's name: the folder under `dir`, and the handler's `mtlsCertificate`. */
  readonly name: string;
  /** PEM certificate, optionally followed by its chain. */
  readonly certificate: string;
  /** PEM private key (a Pulumi secret; never an output). */
  readonly key: string;
}

export interface MtlsCertificateDirOutputs {
  readonly projectDir: string;
  readonly dir: string;
  readonly name: string;
  readonly certificate: string;
  /** `<dir>/<name>/tls.crt` and `<dir>/<name>/tls.key`, relative to the project. */
  readonly certificateFile: string;
  readonly keyFile: string;
  /** `sha256:<hex>` of the key: a Pulumi secret, so that a new key is seen without storing it. */
  readonly keyFingerprint: string;
}

/** `ResourceProvider` with every method this provider implements made non-optional. */
export interface MtlsCertificateDirProvider extends dynamic.ResourceProvider<MtlsCertificateDirInputs, MtlsCertificateDirOutputs> {
  check(olds: MtlsCertificateDirInputs, news: MtlsCertificateDirInputs): Promise<dynamic.CheckResult<MtlsCertificateDirInputs>>;
  diff(id: string, olds: MtlsCertificateDirOutputs, news: MtlsCertificateDirInputs): Promise<dynamic.DiffResult>;
  create(inputs: MtlsCertificateDirInputs): Promise<dynamic.CreateResult<MtlsCertificateDirOutputs>>;
  update(id: string, olds: MtlsCertificateDirOutputs, news: MtlsCertificateDirInputs): Promise<dynamic.UpdateResult<MtlsCertificateDirOutputs>>;
  delete(id: string, props: MtlsCertificateDirOutputs): Promise<void>;
}

/** How the dynamic provider host spells a value that is not known yet (preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The folder that passes outside a git repository (see the file comment). */
const SAFE_FOLDER = ".zuplo-local";

/** Reserved words (ES2023 + strict mode) and literals, as the Zuplo certificate provider refuses them. */
const RESERVED_WORDS: readonly string[] = [
  "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in", "instanceof", "interface",
  "let", "new", "null", "package", "private", "protected", "public", "return", "static", "super", "switch", "this", "throw",
  "true", "try", "typeof", "var", "void", "while", "with", "yield",
];

/** One PEM private-key block, any of the unencrypted kinds (PKCS#8, SEC1 EC, PKCS#1 RSA). */
const KEY_BLOCK = /^\s*-----BEGIN ((?:EC |RSA )?PRIVATE KEY)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----\s*$/;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Same rule as the Zuplo certificate store: an identifier of letters, digits and underscores (≤ 120). */
export function isCertificateName(name: unknown): name is string {
  return typeof name === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= 120 && !RESERVED_WORDS.includes(name);
}

/** `a/./b//` → `a/b`; undefined when the path is absolute, escapes the project or is the project itself. */
export function normaliseCertificateDir(dir: unknown): string | undefined {
  if (typeof dir !== "string" || dir.includes("\0") || /^[/\\]|^[A-Za-z]:/.test(dir) || dir.split(/[/\\]/).includes("..")) return undefined;
  const n = pathModule().posix.normalize(dir.replace(/\\/g, "/")).replace(/\/+$/, "");
  return n === "" || n === "." ? undefined : n;
}

/**
 * Why `certificate` and `key` may not be written, as check failures that never quote the
 * key (a private key pasted into `certificate` is not quoted either: it is a plain input).
 */
export function pemFailures(certificate: unknown, key: unknown): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  const c = cryptoModule();
  let certs: NodeCrypto.X509Certificate[] | undefined;
  if (certificate !== UNKNOWN) {
    const blocks = typeof certificate === "string" ? certificate.match(CERT_BLOCK) ?? [] : [];
    if (typeof certificate === "string" && /PRIVATE KEY/.test(certificate)) {
      failures.push({ property: "certificate", reason: "contains a private key block: pass the key in `key` (a secret), never in `certificate`" });
    } else if (blocks.length === 0) {
      failures.push({ property: "certificate", reason: "expected a PEM certificate (-----BEGIN CERTIFICATE-----), optionally followed by its chain" });
    } else {
      try {
        certs = blocks.map((b) => new c.X509Certificate(b));
      } catch {
        failures.push({ property: "certificate", reason: "a -----BEGIN CERTIFICATE----- block is not a valid X.509 certificate" });
      }
    }
  }
  if (key !== UNKNOWN) {
    let keyObject: NodeCrypto.KeyObject | undefined;
    if (typeof key !== "string" || !KEY_BLOCK.test(key)) {
      // An encrypted key is refused too: `zuplo dev` has no way to take its passphrase.
      failures.push({ property: "key", reason: "expected one unencrypted PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----)" });
    } else {
      try {
        keyObject = c.createPrivateKey({ key, format: "pem" });
      } catch {
        // OpenSSL's message is dropped: it is not known never to echo input.
        failures.push({ property: "key", reason: "the PEM private key could not be parsed" });
      }
    }
    // The gateway would fail the handshake at request time; say so at `pulumi up` instead.
    if (keyObject && certs && certs.length > 0 && !certs[0]!.checkPrivateKey(keyObject)) {
      failures.push({ property: "key", reason: "the private key does not match the first certificate in `certificate`" });
    }
  }
  return failures;
}

function inputFailures(news: Partial<Record<keyof MtlsCertificateDirInputs, unknown>>): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  const p = pathModule();
  if (news.projectDir !== UNKNOWN && (typeof news.projectDir !== "string" || !p.isAbsolute(news.projectDir))) {
    failures.push({ property: "projectDir", reason: "expected the project's absolute directory" });
  }
  if (news.dir !== UNKNOWN && normaliseCertificateDir(news.dir) === undefined) {
    failures.push({ property: "dir", reason: "expected a directory relative to the project and inside it (e.g. .zuplo-local/mtls)" });
  }
  if (news.name !== UNKNOWN && !isCertificateName(news.name)) {
    failures.push({ property: "name", reason: "expected a JavaScript identifier of letters, digits and underscores, at most 120 characters and not a reserved word (e.g. orders_backend_cert)" });
  }
  failures.push(...pemFailures(news.certificate, news.key));
  return failures;
}

/** `sha256:<hex>` of the key, line endings and surrounding space normalised (as ZuploMtlsCertificate does). */
function fingerprintKey(key: string): string {
  return sha256Fingerprint(key.replace(/\r\n/g, "\n").trim());
}

function relativeFiles(dir: string, name: string): { folder: string; certificateFile: string; keyFile: string } {
  const folder = `${normaliseCertificateDir(dir)}/${name}`;
  return { folder, certificateFile: `${folder}/tls.crt`, keyFile: `${folder}/tls.key` };
}

async function writeCertificate(inputs: MtlsCertificateDirInputs): Promise<MtlsCertificateDirOutputs> {
  const failures = inputFailures(inputs);
  if (failures.length > 0) throw new Error(`gatelock will not write the mTLS certificate: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  const dir = normaliseCertificateDir(inputs.dir)!;
  const files = relativeFiles(dir, inputs.name);
  // Before anything is created: mkdir under a symlinked parent would create outside the project.
  await assertInsideProject(inputs.projectDir, files.folder);
  const risk = commitRisk(inputs.projectDir, [files.keyFile, files.certificateFile], dir, SAFE_FOLDER);
  if (risk !== undefined) throw new Error(`gatelock will not write the mTLS private key: ${risk}`);
  await makeDirs(inputs.projectDir, files.folder);
  // Again: a symlink may have appeared meanwhile.
  await assertInsideProject(inputs.projectDir, files.folder);
  const p = pathModule();
  // Key first: a certificate without its key is never left behind by a crash in between.
  await writeAtomic(p.join(inputs.projectDir, files.keyFile), inputs.key, 0o600);
  await writeAtomic(p.join(inputs.projectDir, files.certificateFile), inputs.certificate, 0o644);
  return {
    projectDir: inputs.projectDir,
    dir,
    name: inputs.name,
    certificate: inputs.certificate,
    certificateFile: files.certificateFile,
    keyFile: files.keyFile,
    keyFingerprint: fingerprintKey(inputs.key),
  };
}

export const mtlsCertificateDirProvider: MtlsCertificateDirProvider = {
  async check(_olds, news) {
    const failures = inputFailures(news);
    if (failures.length === 0 && news.projectDir !== UNKNOWN && news.dir !== UNKNOWN && news.name !== UNKNOWN) {
      const dir = normaliseCertificateDir(news.dir)!;
      const files = relativeFiles(dir, news.name);
      const risk = commitRisk(news.projectDir, [files.keyFile, files.certificateFile], dir, SAFE_FOLDER);
      if (risk !== undefined) failures.push({ property: "dir", reason: risk });
    }
    return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id, olds, news) {
    const replaces: string[] = [];
    // Only the relative location names the files: another checkout's projectDir is the same
    // resource with nothing to do, as for DotenvFile.
    if (news.dir === UNKNOWN || normaliseCertificateDir(news.dir) !== normaliseCertificateDir(olds.dir)) replaces.push("dir");
    if (news.name !== olds.name) replaces.push("name");
    const keyChanged = typeof news.key !== "string" || news.key === UNKNOWN || fingerprintKey(news.key) !== olds.keyFingerprint;
    const changes = replaces.length > 0 || keyChanged || news.certificate !== olds.certificate;
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const outs = await writeCertificate(inputs);
    return { id: relativeFiles(outs.dir, outs.name).folder, outs };
  },

  async update(_id, _olds, news) {
    // A new dir or name is a replacement (see diff): this rewrites the same two files.
    return { outs: await writeCertificate(news) };
  },

  async delete(_id, props) {
    const p = pathModule();
    const files = relativeFiles(props.dir, props.name);
    for (const f of [files.keyFile, files.certificateFile]) await fsModule().promises.rm(p.join(props.projectDir, f), { force: true });
    await removeEmptyDirs(props.projectDir, files.folder);
  },
};
