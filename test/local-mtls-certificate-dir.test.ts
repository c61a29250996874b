/**
 * The local mTLS sink: `<dir>/<name>/tls.crt` and `tls.key` where `zuplo dev
 * --mtls-certificates-dir` reads them, written in a real git repository with real keys, and
 * the rule that the provider survives Pulumi's serialisation (as test/dotenv.test.ts).
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gitIgnoreOracle } from "../components/dotenv/git-ignore";
import { runUnderMocks } from "../components/testing/engine";
import { isSecretValue, reveal } from "../components/testing/fakes";
import { MTLS_CERTIFICATE_DIR_TYPE, MtlsCertificateDir, mtlsCertificateDirProblem, mtlsCertificateDirProvider as p } from "../components/local/mtls-certificate-dir";
import { isCertificateName as providerIsName, mtlsCertificateDirProvider as providerFromFile, normaliseCertificateDir as providerNormalise } from "../components/local/mtls-certificate-dir-provider";
import { isCertificateName as modelIsName, normaliseCertificateDir as modelNormalise } from "../components/model/mtls/certificate-dir";
import { expectSelfContained, runInFreshHost, serialiseInstalledProvider } from "./harness/serialised-provider";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const mode = (f: string) => fs.statSync(f).mode & 0o777;

/** A key and self-signed client certificate from the openssl CLI, in a scratch directory. */
function issue(scratch: string, cn: string): { key: string; certificate: string } {
  const keyFile = path.join(scratch, `${cn}.key`);
  const certFile = path.join(scratch, `${cn}.crt`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "30", "-subj", `/CN=${cn}`], { stdio: "ignore" });
  return { key: fs.readFileSync(keyFile, "utf8"), certificate: fs.readFileSync(certFile, "utf8") };
}

