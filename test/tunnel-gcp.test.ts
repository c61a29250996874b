/**
 * Method 5's connector on GCP under the mock engine with faithful fakes: a Cloud Run worker
 * pool (no endpoint) with Direct VPC egress, running as a service account of its own that may
 * read the tunnel's token, held only in Secret Manager as a Pulumi secret, and nothing else.
 */
import { createHash } from "node:crypto";
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError, ResourceRefusedError } from "../components/errors";
import { GcpTunnelOrigin, type GcpTunnelOriginArgs, TUNNEL_VPC_EGRESS, workerPoolName } from "../components/gcp/tunnel-origin";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import type { FakeCloudOptions } from "../components/testing/fake-kit";
import { FakeCloud, UNFAKED } from "../components/testing/fakes";
import { isSecretValue, ofType, one, reveal } from "./harness";

const T = {
  component: "gatelock:gcp:TunnelOrigin",
  account: "gcp:serviceaccount/account:Account",
  secret: "gcp:secretmanager/secret:Secret",
  version: "gcp:secretmanager/secretVersion:SecretVersion",
  member: "gcp:secretmanager/secretIamMember:SecretIamMember",
  pool: "gcp:cloudrunv2/workerPool:WorkerPool",
};
const DIGEST = `zuplo/tunnel@sha256:${"b".repeat(64)}`;
const TUNNEL = "wh-tunnel";
/** One account per tunnel: `gl-t-` and 8 hex of the stack and tunnel. */
const SA_ID = `gl-t-${createHash("sha256").update(`prod/${TUNNEL}`).digest("hex").slice(0, 8)}`;
const SA_EMAIL = `${SA_ID}@acme-prod.iam.gserviceaccount.com`;
const SECRET_ID = `gatelock-prod-${TUNNEL}-token`;
const POOL = `gl-tunnel-${TUNNEL}`;

function newToken(): string {
  return `tk_${randomBytes(48).toString("base64url")}`;
}

/** Every string holding `needle`, with its path and whether a secret marker encloses it. */
function occurrences(v: unknown, needle: string, path = "", secret = false, out: { path: string; secret: boolean }[] = []) {
  if (isSecretValue(v)) return occurrences(v.value, needle, path, true, out);
  if (typeof v === "string") {
    if (v.includes(needle)) out.push({ path, secret });
  } else if (Array.isArray(v)) v.forEach((x, i) => occurrences(x, needle, `${path}[${i}]`, secret, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) occurrences(x, needle, path ? `${path}.${k}` : k, secret, out);
  return out;
}

function args(token: string, over: Partial<GcpTunnelOriginArgs> = {}, tunnel: Partial<GcpTunnelOriginArgs["tunnel"]> = {}): GcpTunnelOriginArgs {
  return {
    tunnel: { token: pulumi.secret(token), name: TUNNEL, endpoint: "http://10.0.3.12:8080", image: DIGEST, ...tunnel },
    project: "acme-prod",
    region: "europe-west1",
    network: "orders-vpc",
    subnetwork: "orders-connectors",
    ...over,
  };
}

async function up(a: GcpTunnelOriginArgs, fakes: FakeCloudOptions = {}) {
  let component!: GcpTunnelOrigin;
  const run = await runUnderMocks(
    async () => {
      component = new GcpTunnelOrigin("warehouse", a);
      return { summary: component.summary, gatewayVariables: component.gatewayVariables.map((v) => ({ name: v.name, isSecret: v.isSecret, value: v.value })), tunnelService: component.tunnelService, revision: component.latestRevision, version: component.tokenVersion };
    },
    { stack: "prod", fakes },
  );
  return { ...run, component };
}

async function failure(p: Promise<unknown>): Promise<MockRunError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(MockRunError);
  return e as MockRunError;
}

const state = (run: Awaited<ReturnType<typeof up>>, type: string, name: string) => reveal(run.fakes.produced.get(`${type}::${name}`)!.state) as Record<string, any>;

