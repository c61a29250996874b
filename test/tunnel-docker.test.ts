/**
 * The plain Docker host connector: the compose file and the systemd unit (parsed and judged
 * field by field), the `DockerTunnelFiles` provider writing them and the token's env file in a
 * real git repository (modes, refusals, diff, update, delete), the provider surviving Pulumi's
 * serialisation, and the component under mocks with the token only ever a secret.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DockerTunnelOrigin, type DockerTunnelOriginArgs } from "../components/docker/tunnel-origin";
import { cloud } from "../components/docker/program";
import { DOCKER_TUNNEL_FILES_TYPE, dockerTunnelFilesProvider as p } from "../components/docker/tunnel-files";
import { composeFile, DOCKER_RUN_HARDENING, systemdUnit, systemdUnitFile, systemdWord } from "../components/documents/docker-tunnel";
import { ConfigError } from "../components/errors";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import { UNFAKED } from "../components/testing/fakes";
import { isSecretValue, one, reveal } from "./harness";
import { expectSelfContained, runInFreshHost, serialiseInstalledProvider } from "./harness/serialised-provider";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const FILES = `pulumi-nodejs:dynamic/gatelock:${DOCKER_TUNNEL_FILES_TYPE}`;
const PINNED = `zuplo/tunnel@sha256:${"b".repeat(64)}`;
/** A Cloudflare-style token: base64 of random bytes, with its padding. */
const newToken = () => randomBytes(100).toString("base64");
const mode = (f: string) => fs.statSync(f).mode & 0o777;
const spec = { tunnel: "gl-prod", service: "orders-prod", image: PINNED, replicas: 2 };

