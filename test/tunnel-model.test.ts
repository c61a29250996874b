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
      target: { cloud: "aws", reaches: [{ endpoint: "http://10.0.3.12:8080", cidr: "10.0.3.12/32", port: 8080 }], tokenSecretName: "gatelock/prod/tunnel/gl-prod-warehouse/token" },
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

  it("a tunnel of its own by default; origins naming one tunnel share the first one's connector, which reaches them all", () => {
    const a = origin();
    const b = { ...origin(), name: "ledger", tunnel: { endpoint: "http://10.0.3.13:9090", image: DIGEST } };
    expect(model([a, b]).origins.map((o) => (o.method === "tunnel" ? [o.tunnel.tunnelName, o.tunnel.carrier, o.tunnel.alsoCarries.length] : []))).toEqual([
      ["gl-prod-warehouse", "warehouse", 0],
      ["gl-prod-ledger", "ledger", 0],
    ]);
    const shared = { ...b, tunnel: { ...b.tunnel, name: "gl-prod-warehouse", accessibleBy: ["production", "preview"] } };
    const [w, l] = model([a, shared, origin({ name: "billing" }, { endpoint: "http://10.0.3.14:8080" })]).origins;
    expect(w).toMatchObject({
      tunnel: { tunnelName: "gl-prod-warehouse", carrier: "warehouse", alsoCarries: [{ origin: "ledger", service: "ledger-prod", endpoint: "http://10.0.3.13:9090", accessibleBy: ["production", "preview"] }] },
      target: { reaches: [{ cidr: "10.0.3.12/32", port: 8080 }, { cidr: "10.0.3.13/32", port: 9090 }] },
    });
    expect(l).toMatchObject({ url: "service://ledger-prod", tunnel: { tunnelName: "gl-prod-warehouse", carrier: "warehouse", alsoCarries: [] } });
    // The same address range and port is one egress rule.
    const ranged = (o: ReturnType<typeof origin>) => ({ ...o, aws: { ...aws, originCidr: "10.0.3.0/24" } });
    const [r] = model([ranged(a), ranged({ ...shared, tunnel: { ...shared.tunnel, endpoint: "http://10.0.3.13:8080" } })]).origins;
    expect(r).toMatchObject({ target: { reaches: [{ cidr: "10.0.3.0/24", port: 8080 }] } });
  });

  it("origins sharing a tunnel must agree on where and how its connector runs, and each needs its own service", () => {
    const a = origin();
    const b = { ...origin(), name: "ledger", tunnel: { name: "gl-prod-warehouse", endpoint: "http://10.0.3.13:8080", image: DIGEST } };
    expect(refusals([a, b])).toEqual([]);
    expect(refusals([a, { ...b, tunnel: { ...b.tunnel, image: "zuplo/tunnel:latest" } }])).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[1].tunnel.image"]]);
    expect(refusals([a, { ...b, tunnel: { ...b.tunnel, replicas: 3, rotateAfterDays: 30 } }])).toEqual([
      ["ERR_CONFIG_CONFLICT", "gatelock:origins[1].tunnel.rotateAfterDays"],
      ["ERR_CONFIG_CONFLICT", "gatelock:origins[1].tunnel.replicas"],
    ]);
    expect(refusals([a, { ...b, aws: { ...aws, subnets: ["subnet-0b2c3d4e5f6071829"] } }])).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[1].aws"]]);
    expect(refusals([a, { ...b, cloud: "kubernetes", aws: undefined }])).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[1].cloud"]]);
    expect(refusals([a, { ...b, tunnel: { ...b.tunnel, service: "warehouse-prod" } }])).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[1].tunnel.service"]]);
    const [message] = (() => {
      try {
        model([a, { ...b, tunnel: { ...b.tunnel, image: "zuplo/tunnel:latest" } }]);
        return [];
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.message} ${i.fix}`);
      }
    })();
    expect(message).toContain("carried by gatelock:origins[0]");
    expect(message).toContain("give this origin a tunnel of its own");
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