describe("GcpTunnelOrigin: what it builds", () => {
  it("a service account, the token's secret and version, one grant, and a worker pool running the connector as that account", async () => {
    const run = await up(args(newToken()));
    for (const t of Object.values(T).slice(1)) expect(UNFAKED).not.toContain(t);
    const component = one(run.resources, T.component, "warehouse");
    // Exactly these children, all under the component: no service, no invoker, no load balancer.
    expect(run.resources.filter((r) => r.custom).map((r) => r.type).sort()).toEqual([T.account, T.member, T.secret, T.version, T.pool].sort());
    for (const r of run.resources.filter((x) => x.custom)) expect(r.parent).toBe(component.urn);

    expect(reveal(one(run.resources, T.account).inputs)).toMatchObject({ project: "acme-prod", accountId: SA_ID });
    expect(reveal(one(run.resources, T.secret).inputs)).toMatchObject({ project: "acme-prod", secretId: SECRET_ID, replication: { auto: {} } });
    expect(reveal(one(run.resources, T.version).inputs.secret)).toBe(`projects/acme-prod/secrets/${SECRET_ID}`);

    const pool = one(run.resources, T.pool);
    const p = reveal(pool.inputs) as Record<string, any>;
    expect(p).toMatchObject({ project: "acme-prod", location: "europe-west1", name: POOL, deletionProtection: false, scaling: { scalingMode: "MANUAL", manualInstanceCount: 2 } });
    expect(p.template.serviceAccount).toBe(SA_EMAIL);
    expect(p.template.containers).toHaveLength(1);
    expect(p.template.containers[0].image).toBe(DIGEST);
    // The token comes from Secret Manager, pinned to the version just written: never a plain value.
    expect(p.template.containers[0].envs).toEqual([{ name: "TUNNEL_TOKEN", valueSource: { secretKeyRef: { secret: SECRET_ID, version: "1" } } }]);
    expect(p.template.vpcAccess).toEqual({ networkInterfaces: [{ network: "orders-vpc", subnetwork: "orders-connectors" }], egress: "PRIVATE_RANGES_ONLY" });
    // A revision whose account could not read the token would never start.
    expect(pool.dependsOn).toContain(one(run.resources, T.member).urn);

    expect(run.outputs.gatewayVariables).toEqual([{ name: "WAREHOUSE_ORIGIN_URL", isSecret: false, value: "service://warehouse-prod" }]);
    expect(run.outputs.tunnelService).toEqual({ origin: "warehouse", tunnel: TUNNEL, name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", accessibleBy: ["production"] });
    expect(run.outputs.summary).toMatchObject({ service: "service://warehouse-prod", replicas: 2, egress: TUNNEL_VPC_EGRESS, serviceAccount: SA_EMAIL, tokenVersion: "1", workerPool: POOL });
    expect(run.component.findings).toEqual([]);
  });

  it("the pool has no endpoint: GCP reports no URI, and nothing in it listens (no ports, no ingress)", async () => {
    const run = await up(args(newToken()));
    const s = state(run, T.pool, "warehouse-pool");
    expect(s.uri).toBeUndefined();
    expect(s.urls).toBeUndefined();
    expect(s.deletionProtection).toBe(false);
    expect(JSON.stringify(reveal(one(run.resources, T.pool).inputs))).not.toMatch(/"(ports|ingress|containerPort|invoker)"/);
  });

  it("the grant: secretAccessor for the dedicated account's member only, on the token's secret only", async () => {
    const run = await up(args(newToken()));
    const grants = ofType(run.resources, T.member);
    expect(grants).toHaveLength(1);
    const g = reveal(grants[0]!.inputs) as Record<string, unknown>;
    expect(g).toEqual(expect.objectContaining({ project: "acme-prod", secretId: SECRET_ID, role: "roles/secretmanager.secretAccessor", member: `serviceAccount:${SA_EMAIL}` }));
    // The member is the account this component created (its own output), not a guess of it.
    expect(g.member).toBe(state(run, T.account, "warehouse-sa").member);
    // Named by what it grants, not by position.
    expect(grants[0]!.name).toMatch(/^warehouse-token-reader-[0-9a-f]{8}$/);
  });
});

describe("GcpTunnelOrigin: the token", () => {
  it("is only a secret, and only in the secret version's data: nowhere in any other input, state or output", async () => {
    const token = newToken();
    const run = await up(args(token));
    const found = run.resources.flatMap((r) => occurrences(r.inputs, token).map((o) => ({ ...o, at: `${r.type}::${r.name}` })));
    expect(found).toEqual([{ at: `${T.version}::warehouse-token-version`, path: "secretData", secret: true }]);
    for (const [key, r] of run.fakes.produced) {
      for (const o of occurrences(r.state, token)) expect({ key, ...o }).toEqual({ key, path: o.path, secret: true });
    }
    // Stack outputs come back revealed: the token must not be there at all.
    expect(JSON.stringify(run.outputs)).not.toContain(token);
    expect(JSON.stringify(run.component.findings)).not.toContain(token);
  });

  it("a rotated token (next run) is a new secret version, and the pool a new revision pinned to it", async () => {
    const first = await up(args(newToken()));
    const token = newToken();
    const second = await up(args(token), { prior: first.fakes.produced });
    expect(first.outputs.version).toBe("1");
    expect(second.outputs.version).toBe("2");
    const env = (run: typeof first) => (reveal(one(run.resources, T.pool).inputs.template) as any).containers[0].envs[0];
    expect(env(second).valueSource.secretKeyRef).toEqual({ secret: SECRET_ID, version: "2" });
    expect(second.outputs.revision).not.toBe(first.outputs.revision);
    expect(second.outputs.revision).toMatch(new RegExp(`/workerPools/${POOL}/revisions/${POOL}-00002-[a-z]{3}$`));
    // Still only the secret version holds it.
    expect(second.resources.flatMap((r) => occurrences(r.inputs, token).map((o) => `${r.name}.${o.path}:${o.secret}`))).toEqual(["warehouse-token-version.secretData:true"]);
  });
});

describe("GcpTunnelOrigin: replicas", () => {
  it("are the pool's manual instance count, as configured", async () => {
    const run = await up(args(newToken(), {}, { replicas: 3 }));
    expect(reveal(one(run.resources, T.pool).inputs.scaling)).toEqual({ scalingMode: "MANUAL", manualInstanceCount: 3 });
  });

  it("one only with the escape hatch, warned; never zero", async () => {
    const run = await up(args(newToken(), {}, { replicas: 1, dangerouslyAllowSingleReplica: true }));
    expect(reveal(one(run.resources, T.pool).inputs.scaling)).toEqual({ scalingMode: "MANUAL", manualInstanceCount: 1 });
    expect(run.component.findings.map((f) => [f.code, f.path])).toEqual([["WARN_SINGLE_REPLICA", "warehouse: tunnel.replicas"]]);

    for (const tunnel of [{ replicas: 0 }, { replicas: 0, dangerouslyAllowSingleReplica: true }, { replicas: 1 }]) {
      const e = await failure(up(args(newToken(), {}, tunnel)));
      expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["warehouse: tunnel.replicas"]);
      expect(e.resources.filter((r) => r.custom)).toEqual([]);
    }
  });
});

describe("GcpTunnelOrigin: refusals", () => {
  it("refused known values throw ConfigError naming `warehouse: <arg>` before any child is registered", async () => {
    // A value the schema refuses, and one the tunnel's own checks refuse (a public endpoint).
    const cases: [Partial<GcpTunnelOriginArgs>, Partial<GcpTunnelOriginArgs["tunnel"]>, string][] = [
      [{ project: "Acme_Prod" }, {}, "warehouse: project"],
      [{ region: "europe" }, {}, "warehouse: region"],
      [{}, { endpoint: "http://orders.acme.example:8080" }, "warehouse: tunnel.endpoint"],
      [{}, { image: "Not An Image" }, "warehouse: tunnel.image"],
    ];
    for (const [over, tunnel, path] of cases) {
      const e = await failure(up(args(newToken(), over, tunnel)));
      const err = e.cause as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.issues.map((i) => i.path)).toEqual([path]);
      expect(e.resources.filter((r) => r.custom)).toEqual([]);
    }
  });

  it("an Output network or subnetwork resolving to a refused value fails the run, and the pool is never created", async () => {
    for (const over of [{ network: pulumi.output("") }, { subnetwork: pulumi.output("") }]) {
      const e = await failure(up(args(newToken(), over)));
      const err = e.cause as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.issues.map((i) => i.path)).toEqual([`warehouse: ${Object.keys(over)[0]}`]);
      expect(ofType(e.resources, T.pool)).toEqual([]);
    }
  });

  it("Output network and subnetwork that pass reach the pool's network interface", async () => {
    const run = await up(args(newToken(), { network: pulumi.output("projects/acme-prod/global/networks/orders-vpc"), subnetwork: pulumi.output("projects/acme-prod/regions/europe-west1/subnetworks/orders-connectors") }));
    expect((reveal(one(run.resources, T.pool).inputs.template) as any).vpcAccess.networkInterfaces).toEqual([
      { network: "projects/acme-prod/global/networks/orders-vpc", subnetwork: "projects/acme-prod/regions/europe-west1/subnetworks/orders-connectors" },
    ]);
  });
});