let scratch: string;
let one: { key: string; certificate: string };
let two: { key: string; certificate: string };
/** A second certificate in the chain position: any valid certificate will do for the file. */
let chain: string;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-pki-"));
  one = issue(scratch, "gateway_one");
  two = issue(scratch, "gateway_two");
  chain = one.certificate + issue(scratch, "issuer").certificate;
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let project: string;
beforeEach(() => {
  project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-")));
  execFileSync("git", ["init", "-q"], { cwd: project });
  fs.writeFileSync(path.join(project, ".gitignore"), ".zuplo-local/\n.env\n");
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

const inputs = (over: Partial<Record<string, string>> = {}) => ({ projectDir: project, dir: ".zuplo-local/mtls", name: "orders_cert", certificate: one.certificate, key: one.key, ...over });

/** Every base64 line of a key: none may appear anywhere the key could leak to. */
const keyLines = (key: string) => key.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
function expectNoKey(text: string, key: string): void {
  for (const line of keyLines(key)) expect(text).not.toContain(line);
}

describe("MtlsCertificateDir provider", () => {
  it("applies the model's rule (the serialised provider keeps its own copy): they agree on every name and directory", () => {
    const names = ["orders_mtls", "_x", "A1", "class", "yield", "await_", "1abc", "has-dash", "dot.ted", "", "x".repeat(120), "x".repeat(121), "ünïcode", "with space", null, 42];
    const dirs = [".zuplo-local/mtls", ".zuplo-local/mtls/", "a/./b//", "/abs", "C:\\x", "..", "a/../b", "a\\b", ".", "", "a\0b", "./.zuplo", undefined];
    for (const n of names) expect([n, providerIsName(n)]).toEqual([n, modelIsName(n)]);
    for (const d of dirs) expect([d, providerNormalise(d)]).toEqual([d, modelNormalise(d)]);
  });

  it("is the provider file's provider, exported under the resource's names", () => {
    expect(p).toBe(providerFromFile);
    expect(MTLS_CERTIFICATE_DIR_TYPE).toBe("MtlsCertificateDir");
  });

  it("create writes <dir>/<name>/tls.crt and tls.key exactly, key 0600, folders 0700, whatever the umask", async () => {
    const umask = process.umask(0);
    let r;
    try {
      r = await p.create(inputs({ certificate: chain }));
    } finally {
      process.umask(umask);
    }
    const folder = path.join(project, ".zuplo-local", "mtls", "orders_cert");
    expect(r.id).toBe(".zuplo-local/mtls/orders_cert");
    expect(fs.readFileSync(path.join(folder, "tls.crt"), "utf8")).toBe(chain);
    expect(fs.readFileSync(path.join(folder, "tls.key"), "utf8")).toBe(one.key);
    expect(mode(path.join(folder, "tls.key"))).toBe(0o600);
    expect(mode(path.join(folder, "tls.crt"))).toBe(0o644);
    for (const d of [".zuplo-local", ".zuplo-local/mtls", ".zuplo-local/mtls/orders_cert"]) expect(mode(path.join(project, d))).toBe(0o700);
    expect(fs.readdirSync(folder).sort()).toEqual(["tls.crt", "tls.key"]); // no temporary file left
    // What node's TLS stack (and so a Deno/rustls reader of the same PEM) accepts as a pair.
    expect(new crypto.X509Certificate(fs.readFileSync(path.join(folder, "tls.crt"))).checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(path.join(folder, "tls.key"))))).toBe(true);
    expect(r.outs).toEqual({
      projectDir: project,
      dir: ".zuplo-local/mtls",
      name: "orders_cert",
      certificate: chain,
      certificateFile: ".zuplo-local/mtls/orders_cert/tls.crt",
      keyFile: ".zuplo-local/mtls/orders_cert/tls.key",
      keyFingerprint: `sha256:${crypto.createHash("sha256").update(one.key.trim()).digest("hex")}`,
    });
    expectNoKey(JSON.stringify(r), one.key);
  });

  it("a directory git does not ignore is refused before anything is written, naming the path", async () => {
    const bad = inputs({ dir: "certs" });
    const c = await p.check({} as never, bad);
    expect(c.failures).toEqual([{ property: "dir", reason: expect.stringContaining("git would commit certs/orders_cert/tls.key") }]);
    await expect(p.create(bad)).rejects.toThrow(/git would commit certs\/orders_cert\/tls\.key/);
    expect(fs.existsSync(path.join(project, "certs"))).toBe(false);
    // The model-side question with the dotenv targets' oracle gives the same answer.
    expect(mtlsCertificateDirProblem("certs", "orders_cert", gitIgnoreOracle(project))).toEqual({ kind: "not-ignored", path: "certs/orders_cert/tls.key" });
    expect(mtlsCertificateDirProblem(".zuplo-local/mtls", "orders_cert", gitIgnoreOracle(project))).toBeUndefined();
  });

  it("a tracked file never passes, whatever .gitignore says", async () => {
    const folder = path.join(project, ".zuplo-local", "mtls", "orders_cert");
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, "tls.key"), "placeholder\n");
    execFileSync("git", ["add", "-f", ".zuplo-local/mtls/orders_cert/tls.key"], { cwd: project });
    await expect(p.create(inputs())).rejects.toThrow(/git would commit \.zuplo-local\/mtls\/orders_cert\/tls\.key/);
    expect(fs.readFileSync(path.join(folder, "tls.key"), "utf8")).toBe("placeholder\n");
  });

  it("outside a git repository only a directory under .zuplo-local/ passes", async () => {
    const plain = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-nogit-")));
    try {
      // Meaningful only when tmpdir is not itself inside a repository.
      const insideRepo = execFileSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: plain, stdio: ["ignore", "pipe", "ignore"] }).toString().trim() === "true";
      if (insideRepo) return;
    } catch {
      // not a repository: the case under test
    }
    try {
      await expect(p.create({ ...inputs(), projectDir: plain, dir: "certs" })).rejects.toThrow(/certs\/orders_cert\/tls\.key is not in a git repository/);
      const r = await p.create({ ...inputs(), projectDir: plain });
      expect(fs.readFileSync(path.join(plain, r.outs!.keyFile), "utf8")).toBe(one.key);
      expect(mtlsCertificateDirProblem("certs", "x", gitIgnoreOracle(plain))).toEqual({ kind: "no-repo", path: "certs/x/tls.key" });
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });

  it("check refuses bad names, dirs outside the project and a relative projectDir; lets unknowns through", async () => {
    const props = async (over: object) => ((await p.check({} as never, { ...inputs(), ...over } as never)).failures ?? []).map((f) => f.property);
    for (const name of ["1cert", "my-cert", "my cert", "class", "a/b", "..", "", "x".repeat(121), "é"]) expect(await props({ name }), name).toEqual(["name"]);
    for (const name of ["orders_cert", "_x", "Cert2"]) expect(await props({ name }), name).toEqual([]);
    for (const dir of ["../mtls", "/etc/mtls", ".zuplo-local/../../x", ".", "", "C:\\x"]) expect(await props({ dir }), dir).toEqual(["dir"]);
    expect(await props({ projectDir: "relative" })).toContain("projectDir");
    expect(await props({ projectDir: UNKNOWN, dir: UNKNOWN, name: UNKNOWN, certificate: UNKNOWN, key: UNKNOWN })).toEqual([]);
    await expect(p.create(inputs({ name: "my-cert" }))).rejects.toThrow(/name: expected a JavaScript identifier/);
    expect(fs.existsSync(path.join(project, ".zuplo-local"))).toBe(false);
  });

  it("refuses a key that is not an unencrypted PEM private key, a certificate holding a key, and a mismatched pair, never quoting the key", async () => {
    const props = async (over: object) => (await p.check({} as never, { ...inputs(), ...over } as never)).failures ?? [];
    const encrypted = crypto.generateKeyPairSync("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const cases: Array<[object, string]> = [
      [{ key: one.certificate }, "key"],
      [{ key: encrypted.privateKey }, "key"],
      [{ key: encrypted.publicKey }, "key"],
      [{ key: one.key.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!") }, "key"],
      [{ key: one.key + one.key }, "key"],
      [{ key: two.key }, "key"], // does not match the certificate
      [{ certificate: "not a certificate" }, "certificate"],
      [{ certificate: one.certificate.replace(/\n[A-Za-z0-9+/]{10}/, "\nAAAAAAAAAA") }, "certificate"],
    ];
    for (const [over, property] of cases) {
      const f = await props(over);
      expect(f.map((x) => x.property), JSON.stringify(Object.keys(over))).toEqual([property]);
    }
    // A private key pasted into `certificate` is refused and never quoted (it is a plain input).
    const pasted = await props({ certificate: one.certificate + one.key });
    expect(pasted).toEqual([{ property: "certificate", reason: expect.stringMatching(/private key block/) }]);
    expectNoKey(JSON.stringify(pasted), one.key);
    let message = "";
    try {
      await p.create(inputs({ key: two.key }));
    } catch (e) {
      message = String((e as Error).stack);
    }
    expect(message).toMatch(/does not match the first certificate/);
    expectNoKey(message, two.key);
    expect(fs.existsSync(path.join(project, ".zuplo-local"))).toBe(false);
  });

  it("the key never appears in outputs, diffs, check results or errors", async () => {
    const planted = one.key;
    const seen: string[] = [];
    const r = await p.create(inputs());
    seen.push(JSON.stringify(r));
    // check hands its inputs back (Pulumi keeps `key` secret there): only failures are its own words.
    seen.push(JSON.stringify((await p.check({} as never, inputs())).failures ?? []));
    seen.push(JSON.stringify(await p.diff(r.id, r.outs!, inputs({ key: two.key, certificate: two.certificate }))));
    seen.push(JSON.stringify(await p.update(r.id, r.outs!, inputs())));
    for (const bad of [inputs({ dir: "certs" }), inputs({ name: "bad-name" }), inputs({ certificate: one.certificate + planted }), inputs({ key: planted.replace("PRIVATE KEY", "PRIVATE KEYS") })]) {
      try {
        await p.create(bad);
        seen.push("no error");
      } catch (e) {
        seen.push(String((e as Error).stack));
      }
      seen.push(JSON.stringify((await p.check({} as never, bad)).failures));
    }
    expect(seen).not.toContain("no error");
    for (const s of seen) expectNoKey(s, planted);
  });

  it("diff: a new key or certificate updates, the same ones (re-saved with CRLF) do not, a new dir or name replaces", async () => {
    const r = await p.create(inputs());
    const olds = r.outs!;
    expect(await p.diff(r.id, olds, inputs())).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await p.diff(r.id, olds, inputs({ key: one.key.replace(/\n/g, "\r\n") }))).toMatchObject({ changes: false });
    expect(await p.diff(r.id, olds, inputs({ key: two.key, certificate: two.certificate }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await p.diff(r.id, olds, inputs({ certificate: chain }))).toMatchObject({ changes: true, replaces: [] });
    expect(await p.diff(r.id, olds, inputs({ key: UNKNOWN }))).toMatchObject({ changes: true, replaces: [] });
    expect(await p.diff(r.id, olds, inputs({ name: "billing_cert" }))).toMatchObject({ changes: true, replaces: ["name"] });
    expect(await p.diff(r.id, olds, inputs({ dir: ".zuplo-local/certs" }))).toMatchObject({ changes: true, replaces: ["dir"] });
    expect(await p.diff(r.id, olds, inputs({ dir: "./.zuplo-local//mtls/" }))).toMatchObject({ changes: false, replaces: [] });
    // Another checkout of the project: the same resource, nothing to do.
    expect(await p.diff(r.id, olds, { ...inputs(), projectDir: "/home/ci/checkout" })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("update rewrites both files by rename, keeps the modes, and records the new fingerprint", async () => {
    const r = await p.create(inputs());
    const keyPath = path.join(project, r.outs!.keyFile);
    const reader = fs.openSync(keyPath, "r"); // holds the old inode, so a new one is visible
    try {
      const before = fs.fstatSync(reader).ino;
      fs.chmodSync(keyPath, 0o644); // someone widened it: the rewrite tightens it again
      const u = await p.update(r.id, r.outs!, inputs({ key: two.key, certificate: two.certificate }));
      expect(fs.statSync(keyPath).ino).not.toBe(before);
      expect(fs.readFileSync(reader, "utf8")).toBe(one.key); // a reader never sees a torn file
      expect(fs.readFileSync(keyPath, "utf8")).toBe(two.key);
      expect(fs.readFileSync(path.join(project, r.outs!.certificateFile), "utf8")).toBe(two.certificate);
      expect(mode(keyPath)).toBe(0o600);
      expect(u.outs!.keyFingerprint).not.toBe(r.outs!.keyFingerprint);
      expect(await p.diff(r.id, u.outs!, inputs({ key: two.key, certificate: two.certificate }))).toMatchObject({ changes: false });
      expect(fs.readdirSync(path.dirname(keyPath)).sort()).toEqual(["tls.crt", "tls.key"]);
    } finally {
      fs.closeSync(reader);
    }
  });

  it("update recreates files deleted by hand", async () => {
    const r = await p.create(inputs());
    fs.rmSync(path.join(project, ".zuplo-local"), { recursive: true });
    await p.update(r.id, r.outs!, inputs());
    expect(fs.readFileSync(path.join(project, r.outs!.keyFile), "utf8")).toBe(one.key);
  });

  it("a symlinked key file is replaced, not followed; a folder symlinked out of the project is refused", async () => {
    const elsewhere = path.join(scratch, "victim.key");
    fs.writeFileSync(elsewhere, "victim\n");
    const folder = path.join(project, ".zuplo-local", "mtls", "orders_cert");
    fs.mkdirSync(folder, { recursive: true });
    fs.symlinkSync(elsewhere, path.join(folder, "tls.key"));
    await p.create(inputs());
    expect(fs.lstatSync(path.join(folder, "tls.key")).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(elsewhere, "utf8")).toBe("victim\n");

    const out = fs.mkdtempSync(path.join(scratch, "out-"));
    fs.symlinkSync(out, path.join(project, ".zuplo-local", "mtls", "billing_cert"));
    await expect(p.create(inputs({ name: "billing_cert" }))).rejects.toThrow(/resolves outside the project/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("a folder whose parent is symlinked out of the project is refused before anything is created there", async () => {
    // mkdir follows the link: the check must judge the deepest existing part before creating.
    const out = fs.mkdtempSync(path.join(scratch, "out-"));
    fs.mkdirSync(path.join(project, ".zuplo-local"));
    fs.symlinkSync(out, path.join(project, ".zuplo-local", "mtls"));
    await expect(p.create(inputs())).rejects.toThrow(/gatelock will not write \.zuplo-local\/mtls\/orders_cert: it resolves outside the project/);
    await expect(p.update(".zuplo-local/mtls/orders_cert", {} as never, inputs())).rejects.toThrow(/resolves outside the project/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("delete removes both files and the name folder, keeps the parent while other certificates are in it", async () => {
    const a = await p.create(inputs());
    const b = await p.create(inputs({ name: "billing_cert", certificate: two.certificate, key: two.key }));
    await p.delete(a.id, a.outs!);
    expect(fs.existsSync(path.join(project, ".zuplo-local", "mtls", "orders_cert"))).toBe(false);
    expect(fs.readdirSync(path.join(project, ".zuplo-local", "mtls"))).toEqual(["billing_cert"]);
    expect(fs.readFileSync(path.join(project, b.outs!.keyFile), "utf8")).toBe(two.key);
    // A user's file in the folder keeps the folder.
    fs.writeFileSync(path.join(project, ".zuplo-local", "mtls", "billing_cert", "notes.txt"), "mine");
    await p.delete(b.id, b.outs!);
    expect(fs.readdirSync(path.join(project, ".zuplo-local", "mtls", "billing_cert"))).toEqual(["notes.txt"]);
    fs.rmSync(path.join(project, ".zuplo-local", "mtls", "billing_cert", "notes.txt"));
    await p.delete(b.id, b.outs!); // already gone: succeeds, and the now-empty folders go
    expect(fs.existsSync(path.join(project, ".zuplo-local"))).toBe(false);
    expect(fs.existsSync(path.join(project, ".gitignore"))).toBe(true);
  });

  it("several certificates created at once in one new directory all land", async () => {
    const names = Array.from({ length: 6 }, (_, i) => `cert_${i}`);
    await Promise.all(names.map((name) => p.create(inputs({ name }))));
    expect(fs.readdirSync(path.join(project, ".zuplo-local", "mtls")).sort()).toEqual(names);
    for (const name of names) expect(fs.readFileSync(path.join(project, ".zuplo-local", "mtls", name, "tls.key"), "utf8")).toBe(one.key);
  });
});

describe("MtlsCertificateDir resource", () => {
  it("registers under gatelock's dynamic type with the key made a secret, whatever the caller passed", async () => {
    const run = await runUnderMocks(() => {
      new MtlsCertificateDir("orders-mtls", { projectDir: project, dir: ".zuplo-local/mtls", name: "orders_cert", certificate: one.certificate, key: one.key });
    }, { stack: "test" });
    const r = run.resources.find((x) => x.type === "pulumi-nodejs:dynamic/gatelock:MtlsCertificateDir")!;
    expect(r).toBeDefined();
    expect(isSecretValue(r.inputs.key)).toBe(true);
    expect(reveal(r.inputs.key)).toBe(one.key);
    for (const k of ["projectDir", "dir", "name", "certificate"]) expect(isSecretValue(r.inputs[k]), k).toBe(false);
  });
});

describe("the provider survives Pulumi's serialisation", () => {
  it("installed as an npm package, serialised as `pulumi up` does it, it runs in a fresh process", () => {
    // As test/dotenv.test.ts: installed in a user's project, where only builtins may be required
    // (see test/harness/serialised-provider.ts).
    const user = path.join(project, "user");
    const serialised = serialiseInstalledProvider(user, ["components/local/mtls-certificate-dir-provider.ts", "components/files/private-files.ts"], "mtlsCertificateDirProvider");
    expectSelfContained(serialised.text);
    expectNoKey(serialised.text, one.key);

    // The user's project is `project` (git-ignores .zuplo-local/): the host runs from `user`, a subfolder.
    const out = runInFreshHost(
      serialised,
      user,
      `const base = { projectDir: ${JSON.stringify(project)}, dir: ".zuplo-local/mtls", name: "orders_cert" };
      const checked = await provider.check({}, { ...base, ...args.one });
      const c = await provider.create({ ...base, ...args.one });
      const keyMode = fs.statSync(${JSON.stringify(project)} + "/" + c.outs.keyFile).mode & 0o777;
      const d = await provider.diff(c.id, c.outs, { ...base, ...args.two });
      const u = await provider.update(c.id, c.outs, { ...base, ...args.two });
      const afterUpdate = fs.readFileSync(${JSON.stringify(project)} + "/" + u.outs.keyFile, "utf8");
      let refused = "";
      try { await provider.create({ ...base, ...args.one, dir: "certs" }); } catch (e) { refused = e.message; }
      await provider.delete(c.id, u.outs);
      return { failures: checked.failures ?? null, id: c.id, keyMode, d, outs: u.outs, afterUpdate, refused, gone: !fs.existsSync(${JSON.stringify(project)} + "/.zuplo-local") };`,
      { one, two },
    );
    expect(out.failures).toBeNull();
    expect(out.id).toBe(".zuplo-local/mtls/orders_cert");
    expect(out.keyMode).toBe(0o600);
    expect(out.d).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(out.afterUpdate).toBe(two.key);
    expect((out.outs as { certificate: string }).certificate).toBe(two.certificate);
    expect(out.refused).toMatch(/git would commit certs\/orders_cert\/tls\.key/);
    expect(out.gone).toBe(true);
    const { afterUpdate: _k, ...rest } = out;
    expectNoKey(JSON.stringify(rest), two.key);
    expectNoKey(JSON.stringify(rest), one.key);
  }, 60_000);
});
