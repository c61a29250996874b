/**
 * The Kubernetes tunnel connector under mocks: every manifest validated against the Kubernetes
 * schema (kubernetes-models) AND its security-relevant fields asserted one by one (the library
 * does not reject unknown or misspelt fields), the token only ever inside the Secret as a Pulumi
 * secret, a rotated token rolling the pods, and the refusals of the model.
 */
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { Deployment as DeploymentModel } from "kubernetes-models/apps/v1/Deployment";
import { NetworkPolicy as NetworkPolicyModel } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget as PdbModel } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Secret as SecretModel } from "kubernetes-models/v1/Secret";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../components/errors";
import { KubernetesTunnelOrigin, type KubernetesTunnelOriginArgs } from "../components/kubernetes/tunnel-origin";
import { cloud } from "../components/kubernetes/program";
import { NON_PUBLIC_IPV4, TOKEN_VERSION_ANNOTATION, tokenVersion } from "../components/documents/kubernetes-tunnel";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import type { FakeCloudOptions } from "../components/testing/fakes";
import { isSecretValue, ofType, one, type RecordedResource, resolve, reveal } from "./harness";

const T = {
  secret: "kubernetes:core/v1:Secret",
  deployment: "kubernetes:apps/v1:Deployment",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  component: "gatelock:kubernetes:TunnelOrigin",
};
const PINNED = `zuplo/tunnel@sha256:${"a".repeat(64)}`;

const newToken = () => `tk_${randomBytes(24).toString("base64url")}`;

type Args = Omit<KubernetesTunnelOriginArgs, "tunnel"> & { tunnel?: Partial<KubernetesTunnelOriginArgs["tunnel"]> };

