/**
 * Method 5's model, pure: a tunnel origin in the stack file, what it becomes (the tunnel, the
 * service the gateway calls as `service://…`, the connector's target), and what is refused or
 * warned about, each at its key: a public endpoint, one replica, a tag instead of a digest,
 * origins that share a tunnel but disagree on its connector, a stack without the Developer API.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../components/errors";
import { gatewayConfigFor } from "../components/gateway/zuplo-policies";
import { variableSpecs } from "../components/gateway/variables";
import { buildModel } from "../components/model/model";
import { isPrivateHost } from "../components/model/tunnel/checks";

const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };
const DIGEST = `zuplo/tunnel@sha256:${"a".repeat(64)}`;
const aws = { region: "us-east-1", vpcId: "vpc-0a1b2c3d", subnets: ["subnet-0a1b2c3d4e5f60718"] };
const origin = (over: Record<string, unknown> = {}, tunnel: Record<string, unknown> = {}) => ({ name: "warehouse", method: "tunnel", cloud: "aws", aws, tunnel: { endpoint: "http://10.0.3.12:8080", image: DIGEST, ...tunnel }, ...over });
const model = (origins: unknown[], env: Record<string, unknown> = {}) => buildModel({ gateway: { ...gateway, environment: env }, origins }, { stack: "prod", ignoreOracle: () => "ignored" });
const refusals = (origins: unknown[], env: Record<string, unknown> = {}) => {
  try {
    model(origins, env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues.map((i) => [i.code, i.path]);
  }
};

describe("a tunnel origin", () => {
  it("is modelled with its tunnel, its service:// URL and the connector's target, and nothing else is needed", () => {
    const o = model([origin()]).origins[0]!;
    expect(o).toMatchObject({
      method: "tunnel",
      url: "service://warehouse-prod",
      tunnel: { tunnelName: "gl-prod-warehouse", service: "warehouse-prod", endpoint: "http://10.0.3.12:8080", accessibleBy: ["production"], replicas: 2, imagePinned: true },
      target: { cloud: "aws", originCidr: "10.0.3.12/32", originPort: 8080, tokenSecretName: "gatelock/prod/tunnel/gl-prod-warehouse/token" },
    });
    expect(variableSpecs(o)).toEqual([expect.objectContaining({ name: "WAREHOUSE_ORIGIN_URL", isSecret: false })]);
    expect(gatewayConfigFor(o)).toEqual({ origin: "warehouse", policies: [], inbound: [], handler: { export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: "${env.WAREHOUSE_ORIGIN_URL}" } } });
    expect(model([origin()]).findings).toEqual([]);
  });

  it("private addresses and names pass; public ones do not", () => {
    for (const h of ["10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "127.0.0.1", "100.64.0.1", "::1", "fd12:3456::1", "localhost", "orders", "orders.internal", "db.prod.svc.cluster.local", "nas.home.arpa"]) expect([h, isPrivateHost(h)]).toEqual([h, true]);
    for (const h of ["8.8.8.8", "172.32.0.1", "11.0.0.1", "2001:4860::8888", "api.example.com", "orders.internal.example.com"]) expect([h, isPrivateHost(h)]).toEqual([h, false]);
  });

  it("refuses a public endpoint, one replica, a non-HTTP endpoint, credentials in it, and a name the egress rule cannot use, at their keys", () => {
    expect(refusals([origin({}, { endpoint: "https://203.0.113.10" })])).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].tunnel.endpoint"]]);
    expect(refusals([origin({}, { replicas: 1 })])).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].tunnel.replicas"]]);
    expect(refusals([origin({}, { endpoint: "ftp://10.0.0.1/" })])).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].tunnel.endpoint"]]);
    expect(refusals([origin({}, { endpoint: "http://user:pw@10.0.0.1:8080" })])).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].tunnel.endpoint"]]);
    expect(refusals([origin({}, { endpoint: "http://orders.internal:8080" })])).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].aws.originCidr"]]);
    expect(refusals([origin({ aws: { ...aws, originCidr: "10.0.3.0/24" } }, { endpoint: "http://orders.internal:8080" })])).toEqual([]);
    expect(refusals([origin({ cloud: "gcp" })])).toContainEqual(["ERR_CONFIG_INVALID", "gatelock:origins[0].gcp"]);
  });

  it("the escape hatches are loudly named and reported", () => {
    const single = model([origin({}, { replicas: 1, dangerouslyAllowSingleReplica: true })]);
    expect(single.findings.map((f) => f.code)).toEqual(["WARN_SINGLE_REPLICA"]);
    const open = model([origin({}, { endpoint: "https://203.0.113.10", dangerouslyAllowPublicEndpoint: true })]);
    expect(open.findings.map((f) => f.code)).toEqual(["WARN_PUBLIC_ENDPOINT"]);
    const tag = model([origin({}, { image: "zuplo/tunnel:latest" })]);
    expect(tag.findings.map((f) => [f.code, f.path])).toEqual([["WARN_IMAGE_NOT_PINNED", "gatelock:origins[0].tunnel.image"]]);
  });

  it("one tunnel per origin: its own by default; naming another origin's tunnel is refused", () => {
    const a = origin();
    const b = { ...origin(), name: "ledger", tunnel: { endpoint: "http://10.0.3.13:8080", image: DIGEST } };
    expect(model([a, b]).origins.map((o) => (o.method === "tunnel" ? o.tunnel.tunnelName : ""))).toEqual(["gl-prod-warehouse", "gl-prod-ledger"]);
    expect(refusals([a, { ...b, tunnel: { ...b.tunnel, name: "gl-prod-warehouse" } }])).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[1].tunnel.name"]]);
    expect(refusals([a, { ...b, tunnel: { ...b.tunnel, service: "warehouse" } }])).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[1].tunnel.service"]]);
    // A long stack and origin name still fit Zuplo's 24 characters, distinctly.
    const long = buildModel({ gateway: { ...gateway, environment: {} }, origins: [{ ...a, name: "warehouse-north-eu" }, { ...a, name: "warehouse-north-us" }] }, { stack: "production-eu", ignoreOracle: () => "ignored" });
    const names = long.origins.map((o) => (o.method === "tunnel" ? o.tunnel.tunnelName : ""));
    expect(new Set(names).size).toBe(2);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9-]{3,24}$/);
  });

  it("needs the Developer API, where the tunnel is created", () => {
    expect(refusals([origin()], { developerApi: false, dotenv: ".env" })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].method"]]);
  });
});