let project: string;
beforeEach(() => {
  project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-docker-")));
  execFileSync("git", ["init", "-q"], { cwd: project });
  fs.writeFileSync(path.join(project, ".gitignore"), ".gatelock/\n");
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

/** Every place a string occurs in a value, and whether it is inside a Pulumi secret there. */
function occurrences(v: unknown, needle: string, at = "", secret = false, out: { path: string; secret: boolean }[] = []) {
  if (isSecretValue(v)) return occurrences(v.value, needle, at, true, out);
  if (typeof v === "string" && v.includes(needle)) out.push({ path: at, secret });
  else if (Array.isArray(v)) v.forEach((x, i) => occurrences(x, needle, `${at}[${i}]`, secret, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) occurrences(x, needle, at ? `${at}.${k}` : k, secret, out);
  return out;
}

describe("the compose file", () => {
  it("one hardened service per replica: restart, read-only, no capabilities, no-new-privileges, non-root, limits, the token from the env file only", () => {
    const doc = parse(composeFile(spec));
    expect(doc.name).toBe("gatelock-tunnel-gl-prod");
    expect(Object.keys(doc)).toEqual(["name", "services"]);
    expect(Object.keys(doc.services)).toEqual(["connector-1", "connector-2"]);
    for (const [name, s] of Object.entries<Record<string, unknown>>(doc.services)) {
      expect(s, name).toEqual({
        image: PINNED,
        restart: "unless-stopped",
        env_file: ["tunnel-token"],
        read_only: true,
        cap_drop: ["ALL"],
        security_opt: ["no-new-privileges:true"],
        user: "65532:65532",
        tmpfs: ["/tmp:size=16m"],
        mem_limit: "256m",
        cpus: 0.5,
        pids_limit: 100,
        stop_grace_period: "45s",
        labels: { "gatelock.tunnel": "gl-prod", "gatelock.service": "orders-prod" },
      });
      // Spelled out, since toEqual above already excludes them: nothing published, nothing inline.
      for (const k of ["ports", "expose", "environment", "secrets", "network_mode", "privileged", "cap_add", "volumes"]) expect(s[k], `${name}.${k}`).toBeUndefined();
    }
  });

  it("has as many services as replicas, and its header tells how to restart them one at a time", () => {
    const text = composeFile({ ...spec, replicas: 3 });
    expect(Object.keys(parse(text).services)).toEqual(["connector-1", "connector-2", "connector-3"]);
    expect(text).toMatch(/^# gatelock: the connector of tunnel gl-prod \(service:\/\/orders-prod\)/);
    for (const n of [1, 2, 3]) expect(text).toContain(`docker compose up -d --no-deps --force-recreate connector-${n}`);
  });
});

describe("the systemd unit", () => {
  const tokenFile = "/srv/app/.gatelock/tunnel/gl-prod/tunnel-token";
  const unitPath = "/srv/app/.gatelock/tunnel/gl-prod/gatelock-tunnel-gl-prod@.service";
  const unit = () => systemdUnit({ ...spec, tokenFile, unitPath });
  const directive = (text: string, key: string) => text.split("\n").filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

  it("runs one container per instance with --env-file on the token file, every hardening flag, and no published port", () => {
    const text = unit();
    const [exec] = directive(text, "ExecStart");
    expect(directive(text, "ExecStart")).toHaveLength(1);
    expect(exec).toBe(`docker run --rm --name gatelock-tunnel-gl-prod-%i --env-file "${tokenFile}" ${DOCKER_RUN_HARDENING.join(" ")} ${PINNED}`);
    const words = exec!.split(" ");
    for (const flag of ["--read-only", "--cap-drop ALL", "--security-opt no-new-privileges:true", "--user 65532:65532"]) expect(exec).toContain(flag);
    for (const bad of ["-p", "--publish", "-P", "--publish-all", "--privileged", "--cap-add", "-e", "--env", "--network", "--net", "-v", "--volume"]) expect(words, bad).not.toContain(bad);
    expect(directive(text, "Restart")).toEqual(["always"]);
    expect(directive(text, "Requires")).toEqual(["docker.service"]);
    expect(directive(text, "WantedBy")).toEqual(["multi-user.target"]);
    expect(systemdUnitFile("gl-prod")).toBe("gatelock-tunnel-gl-prod@.service");
    for (const i of [1, 2]) expect(text).toContain(`sudo systemctl restart gatelock-tunnel-gl-prod@${i}`);
  });

  it("quotes the token file's path as one word, escaping systemd's specifiers and variables; refuses a line break", () => {
    expect(systemdWord('/srv/my app/100%/$HOME/"q"\\x')).toBe('"/srv/my app/100%%/$$HOME/\\"q\\"\\\\x"');
    expect(() => systemdWord("/srv/a\nExecStartPre=/bin/sh -c evil")).toThrow(/control character/);
  });

  it("passes `systemd-analyze verify`, with a path that needs quoting", (ctx) => {
    const has = spawnSync("systemd-analyze", ["--version"], { stdio: "ignore" });
    const docker = spawnSync("sh", ["-c", "command -v docker"], { stdio: "ignore" });
    if (has.status !== 0 || docker.status !== 0) ctx.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-unit-"));
    try {
      // This machine may have no docker.service: a stub stands in for the one the unit requires.
      fs.writeFileSync(path.join(dir, "docker.service"), "[Service]\nExecStart=/bin/true\n");
      const env = { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` };
      const file = path.join(dir, systemdUnitFile("gl-prod"));
      fs.writeFileSync(file, systemdUnit({ ...spec, tokenFile: "/srv/my app/50%/$x/tunnel-token", unitPath: file }));
      const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8", env });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      // And the check is real: unbalanced quoting fails it.
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('--env-file "', "--env-file "));
      expect(spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8", env }).status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const inputs = (over: Partial<Record<string, string>> = {}) => ({
  projectDir: project,
  dir: ".gatelock/tunnel",
  name: "gl-prod",
  configFile: "compose.yaml",
  content: composeFile(spec),
  token: TOKEN,
  ...over,
});
const TOKEN = newToken();
const OTHER = newToken();

describe("DockerTunnelFiles provider", () => {
  it("create writes the env file 0600 and the compose file, folders 0700 whatever the umask, and returns only a fingerprint", async () => {
    const umask = process.umask(0);
    let r;
    try {
      r = await p.create(inputs());
    } finally {
      process.umask(umask);
    }
    expect(r.id).toBe(".gatelock/tunnel/gl-prod");
    const token = path.join(project, ".gatelock/tunnel/gl-prod/tunnel-token");
    expect(fs.readFileSync(token, "utf8")).toBe(`TUNNEL_TOKEN=${TOKEN}\n`);
    expect(mode(token)).toBe(0o600);
    expect(mode(path.join(project, ".gatelock/tunnel/gl-prod/compose.yaml"))).toBe(0o644);
    for (const d of [".gatelock", ".gatelock/tunnel", ".gatelock/tunnel/gl-prod"]) expect(mode(path.join(project, d)), d).toBe(0o700);
    expect(fs.readdirSync(path.join(project, ".gatelock/tunnel/gl-prod")).sort()).toEqual(["compose.yaml", "tunnel-token"]);
    expect(r.outs!).toMatchObject({ configPath: ".gatelock/tunnel/gl-prod/compose.yaml", tokenPath: ".gatelock/tunnel/gl-prod/tunnel-token", tokenFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    // The env file is what compose reads: the compose file next to it names it.
    expect(parse(fs.readFileSync(path.join(project, r.outs!.configPath), "utf8")).services["connector-1"].env_file).toEqual(["tunnel-token"]);
  });

  it("refuses a directory git would commit, a tracked file, and a project outside git: nothing is written", async () => {
    fs.writeFileSync(path.join(project, ".gitignore"), "node_modules/\n");
    const check = await p.check({} as never, inputs());
    expect(check.failures).toEqual([{ property: "dir", reason: expect.stringMatching(/git would commit \.gatelock\/tunnel\/gl-prod\/tunnel-token/) }]);
    await expect(p.create(inputs())).rejects.toThrow(/git would commit/);
    expect(fs.existsSync(path.join(project, ".gatelock"))).toBe(false);

    // Ignored by .gitignore but already tracked: git would still commit it.
    fs.writeFileSync(path.join(project, ".gitignore"), ".gatelock/\n");
    fs.mkdirSync(path.join(project, ".gatelock/tunnel/gl-prod"), { recursive: true });
    fs.writeFileSync(path.join(project, ".gatelock/tunnel/gl-prod/tunnel-token"), "old\n");
    execFileSync("git", ["add", "-f", ".gatelock/tunnel/gl-prod/tunnel-token"], { cwd: project });
    await expect(p.create(inputs())).rejects.toThrow(/git would commit/);
    expect(fs.readFileSync(path.join(project, ".gatelock/tunnel/gl-prod/tunnel-token"), "utf8")).toBe("old\n");

    const nogit = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-nogit-")));
    try {
      // Outside git only gatelock's own folder passes: anything else is refused, and nothing is written.
      await expect(p.create(inputs({ projectDir: nogit, dir: "tunnel-files" }))).rejects.toThrow(/not in a git repository .* not under \.gatelock\//);
      expect(fs.readdirSync(nogit)).toEqual([]);
      await p.create(inputs({ projectDir: nogit }));
      expect((fs.statSync(path.join(nogit, ".gatelock/tunnel/gl-prod/tunnel-token")).mode & 0o777).toString(8)).toBe("600");
    } finally {
      fs.rmSync(nogit, { recursive: true, force: true });
    }
  });

  it("refuses bad inputs by property, and never quotes the token: a token that is not one base64 line, content holding the token", async () => {
    const props = async (over: Partial<Record<string, string>>) => ((await p.check({} as never, inputs(over))).failures ?? []).map((f) => f.property);
    for (const dir of ["../x", "/etc/x", ".", "", "a/../../b"]) expect(await props({ dir }), dir).toEqual(["dir"]);
    for (const name of ["ab", "a_b", "x".repeat(25), "../x"]) expect(await props({ name }), name).toEqual(["name"]);
    for (const configFile of ["tunnel-token", ".hidden", "a/b", ""]) expect(await props({ configFile }), configFile).toEqual(["configFile"]);
    expect(await props({ projectDir: "relative" })).toContain("projectDir");
    expect(await props({ projectDir: UNKNOWN, dir: UNKNOWN, name: UNKNOWN, configFile: UNKNOWN, content: UNKNOWN, token: UNKNOWN })).toEqual([]);
    const seen: string[] = [];
    for (const bad of [`${TOKEN}\nOTHER=1`, `${TOKEN} `, `"${TOKEN}"`, `$${TOKEN}`]) {
      const f = (await p.check({} as never, inputs({ token: bad }))).failures ?? [];
      expect(f.map((x) => x.property)).toEqual(["token"]);
      seen.push(JSON.stringify(f));
      try {
        await p.create(inputs({ token: bad }));
        seen.push("no error");
      } catch (e) {
        seen.push(String((e as Error).stack));
      }
    }
    const leaked = inputs({ content: `${composeFile(spec)}\n# ${TOKEN}\n` });
    const f = (await p.check({} as never, leaked)).failures ?? [];
    expect(f).toEqual([{ property: "content", reason: expect.stringMatching(/contains the tunnel's token/) }]);
    seen.push(JSON.stringify(f));
    try {
      await p.create(leaked);
      seen.push("no error");
    } catch (e) {
      seen.push(String((e as Error).stack));
    }
    expect(seen).not.toContain("no error");
    for (const s of seen) expect(s).not.toContain(TOKEN.slice(0, 40));
    expect(fs.existsSync(path.join(project, ".gatelock"))).toBe(false);
  });

  it("diff: a new token or content updates; the same ones do not; a new dir or name replaces, deleting first; another checkout is the same resource", async () => {
    const r = await p.create(inputs());
    const olds = r.outs!;
    expect(await p.diff(r.id, olds, inputs())).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await p.diff(r.id, olds, inputs({ token: OTHER }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await p.diff(r.id, olds, inputs({ token: UNKNOWN }))).toMatchObject({ changes: true, replaces: [] });
    expect(await p.diff(r.id, olds, inputs({ content: composeFile({ ...spec, replicas: 3 }) }))).toMatchObject({ changes: true, replaces: [] });
    expect(await p.diff(r.id, olds, inputs({ dir: ".gatelock/other" }))).toEqual({ changes: true, replaces: ["dir"], deleteBeforeReplace: true });
    expect(await p.diff(r.id, olds, inputs({ name: "gl-dev" }))).toMatchObject({ changes: true, replaces: ["name"], deleteBeforeReplace: true });
    expect(await p.diff(r.id, olds, inputs({ dir: "./.gatelock//tunnel/" }))).toMatchObject({ changes: false, replaces: [] });
    expect(await p.diff(r.id, olds, inputs({ projectDir: "/home/ci/checkout" }))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(JSON.stringify(olds)).not.toContain(OTHER);
  });

  it("update rewrites the token by rename (a reader never sees a torn file), tightens a widened mode, and a format switch removes the other file", async () => {
    const r = await p.create(inputs());
    const token = path.join(project, r.outs!.tokenPath);
    const reader = fs.openSync(token, "r");
    try {
      fs.chmodSync(token, 0o644);
      const unit = systemdUnitFile("gl-prod");
      const u = await p.update(r.id, r.outs!, inputs({ token: OTHER, configFile: unit, content: "[Unit]\n" }));
      expect(fs.readFileSync(reader, "utf8")).toBe(`TUNNEL_TOKEN=${TOKEN}\n`);
      expect(fs.readFileSync(token, "utf8")).toBe(`TUNNEL_TOKEN=${OTHER}\n`);
      expect(mode(token)).toBe(0o600);
      expect(fs.readdirSync(path.dirname(token)).sort()).toEqual([unit, "tunnel-token"].sort());
      expect(u.outs!.tokenFingerprint).not.toBe(r.outs!.tokenFingerprint);
      expect(await p.diff(r.id, u.outs!, inputs({ token: OTHER, configFile: unit, content: "[Unit]\n" }))).toMatchObject({ changes: false });
    } finally {
      fs.closeSync(reader);
    }
  });

  it("a symlinked token file is replaced, not followed; a folder symlinked out of the project is refused", async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-out-"));
    try {
      const victim = path.join(outside, "victim");
      fs.writeFileSync(victim, "victim\n");
      fs.mkdirSync(path.join(project, ".gatelock/tunnel/gl-prod"), { recursive: true });
      fs.symlinkSync(victim, path.join(project, ".gatelock/tunnel/gl-prod/tunnel-token"));
      await p.create(inputs());
      expect(fs.lstatSync(path.join(project, ".gatelock/tunnel/gl-prod/tunnel-token")).isSymbolicLink()).toBe(false);
      expect(fs.readFileSync(victim, "utf8")).toBe("victim\n");

      const away = path.join(outside, "away");
      fs.mkdirSync(away);
      fs.symlinkSync(away, path.join(project, ".gatelock/tunnel/gl-dev"));
      await expect(p.create(inputs({ name: "gl-dev" }))).rejects.toThrow(/resolves outside the project/);
      expect(fs.readdirSync(away)).toEqual([]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("delete removes both files and the empty folders, keeping another tunnel's folder", async () => {
    const a = await p.create(inputs());
    const b = await p.create(inputs({ name: "gl-dev", token: OTHER }));
    await p.delete(a.id, a.outs!);
    expect(fs.readdirSync(path.join(project, ".gatelock/tunnel"))).toEqual(["gl-dev"]);
    await p.delete(b.id, b.outs!);
    await p.delete(b.id, b.outs!); // already gone: fine
    expect(fs.existsSync(path.join(project, ".gatelock"))).toBe(false);
  });
});

describe("the provider survives Pulumi's serialisation", () => {
  it("installed as an npm package, serialised as `pulumi up` does it, it runs in a fresh process", () => {
    // As test/local-mtls-certificate-dir.test.ts: installed in a user's project, where only
    // builtins may be required (see test/harness/serialised-provider.ts).
    const user = path.join(project, "user");
    const serialised = serialiseInstalledProvider(user, ["components/docker/tunnel-files-provider.ts", "components/files/private-files.ts"], "dockerTunnelFilesProvider");
    expectSelfContained(serialised.text);
    expect(serialised.text).not.toContain(TOKEN);

    const out = runInFreshHost(
      serialised,
      user,
      `const base = { projectDir: ${JSON.stringify(project)}, dir: ".gatelock/tunnel", name: "gl-prod", configFile: "compose.yaml", content: args.content };
      const checked = await provider.check({}, { ...base, token: args.one });
      const c = await provider.create({ ...base, token: args.one });
      const tokenMode = fs.statSync(${JSON.stringify(project)} + "/" + c.outs.tokenPath).mode & 0o777;
      const d = await provider.diff(c.id, c.outs, { ...base, token: args.two });
      const u = await provider.update(c.id, c.outs, { ...base, token: args.two });
      const afterUpdate = fs.readFileSync(${JSON.stringify(project)} + "/" + u.outs.tokenPath, "utf8");
      let refused = "";
      try { await provider.create({ ...base, token: args.one, dir: "tunnel" }); } catch (e) { refused = e.message; }
      await provider.delete(c.id, u.outs);
      return { failures: checked.failures ?? null, id: c.id, tokenMode, d, outs: u.outs, afterUpdate, refused, gone: !fs.existsSync(${JSON.stringify(project)} + "/.gatelock") };`,
      { one: TOKEN, two: OTHER, content: composeFile(spec) },
    );
    expect(out.failures).toBeNull();
    expect(out.id).toBe(".gatelock/tunnel/gl-prod");
    expect(out.tokenMode).toBe(0o600);
    expect(out.d).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(out.afterUpdate).toBe(`TUNNEL_TOKEN=${OTHER}\n`);
    expect(out.refused).toMatch(/git would commit tunnel\/gl-prod\/tunnel-token/);
    expect(out.gone).toBe(true);
    const { afterUpdate: _t, ...rest } = out;
    expect(JSON.stringify(rest)).not.toContain(TOKEN);
    expect(JSON.stringify(rest)).not.toContain(OTHER);
  }, 60_000);
});

describe("DockerTunnelOrigin under mocks", () => {
  type Args = Omit<DockerTunnelOriginArgs, "tunnel"> & { tunnel?: Partial<DockerTunnelOriginArgs["tunnel"]> };
  async function up(token: string, args: Args = {}) {
    let component!: DockerTunnelOrigin;
    const run = await runUnderMocks(
      () => {
        component = new DockerTunnelOrigin("orders", { projectDir: project, ...args, tunnel: { token: pulumi.secret(token), endpoint: "http://10.0.3.12:8080", image: PINNED, ...args.tunnel } });
        return { summary: component.summary, variables: component.gatewayVariables.map((v) => ({ name: v.name, value: v.value, isSecret: v.isSecret })) };
      },
      { stack: "prod" },
    );
    return { ...run, component };
  }

  it("registers one DockerTunnelFiles (compose by default) with the token only as a secret, never in the content, the outputs or the summary", async () => {
    const token = newToken();
    const run = await up(token);
    expect(run.resources.filter((r) => r.custom).map((r) => r.type)).toEqual([FILES]);
    // Its fake, like the provider, returns a fingerprint for the token and no token.
    expect(UNFAKED).not.toContain(FILES);
    const state = run.fakes.produced.get(`${FILES}::orders-connector`)!.state;
    expect(state.token).toBeUndefined();
    expect(isSecretValue(state.tokenFingerprint)).toBe(true);
    const files = one(run.resources, FILES);
    expect(files.parent).toBe(one(run.resources, "gatelock:docker:TunnelOrigin").urn);
    const found = run.resources.flatMap((r) => occurrences(r.inputs, token).map((o) => ({ ...o, type: r.type })));
    expect(found).toEqual([{ type: FILES, path: "token", secret: true }]);
    for (const [key, r] of run.fakes.produced) for (const o of occurrences(r.state, token)) expect(o.secret, `${key} ${o.path}`).toBe(true);
    expect(JSON.stringify(run.outputs)).not.toContain(token);
    const i = reveal(files.inputs) as Record<string, string>;
    expect(i).toMatchObject({ projectDir: project, dir: ".gatelock/tunnel", name: "gl-prod-orders", configFile: "compose.yaml" });
    expect(parse(i.content!).services["connector-1"]).toMatchObject({ image: PINNED, env_file: ["tunnel-token"], read_only: true });
    expect(run.outputs.summary).toMatchObject({ connector: "docker (compose)", configFile: ".gatelock/tunnel/gl-prod-orders/compose.yaml", tokenStore: ".gatelock/tunnel/gl-prod-orders/tunnel-token (mode 0600)", replicas: 2 });
    expect(run.outputs.variables).toEqual([{ name: "ORDERS_ORIGIN_URL", value: "service://orders-prod", isSecret: false }]);
    expect(run.component.tunnelService).toEqual({ origin: "orders", tunnel: "gl-prod-orders", name: "orders-prod", endpoint: "http://10.0.3.12:8080", accessibleBy: ["production"] });
  });

  it("format: systemd writes a template unit whose --env-file is the token file's absolute path in this project", async () => {
    const token = newToken();
    const run = await up(token, { format: "systemd", tunnel: { replicas: 3 } });
    const i = reveal(one(run.resources, FILES).inputs) as Record<string, string>;
    expect(i.configFile).toBe("gatelock-tunnel-gl-prod-orders@.service");
    expect(i.content).toContain(`--env-file "${project}/.gatelock/tunnel/gl-prod-orders/tunnel-token"`);
    expect(i.content).toContain("sudo systemctl enable --now gatelock-tunnel-gl-prod-orders@1 gatelock-tunnel-gl-prod-orders@2 gatelock-tunnel-gl-prod-orders@3");
    expect(i.content).not.toContain(token);
    expect(run.component.configPath).toBe(".gatelock/tunnel/gl-prod-orders/gatelock-tunnel-gl-prod-orders@.service");
  });

  it("the model refuses a directory git would commit before any resource, naming the arg", async () => {
    fs.writeFileSync(path.join(project, ".gitignore"), "node_modules/\n");
    const e = await up(newToken(), { dir: "connectors" }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(MockRunError);
    const err = (e as MockRunError).cause as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((x) => [x.code, x.path])).toEqual([["ERR_TRUST_UNSAFE", expect.stringMatching(/^orders: (docker\.)?dir$/)]]);
    expect((e as MockRunError).resources.filter((r) => r.custom)).toEqual([]);
  });

  it("the docker cloud module names its cloud", () => {
    expect(cloud.cloud).toBe("docker");
  });
});