async function up(token: string, args: Args = {}, fakes: FakeCloudOptions = {}) {
  let component!: KubernetesTunnelOrigin;
  const run = await runUnderMocks(
    () => {
      component = new KubernetesTunnelOrigin("orders", { ...args, tunnel: { token: pulumi.secret(token), endpoint: "http://10.0.3.12:8080", image: PINNED, ...args.tunnel } });
      return { summary: component.summary, variables: component.gatewayVariables.map((v) => ({ name: v.name, value: v.value, isSecret: v.isSecret })) };
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const doc = (r: RecordedResource): any => reveal(r.inputs);

/** Every place a string occurs in a value, and whether it is inside a Pulumi secret there. */
function occurrences(v: unknown, needle: string, path = "", secret = false, out: { path: string; secret: boolean }[] = []) {
  if (isSecretValue(v)) return occurrences(v.value, needle, path, true, out);
  if (typeof v === "string" && v.includes(needle)) out.push({ path, secret });
  else if (Array.isArray(v)) v.forEach((x, i) => occurrences(x, needle, `${path}[${i}]`, secret, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) occurrences(x, needle, path ? `${path}.${k}` : k, secret, out);
  return out;
}

describe("KubernetesTunnelOrigin: the manifests", () => {
  it("registers a Secret, a Deployment, a PodDisruptionBudget and a NetworkPolicy, and no Service or anything else", async () => {
    const run = await up(newToken());
    const custom = run.resources.filter((r) => r.custom).map((r) => r.type).sort();
    expect(custom).toEqual([T.deployment, T.policy, T.pdb, T.secret].sort());
    expect(run.resources.some((r) => /Service|Ingress/.test(r.type) && r.type.startsWith("kubernetes:"))).toBe(false);
    const component = one(run.resources, T.component);
    for (const r of run.resources.filter((x) => x.custom)) expect(r.parent, r.type).toBe(component.urn);
  });

  it("every manifest validates against the Kubernetes schema (kubernetes-models), which does catch a broken one", async () => {
    const run = await up(newToken());
    new SecretModel(doc(one(run.resources, T.secret))).validate();
    new DeploymentModel(doc(one(run.resources, T.deployment))).validate();
    new PdbModel(doc(one(run.resources, T.pdb))).validate();
    new NetworkPolicyModel(doc(one(run.resources, T.policy))).validate();
    // The validator is really applied: a wrong type or a missing required field is caught.
    const d = doc(one(run.resources, T.deployment));
    expect(() => new DeploymentModel({ ...d, spec: { ...d.spec, replicas: "two" } }).validate()).toThrow();
    expect(() => new DeploymentModel({ ...d, spec: { ...d.spec, selector: undefined } }).validate()).toThrow();
    const n = doc(one(run.resources, T.policy));
    expect(() => new NetworkPolicyModel({ ...n, spec: { ...n.spec, egress: [{ to: [{ ipBlock: { except: ["10.0.0.0/8"] } }] }] } }).validate()).toThrow();
  });

  it("the Deployment: ≥ 2 replicas rolling one at a time, the token from the Secret, non-root, read-only, no capabilities, limits, no service account token", async () => {
    const run = await up(newToken());
    const secret = doc(one(run.resources, T.secret));
    const d = doc(one(run.resources, T.deployment));
    expect(d.apiVersion).toBe("apps/v1");
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(d.metadata.namespace).toBe("default");
    expect(secret.metadata.namespace).toBe("default");
    // The selector picks the template's pods (else the API server refuses the Deployment).
    const pod = d.spec.template;
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) expect(pod.metadata.labels[k]).toBe(v);

    const spec = pod.spec;
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
    expect(spec.containers).toHaveLength(1);
    expect(spec.initContainers).toBeUndefined();
    const c = spec.containers[0];
    expect(c.image).toBe(PINNED);
    expect(c.imagePullPolicy).toBe("IfNotPresent");
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
    // Nothing listens for anyone but the kubelet: no declared ports, no host ports.
    expect(c.ports).toBeUndefined();
    expect(c.readinessProbe.httpGet).toEqual({ path: "/ready", port: 2000 });
    expect(c.envFrom).toBeUndefined();
    const token = c.env.filter((e: { name: string }) => e.name === "TUNNEL_TOKEN");
    expect(token).toEqual([{ name: "TUNNEL_TOKEN", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "token" } } }]);
    expect(token[0].value).toBeUndefined();
    // Every other variable is a plain, non-secret setting.
    expect(c.env.filter((e: { name: string }) => e.name !== "TUNNEL_TOKEN")).toEqual([{ name: "TUNNEL_METRICS", value: "0.0.0.0:2000" }]);
    // Mounts: only the in-memory /tmp, never the Secret as a volume.
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }]);
  });

  it("the PodDisruptionBudget keeps one replica through drains, selecting exactly the connector's pods", async () => {
    const run = await up(newToken());
    const d = doc(one(run.resources, T.deployment));
    const pdb = doc(one(run.resources, T.pdb));
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
    expect(pdb.spec.selector).toEqual(d.spec.selector);
    expect(pdb.metadata.namespace).toBe(d.metadata.namespace);
  });

  it("the NetworkPolicy: no ingress, egress only to DNS in kube-system, 7844 and 443 to public addresses, and the origin's CIDR and port", async () => {
    const run = await up(newToken());
    const d = doc(one(run.resources, T.deployment));
    const np = doc(one(run.resources, T.policy));
    expect(np.spec.podSelector).toEqual(d.spec.selector);
    expect([...np.spec.policyTypes].sort()).toEqual(["Egress", "Ingress"]);
    expect(np.spec.ingress).toEqual([]);
    expect(np.spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
      { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC_IPV4] } }], ports: [{ protocol: "TCP", port: 7844 }, { protocol: "TCP", port: 443 }] },
      { to: [{ ipBlock: { cidr: "10.0.3.12/32" } }], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
    // Every egress rule names both its peers and its ports, except a Service's namespace (see below).
    for (const rule of np.spec.egress) expect(rule.to.length).toBeGreaterThan(0);
    // The policy exists before the pods.
    expect(one(run.resources, T.deployment).dependsOn).toContain(one(run.resources, T.policy).urn);
  });

  it("a cluster Service endpoint is reached through its namespace (the policy sees target ports, not the Service's); originCidr wins over the endpoint", async () => {
    const svc = await up(newToken(), { tunnel: { endpoint: "http://orders.shop.svc.cluster.local:80" } });
    expect(doc(one(svc.resources, T.policy)).spec.egress[2]).toEqual({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }] });
    const bare = await up(newToken(), { namespace: "edge", tunnel: { endpoint: "http://orders:8080" } });
    expect(doc(one(bare.resources, T.policy)).spec.egress[2]).toEqual({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "edge" } } }] });
    const cidr = await up(newToken(), { originCidr: "10.20.0.0/16", tunnel: { endpoint: "http://orders.internal:9000" } });
    expect(doc(one(cidr.resources, T.policy)).spec.egress[2]).toEqual({ to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 9000 }] });
  });

  it("a connector carrying other origins of its tunnel allows each of them, once per peer, and the policy stays valid", async () => {
    const carried = (origin: string, endpoint: string) => ({ origin, tunnel: "gl-prod-orders", name: `${origin}-prod`, endpoint, accessibleBy: ["production" as const] });
    const run = await up(newToken(), { tunnel: { alsoCarries: [carried("ledger", "http://10.0.4.20:9090"), carried("stock", "http://stock.shop.svc:80"), carried("stock2", "http://stock2.shop.svc:8080")] } });
    const np = doc(one(run.resources, T.policy));
    expect(np.spec.egress.slice(2)).toEqual([
      { to: [{ ipBlock: { cidr: "10.0.3.12/32" } }], ports: [{ protocol: "TCP", port: 8080 }] },
      { to: [{ ipBlock: { cidr: "10.0.4.20/32" } }], ports: [{ protocol: "TCP", port: 9090 }] },
      // Two Services of one namespace: one rule.
      { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }] },
    ]);
    new NetworkPolicyModel(np).validate();
    expect(run.component.tunnelServices.map((t) => t.origin)).toEqual(["orders", "ledger", "stock", "stock2"]);
  });

  it("networkPolicy: false leaves it out; everything else stays", async () => {
    const run = await up(newToken(), { networkPolicy: false, tunnel: { endpoint: "http://orders.internal:8080" } });
    expect(ofType(run.resources, T.policy)).toEqual([]);
    expect(one(run.resources, T.deployment).dependsOn).toEqual([one(run.resources, T.secret).urn]);
    expect(run.outputs.summary).toMatchObject({ networkPolicy: false });
  });

  it("a namespace from another resource's output reaches every object", async () => {
    const run = await up(newToken(), { namespace: pulumi.output("tunnels") });
    for (const type of [T.secret, T.deployment, T.pdb, T.policy]) expect(doc(one(run.resources, type)).metadata.namespace, type).toBe("tunnels");
    expect(run.outputs.summary).toMatchObject({ namespace: "tunnels" });
  });

  it("names: one connector per tunnel and stack, lower case, within Kubernetes' 63 characters", async () => {
    const run = await up(newToken(), { tunnel: { name: "Orders-EU" } });
    expect(doc(one(run.resources, T.deployment)).metadata.name).toBe("gatelock-prod-orders-eu");
    expect(doc(one(run.resources, T.secret)).metadata.name).toBe("gatelock-prod-orders-eu-token");
    expect(run.component.secretName).toBe("gatelock-prod-orders-eu-token");
  });
});