describe("workerPoolName (pure)", () => {
  it("is a valid Cloud Run name for every valid tunnel name", () => {
    for (const t of ["gl-prod", "ABC", `${"x".repeat(23)}-`, "a".repeat(24)]) expect(workerPoolName(t)).toMatch(/^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/);
  });
});

describe("the worker pool fake (as the Cloud Run Admin API)", () => {
  const base = { project: "acme-prod", location: "europe-west1", name: "gl-tunnel-x", template: { containers: [{ image: DIGEST }] } };
  const create = (inputs: Record<string, unknown>, cloud = new FakeCloud()) => cloud.newResource({ type: T.pool, name: "pool", inputs, custom: true });

  it("refuses what the API refuses: a plain value beside a secret source, an unpinnable version, two interfaces, an unknown egress", () => {
    const refused = [
      { template: { containers: [{ image: DIGEST, envs: [{ name: "TUNNEL_TOKEN", value: "x", valueSource: { secretKeyRef: { secret: "s" } } }] }] } },
      { template: { containers: [{ image: DIGEST, envs: [{ name: "TUNNEL_TOKEN", valueSource: { secretKeyRef: { secret: "s", version: "v2" } } }] }] } },
      { template: { containers: [{ image: DIGEST }], vpcAccess: { networkInterfaces: [{ network: "a" }, { network: "b" }] } } },
      { template: { containers: [{ image: DIGEST }], vpcAccess: { networkInterfaces: [{ network: "a" }], egress: "PUBLIC" } } },
      { name: "GL_Tunnel" },
    ];
    for (const over of refused) expect(() => create({ ...base, ...over })).toThrow(ResourceRefusedError);
    expect(() => create(base)).not.toThrow();
  });

  it("a scaling change keeps the revision; a template change makes the next one; deletion protection defaults on", () => {
    const first = new FakeCloud();
    const a = create({ ...base, scaling: { manualInstanceCount: 2 } }, first);
    expect(a.state.deletionProtection).toBe(true);
    const scaled = create({ ...base, scaling: { manualInstanceCount: 3 } }, new FakeCloud({ prior: first.produced }));
    expect(scaled.state.latestCreatedRevision).toBe(a.state.latestCreatedRevision);
    const changed = create({ ...base, template: { containers: [{ image: `${DIGEST.slice(0, -1)}0` }] } }, new FakeCloud({ prior: first.produced }));
    expect(changed.state.latestCreatedRevision).not.toBe(a.state.latestCreatedRevision);
    expect(String(changed.state.latestCreatedRevision)).toMatch(/\/revisions\/gl-tunnel-x-00002-[a-z]{3}$/);
  });
});