describe("KubernetesTunnelOrigin: the token", () => {
  it("appears only in the Secret's stringData, as a Pulumi secret: nowhere else in inputs, outputs or the summary", async () => {
    const token = newToken();
    const run = await up(token);
    const found = run.resources.flatMap((r) => occurrences(r.inputs, token).map((o) => ({ ...o, type: r.type })));
    expect(found).toEqual([{ type: T.secret, path: "stringData.token", secret: true }]);
    expect(JSON.stringify(run.outputs)).not.toContain(token);
    // The fakes' state, what `pulumi up` would store as outputs, keeps it secret too.
    for (const [key, r] of run.fakes.produced) {
      for (const o of occurrences(r.state, token)) expect(o.secret, `${key} ${o.path}`).toBe(true);
    }
    // The gateway gets the service:// URL, plain, and no token.
    expect(run.outputs.variables).toEqual([{ name: "ORDERS_ORIGIN_URL", value: "service://orders-prod", isSecret: false }]);
  });

  it("a rotated token updates the Secret and the pod annotation (rolling the pods); the same token changes neither", async () => {
    const first = newToken();
    const a = await up(first);
    const annotation = (r: typeof a) => doc(one(r.resources, T.deployment)).spec.template.metadata.annotations[TOKEN_VERSION_ANNOTATION];
    expect(annotation(a)).toBe(tokenVersion(first));
    expect(annotation(a)).toMatch(/^[0-9a-f]{16}$/);
    const again = await up(first, {}, { prior: a.fakes.produced });
    expect(annotation(again)).toBe(annotation(a));
    const second = newToken();
    const b = await up(second, {}, { prior: a.fakes.produced });
    expect(annotation(b)).not.toBe(annotation(a));
    expect(doc(one(b.resources, T.secret)).stringData.token).toBe(second);
    // The Secret is updated before the Deployment, so new pods start with the new token.
    expect(one(b.resources, T.deployment).dependsOn).toContain(one(b.resources, T.secret).urn);
    // Only the annotation differs between the two templates: nothing else restarts pods.
    const t = (r: typeof a) => {
      const tpl = structuredClone(doc(one(r.resources, T.deployment)).spec.template);
      delete tpl.metadata.annotations[TOKEN_VERSION_ANNOTATION];
      return tpl;
    };
    expect(t(b)).toEqual(t(a));
  });

  it("the annotation is a one-way hash, not the token or any piece of it", () => {
    const token = newToken();
    const v = tokenVersion(token);
    for (let i = 0; i + 8 <= v.length; i++) expect(token).not.toContain(v.slice(i, i + 8));
    expect(tokenVersion(token)).toBe(v);
    expect(tokenVersion(`${token}x`)).not.toBe(v);
  });

  it("a token passed as a plain Output (another resource's, not marked secret) is still stored only as a secret", async () => {
    const token = newToken();
    const run = await runUnderMocks(
      () => {
        new KubernetesTunnelOrigin("orders", { tunnel: { token: pulumi.output(Promise.resolve(token)), endpoint: "http://10.0.3.12:8080" } });
        return {};
      },
      { stack: "prod" },
    );
    const found = run.resources.flatMap((r) => occurrences(r.inputs, token).map((o) => ({ ...o, type: r.type })));
    expect(found).toEqual([{ type: T.secret, path: "stringData.token", secret: true }]);
    expect(doc(one(run.resources, T.deployment)).spec.template.metadata.annotations[TOKEN_VERSION_ANNOTATION]).toBe(tokenVersion(token));
  });
});

describe("KubernetesTunnelOrigin: the model's findings and refusals", () => {
  it("a tag is accepted with WARN_IMAGE_NOT_PINNED and pulled again each time", async () => {
    const run = await up(newToken(), { tunnel: { image: "zuplo/tunnel:latest" } });
    expect(run.component.findings.map((f) => f.code)).toContain("WARN_IMAGE_NOT_PINNED");
    expect(doc(one(run.resources, T.deployment)).spec.template.spec.containers[0].imagePullPolicy).toBe("Always");
  });

  it("one replica is refused, unless dangerouslyAllowSingleReplica: then a warning and no PodDisruptionBudget (it would block every drain)", async () => {
    const e = await failure(up(newToken(), { tunnel: { replicas: 1 } }));
    expect(e.cause).toBeInstanceOf(ConfigError);
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["orders: tunnel.replicas"]);
    expect(e.resources.filter((r) => r.custom)).toEqual([]);
    const dev = await up(newToken(), { tunnel: { replicas: 1, dangerouslyAllowSingleReplica: true } });
    expect(dev.component.findings.map((f) => f.code)).toContain("WARN_SINGLE_REPLICA");
    expect(doc(one(dev.resources, T.deployment)).spec.replicas).toBe(1);
    expect(ofType(dev.resources, T.pdb)).toEqual([]);
    const three = await up(newToken(), { tunnel: { replicas: 3 } });
    expect(doc(one(three.resources, T.deployment)).spec.replicas).toBe(3);
  });

  it("a public endpoint, and a name outside the cluster with a NetworkPolicy but no originCidr, are refused before any resource", async () => {
    for (const [endpoint, path] of [
      ["http://203.0.113.9:8080", /^orders: tunnel\.endpoint$/],
      // `originCidr` is a top-level arg; checked-origin's argPath may still prefix the block.
      ["http://orders.internal:8080", /^orders: (kubernetes\.)?originCidr$/],
    ] as const) {
      const e = await failure(up(newToken(), { tunnel: { endpoint } }));
      expect((e.cause as ConfigError).issues.map((i) => i.path), endpoint).toEqual([expect.stringMatching(path)]);
      expect(e.resources.filter((r) => r.custom)).toEqual([]);
    }
  });

  it("a namespace Output that resolves to an invalid name fails the run, and no object is created in it", async () => {
    const e = await failure(up(newToken(), { namespace: pulumi.output("Not_A_Namespace") }));
    expect(e.cause).toBeInstanceOf(ConfigError);
    expect(ofType(e.resources, T.deployment)).toEqual([]);
  });
});

describe("the kubernetes cloud module", () => {
  it("names its cloud; the component's summary shows connector, replicas, egress and token store, never the token", async () => {
    expect(cloud.cloud).toBe("kubernetes");
    const token = newToken();
    const run = await up(token);
    expect(run.outputs.summary).toMatchObject({
      connector: "kubernetes",
      replicas: 2,
      tokenStore: "Secret gatelock-prod-gl-prod-orders-token",
      service: "service://orders-prod",
      egress: expect.arrayContaining([expect.stringContaining("7844"), expect.stringContaining("10.0.3.12/32 port 8080")]),
    });
    expect(run.component.tunnelService).toEqual({ origin: "orders", tunnel: "gl-prod-orders", name: "orders-prod", endpoint: "http://10.0.3.12:8080", accessibleBy: ["production"] });
    expect(await resolve(run.component.namespace)).toBe("default");
  });
});
