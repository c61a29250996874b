/**
 * Method 4 on AWS, `AwsMtlsOrigin` under the mock engine with faithful fakes: the trust store
 * (a versioned, private, TLS-only bucket whose object version every consumer pins), API Gateway
 * custom domains (HTTP and REST APIs) and an ALB listener that verify the gateway's client
 * certificate. The bundle is judged by tools nobody here wrote (node's X.509, `openssl
 * verify`), the bucket policy by an IAM policy simulator, and a CA rotation is followed across
 * deployments.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { DomainName as RestDomainName } from "@pulumi/aws/apigateway/domainName";
import { DomainName as HttpDomainName } from "@pulumi/aws/apigatewayv2/domainName";
import { Listener } from "@pulumi/aws/lb/listener";
import { TrustStore } from "@pulumi/aws/lb/trustStore";
import { Bucket } from "@pulumi/aws/s3/bucket";
import { BucketObjectv2 } from "@pulumi/aws/s3/bucketObjectv2";
import { BucketPolicy } from "@pulumi/aws/s3/bucketPolicy";
import { BucketVersioning } from "@pulumi/aws/s3/bucketVersioning";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALB_SSL_POLICY, AwsMtlsOrigin, type AwsMtlsOriginArgs } from "../components/aws/index";
import { s3Uri, truststoreBucketPolicy } from "../components/documents/aws-truststore";
import { ConfigError, ResourceRefusedError } from "../components/errors";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import { type PriorResource, UNFAKED } from "../components/testing/fakes";
import { config } from "./fixtures/configs";
import { isSecretValue, ofType, one, plainStrings, type RecordedResource, reveal, runProgram } from "./harness";

const DAY = 24 * 60 * 60 * 1000;
const t0 = Date.parse("2026-03-01T00:00:00Z");
const ACCOUNT = "123456789012";
const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0f8fad5b-d9cb-469f-a165-70867728950e`;
const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/orders/50dc6c495c0c9188`;
const TG = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/orders/73e2d6bc24d8a067`;
const KEY = "gatelock/prod/orders/truststore.pem";

const T = {
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  object: "aws:s3/bucketObjectv2:BucketObjectv2",
  httpDomain: "aws:apigatewayv2/domainName:DomainName",
  apiMapping: "aws:apigatewayv2/apiMapping:ApiMapping",
  restDomain: "aws:apigateway/domainName:DomainName",
  basePath: "aws:apigateway/basePathMapping:BasePathMapping",
  trustStore: "aws:lb/trustStore:TrustStore",
  listener: "aws:lb/listener:Listener",
  caCert: "tls:index/selfSignedCert:SelfSignedCert",
  clientCert: "tls:index/locallySignedCert:LocallySignedCert",
  key: "tls:index/privateKey:PrivateKey",
};

const gateway = { account: "acme", project: "orders-api", branch: "main" };
const apiGateway = { domainName: "orders.api.example.com", certificateArn: CERT, apiId: "a1b2c3d4e5", executeApiEndpointDisabled: true };
const alb = { loadBalancerArn: LB, certificateArn: CERT, targetGroupArn: TG };
const typical: AwsMtlsOriginArgs = { gateway, region: "us-east-1", url: "https://orders.api.example.com", apiGateway, alb };

interface Deployed {
  readonly resources: readonly RecordedResource[];
  readonly produced: ReadonlyMap<string, PriorResource>;
  /** The component's summary, resolved (secrets would show here revealed). */
  readonly summary: Record<string, any>;
  /** URNs each gateway variable and certificate waits for. */
  readonly waits: { variable: string[]; certificate: string[] };
  readonly certificatePem: string;
}

async function deploy(args: AwsMtlsOriginArgs, fakes: { prior?: ReadonlyMap<string, PriorResource>; now?: number } = {}): Promise<Deployed> {
  const run = await runUnderMocks(
    () => {
      const origin = new AwsMtlsOrigin("orders", args);
      const variable = origin.gatewayVariables.find((v) => v.name === "ORDERS_MTLS_CERT")!;
      const certificate = origin.gatewayCertificates[0]!;
      return {
        summary: origin.summary,
        waits: { variable: (variable.dependsOn ?? []).map((r) => r.urn), certificate: (certificate.dependsOn ?? []).map((r) => r.urn) },
        certificatePem: certificate.certificate,
      };
    },
    { stack: "prod", fakes: { now: () => new Date(fakes.now ?? t0), ...(fakes.prior ? { prior: fakes.prior } : {}) } },
  );
  const out = run.outputs as unknown as { summary: Record<string, any>; waits: Deployed["waits"]; certificatePem: string };
  return { resources: run.resources, produced: run.fakes.produced, summary: out.summary, waits: out.waits, certificatePem: out.certificatePem };
}

const state = (d: Deployed, type: string, name: string) => {
  const s = d.produced.get(`${type}::${name}`);
  if (!s) throw new Error(`nothing produced for ${type}::${name}`);
  return reveal(s.state) as Record<string, any>;
};
const inputs = (d: Deployed, type: string) => reveal(one(d.resources, type).inputs) as Record<string, any>;
const pems = (bundle: string) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];

async function failure(p: Promise<unknown>): Promise<MockRunError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(MockRunError);
  return e as MockRunError;
}

const openssl = spawnSync("openssl", ["version"]).status === 0;
let dir: string;
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text, { mode: 0o600 });
  return p;
};
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-aws-"));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("AwsMtlsOrigin: what it registers", () => {
  let d: Deployed;
  beforeAll(async () => {
    UNFAKED.length = 0;
    d = await deploy(typical);
  }, 60_000);

  it("a versioned, private, owner-enforced trust store bucket in the origin's region, every AWS child with that region", () => {
    expect(UNFAKED.filter((t) => t.startsWith("aws:"))).toEqual([]);
    const bucket = inputs(d, T.bucket);
    expect(bucket.bucket).toBeUndefined();
    expect(bucket.bucketPrefix).toBe("gl-prod-orders-");
    const name = state(d, T.bucket, "orders-truststore").bucket as string;
    expect(name).toMatch(/^gl-prod-orders-\d{26}$/);
    expect(inputs(d, T.versioning)).toMatchObject({ bucket: name, versioningConfiguration: { status: "Enabled" } });
    expect(inputs(d, T.publicAccess)).toMatchObject({ bucket: name, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(inputs(d, T.ownership)).toMatchObject({ bucket: name, rule: { objectOwnership: "BucketOwnerEnforced" } });
    expect(inputs(d, T.policy).bucket).toBe(name);
    for (const r of d.resources.filter((x) => x.type.startsWith("aws:"))) expect(reveal(r.inputs.region), `${r.type} ${r.name}`).toBe("us-east-1");
    // The policy waits for the public access block (S3 refuses concurrent access changes).
    expect(one(d.resources, T.policy).dependsOn).toContain(one(d.resources, T.publicAccess).urn);
  });

  it("the bundle object, after versioning, with a version ID and the content's MD5 as ETag", () => {
    const object = one(d.resources, T.object);
    expect(object.name).toBe("orders-truststore-bundle");
    expect(object.dependsOn).toContain(one(d.resources, T.versioning).urn);
    const i = reveal(object.inputs) as Record<string, string>;
    expect(i.key).toBe(KEY);
    const s = state(d, T.object, "orders-truststore-bundle");
    expect(s.versionId).toMatch(/^[A-Za-z0-9._]{32}$/);
    expect(s.etag).toBe(createHash("md5").update(i.content!).digest("hex"));
  });

  it("an HTTP API custom domain with mutual TLS pinned to the object's version, mapped to the API's stage", () => {
    const bucketName = state(d, T.bucket, "orders-truststore").bucket as string;
    const version = state(d, T.object, "orders-truststore-bundle").versionId;
    const domain = inputs(d, T.httpDomain);
    expect(domain.domainName).toBe("orders.api.example.com");
    expect(domain.domainNameConfiguration).toEqual({ certificateArn: CERT, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" });
    expect(domain.mutualTlsAuthentication).toEqual({ truststoreUri: `s3://${bucketName}/${KEY}`, truststoreVersion: version });
    expect(inputs(d, T.apiMapping)).toMatchObject({ apiId: "a1b2c3d4e5", stage: "$default", domainName: "orders.api.example.com" });
    expect(ofType(d.resources, T.restDomain)).toEqual([]);
    expect(d.summary).toMatchObject({ truststoreUri: `s3://${bucketName}/${KEY}`, truststoreVersion: version, bucketName, domainName: "orders.api.example.com", executeApiEndpoint: "disabled (declared)", regionalHostedZoneId: "Z1UJRXOUMOOFQ8" });
    expect(d.summary.regionalDomainName).toMatch(/^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/);
  });

  it("an ELB trust store on the same object version, and an HTTPS listener in verify mode on a TLS 1.3 policy", () => {
    const bucketName = state(d, T.bucket, "orders-truststore").bucket as string;
    const version = state(d, T.object, "orders-truststore-bundle").versionId;
    expect(inputs(d, T.trustStore)).toMatchObject({ caCertificatesBundleS3Bucket: bucketName, caCertificatesBundleS3Key: KEY, caCertificatesBundleS3ObjectVersion: version });
    const trustStoreArn = state(d, T.trustStore, "orders-alb-truststore").arn as string;
    expect(trustStoreArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore\/gl-\d{26}\/[0-9a-f]{16}$/);
    const listener = inputs(d, T.listener);
    expect(listener).toMatchObject({ loadBalancerArn: LB, port: 443, protocol: "HTTPS", certificateArn: CERT, sslPolicy: ALB_SSL_POLICY, defaultActions: [{ type: "forward", targetGroupArn: TG }] });
    expect(ALB_SSL_POLICY).toMatch(/^ELBSecurityPolicy-TLS13-/);
    expect(listener.mutualAuthentication).toEqual({ mode: "verify", trustStoreArn, ignoreClientCertificateExpiry: false });
    expect(d.summary.listenerArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener\/app\/orders\/50dc6c495c0c9188\/[0-9a-f]{16}$/);
    expect(d.summary.trustStoreArn).toBe(trustStoreArn);
  });

  it("the gateway's variable and certificate wait for the bundle object, the domain, the trust store and the listener", () => {
    const urns = [T.object, T.httpDomain, T.trustStore, T.listener].map((t) => one(d.resources, t).urn);
    expect([...d.waits.variable].sort()).toEqual([...urns].sort());
    expect([...d.waits.certificate].sort()).toEqual([...urns].sort());
  });

  it("a REST API: a regional domain (types as one string), TLS 1.2, a base path mapping to the named stage; no ALB children without `alb`", async () => {
    const rest = await deploy({ gateway, region: "eu-west-1", apiGateway: { ...apiGateway, certificateArn: CERT.replace("us-east-1", "eu-west-1"), type: "rest", stage: "prod", executeApiEndpointDisabled: false, dangerouslyAllowExecuteApiEndpoint: true } });
    const domain = inputs(rest, T.restDomain);
    expect(domain).toMatchObject({ domainName: "orders.api.example.com", regionalCertificateArn: CERT.replace("us-east-1", "eu-west-1"), endpointConfiguration: { types: "REGIONAL" }, securityPolicy: "TLS_1_2" });
    expect(domain.certificateArn).toBeUndefined();
    expect(domain.mutualTlsAuthentication.truststoreVersion).toBe(state(rest, T.object, "orders-truststore-bundle").versionId);
    expect(inputs(rest, T.basePath)).toMatchObject({ restApi: "a1b2c3d4e5", stageName: "prod", domainName: "orders.api.example.com" });
    expect(rest.summary).toMatchObject({ executeApiEndpoint: "open (dangerouslyAllowExecuteApiEndpoint)", regionalHostedZoneId: "ZLY8HYME6SFDD", apiType: "rest" });
    expect(rest.summary.regionalDomainName).toMatch(/^d-[a-z0-9]{10}\.execute-api\.eu-west-1\.amazonaws\.com$/);
    expect([...ofType(rest.resources, T.httpDomain), ...ofType(rest.resources, T.trustStore), ...ofType(rest.resources, T.listener)]).toEqual([]);
    expect(rest.summary.listenerArn).toBeUndefined();
  });

  it("a named bucket is used as given", async () => {
    const named = await deploy({ ...typical, truststoreBucket: "acme-orders-truststore" });
    expect(inputs(named, T.bucket)).toMatchObject({ bucket: "acme-orders-truststore" });
    expect(inputs(named, T.bucket).bucketPrefix).toBeUndefined();
    expect(named.summary.truststoreUri).toBe(`s3://acme-orders-truststore/${KEY}`);
  });

  it("a stack file's `aws` block builds the same children through the program (the `mtls` builder)", async () => {
    const { url, ...stackForm } = typical;
    const origin = { name: "orders", method: "mtls", cloud: "aws", url, aws: { region: stackForm.region, apiGateway, alb } };
    const run = await runProgram(config(origin), { stack: "prod", fakes: { now: () => new Date(t0) } });
    const names = (rs: readonly RecordedResource[]) => rs.filter((r) => r.type.startsWith("aws:")).map((r) => `${r.type}::${r.name}`).sort();
    expect(names(run.resources)).toEqual(names(d.resources));
    expect(one(run.resources, "gatelock:aws:MtlsOrigin").name).toBe("orders");
    expect(reveal(one(run.resources, T.listener).inputs.mutualAuthentication)).toMatchObject({ mode: "verify" });
    const variable = ofType(run.resources, "pulumi-nodejs:dynamic/gatelock:ZuploVariable").find((v) => v.inputs.name === "ORDERS_MTLS_CERT");
    expect(variable?.dependsOn).toEqual(expect.arrayContaining([T.object, T.httpDomain, T.trustStore, T.listener].map((t) => one(run.resources, t).urn)));
  }, 60_000);
});

describe("the trust store holds exactly the PKI's CA", () => {
  let d: Deployed;
  beforeAll(async () => {
    d = await deploy(typical);
  }, 60_000);

  it("one certificate: the current CA, which issued the gateway's client certificate; the other CA slot is not trusted", () => {
    const content = inputs(d, T.object).content as string;
    const certs = pems(content).map((p) => new X509Certificate(p));
    expect(certs).toHaveLength(1);
    const ca = certs[0]!;
    const a = new X509Certificate(state(d, T.caCert, "orders-ca-a").certPem);
    const b = new X509Certificate(state(d, T.caCert, "orders-ca-b").certPem);
    expect(ca.fingerprint256).toBe(a.fingerprint256);
    expect(ca.fingerprint256).not.toBe(b.fingerprint256);
    expect(ca.ca).toBe(true);
    const client = new X509Certificate(state(d, T.clientCert, "orders-client-cert").certPem);
    expect(d.certificatePem).toBe(client.toString());
    expect(client.checkIssued(ca)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(client.verify(b.publicKey)).toBe(false);
    // The subject names the gateway that presents it: account/project@branch.
    expect(client.subject).toContain("CN=acme/orders-api@main");
  });

  it.skipIf(!openssl)("openssl verify accepts the client certificate against the bundle, for client auth only, and refuses it against the other slot", () => {
    const bundle = write("bundle.pem", inputs(d, T.object).content as string);
    const client = write("client.pem", state(d, T.clientCert, "orders-client-cert").certPem);
    expect(execFileSync("openssl", ["verify", "-CAfile", bundle, "-purpose", "sslclient", client]).toString()).toBe(`${client}: OK\n`);
    expect(spawnSync("openssl", ["verify", "-CAfile", bundle, "-purpose", "sslserver", client]).status).not.toBe(0);
    const other = write("other.pem", state(d, T.caCert, "orders-ca-b").certPem);
    expect(spawnSync("openssl", ["verify", "-CAfile", other, client]).status).not.toBe(0);
  });

  it("no private key in the summary, in any AWS resource's plain inputs, or as a component input", () => {
    const keys = [...d.produced].filter(([k]) => k.startsWith(`${T.key}::`)).map(([, r]) => String(reveal(r.state.privateKeyPem)));
    expect(keys.length).toBe(3);
    const summary = JSON.stringify(d.summary);
    expect(summary).not.toMatch(/PRIVATE KEY/);
    for (const k of keys) expect(summary).not.toContain(k.split("\n")[1]);
    for (const r of d.resources.filter((x) => x.type.startsWith("aws:"))) {
      const plain = plainStrings(r.inputs).join("\n");
      expect(plain, `${r.type} ${r.name}`).not.toMatch(/PRIVATE KEY/);
      for (const k of keys) expect(plain).not.toContain(k.split("\n")[1]);
      // Nothing on AWS is a secret at all: the bundle is public.
      expect(JSON.stringify(r.inputs)).not.toContain("4dabf18193072939515e22adb298388d");
    }
    for (const r of d.resources.filter((x) => !x.custom)) expect(r.inputs).toEqual({});
  });
});

describe("the trust store bucket's policy, judged by an IAM policy simulator", () => {
  const bucketArn = "arn:aws:s3:::gl-prod-orders-20260301000000000000000001";
  const policy = truststoreBucketPolicy(bucketArn);
  const deployer = `arn:aws:iam::${ACCOUNT}:role/deployer`;
  async function decide(action: string, resource: string, context: Record<string, string>) {
    const sim: Simulation = {
      request: { principal: deployer, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      // The deployer may do anything in S3: only the bucket policy can deny.
      identityPolicies: [{ name: "deployer", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    };
    const result = await runSimulation(sim, {});
    if (result.resultType === "error") throw new Error(`simulator refused the request: ${JSON.stringify(result.errors)}`);
    if (result.resultType === "single") expect(result.result.ignoredContextKeys ?? []).toEqual([]);
    return result.overallResult;
  }
  const object = `${bucketArn}/${KEY}`;

  it("allows the deployer over TLS 1.2 and 1.3 (the allowed case first)", async () => {
    expect(await decide("s3:GetObject", object, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" })).toBe("Allowed");
    expect(await decide("s3:PutObject", object, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" })).toBe("Allowed");
    expect(await decide("s3:GetObjectVersion", object, { "aws:SecureTransport": "true" })).toBe("Allowed");
  });

  it("denies every request without TLS, explicitly, on the objects and the bucket", async () => {
    for (const [action, resource] of [["s3:GetObject", object], ["s3:GetObjectVersion", object], ["s3:PutObject", object], ["s3:ListBucket", bucketArn], ["s3:PutBucketPolicy", bucketArn], ["s3:DeleteBucket", bucketArn]] as const) {
      expect(await decide(action, resource, { "aws:SecureTransport": "false" }), action).toBe("ExplicitlyDenied");
    }
  });

  it("denies TLS older than 1.2", async () => {
    expect(await decide("s3:PutObject", object, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.1" })).toBe("ExplicitlyDenied");
  });

  it("grants nothing itself, and the component attaches it to its own bucket", async () => {
    expect(policy.Statement.every((s) => s.Effect === "Deny")).toBe(true);
    const d = await deploy(typical);
    const name = state(d, T.bucket, "orders-truststore").bucket as string;
    expect(JSON.parse(inputs(d, T.policy).policy)).toEqual(truststoreBucketPolicy(`arn:aws:s3:::${name}`));
    expect(s3Uri(name, KEY)).toBe(`s3://${name}/${KEY}`);
    expect(() => s3Uri(name, `/${KEY}`)).toThrow(TypeError);
  });
});

describe("refusals", () => {
  const run = (program: () => void) => runUnderMocks(async () => void program(), { stack: "prod" });

  it("known bad values throw ConfigError naming `orders: <arg>` before any child is registered", async () => {
    const e = await failure(run(() => new AwsMtlsOrigin("orders", { ...typical, apiGateway: { ...apiGateway, executeApiEndpointDisabled: false }, alb: { ...alb, mode: "passthrough" } })));
    const err = e.cause as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => [i.code, i.path]).sort()).toEqual([
      ["ERR_TRUST_UNSAFE", "orders: alb.mode"],
      ["ERR_TRUST_UNSAFE", "orders: apiGateway.executeApiEndpointDisabled"],
    ]);
    expect(e.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("an Output that resolves to a refused certificate ARN fails the run, and the domain is never created", async () => {
    const e = await failure(run(() => new AwsMtlsOrigin("orders", { ...typical, alb: undefined, apiGateway: { ...apiGateway, certificateArn: pulumi.output(`arn:aws:iam::${ACCOUNT}:server-certificate/orders`) } })));
    const err = e.cause as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => i.path)).toEqual(["orders: apiGateway.certificateArn"]);
    expect(ofType(e.resources, T.httpDomain)).toEqual([]);
    expect(ofType(e.resources, T.apiMapping)).toEqual([]);
  });

  it("an Output load balancer ARN of a network load balancer fails the run, and the listener is never created", async () => {
    const nlb = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/net/orders/50dc6c495c0c9188`;
    const e = await failure(run(() => new AwsMtlsOrigin("orders", { ...typical, apiGateway: undefined, alb: { ...alb, loadBalancerArn: pulumi.output(nlb) } })));
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["orders: alb.loadBalancerArn"]);
    expect(ofType(e.resources, T.listener)).toEqual([]);
  });

  it("Outputs that resolve to good values build the same children", async () => {
    const r = await runUnderMocks(
      async () => {
        new AwsMtlsOrigin("orders", { ...typical, apiGateway: { ...apiGateway, apiId: pulumi.output("a1b2c3d4e5"), domainName: pulumi.output("orders.api.example.com") }, alb: { ...alb, targetGroupArn: pulumi.output(TG) } });
      },
      { stack: "prod" },
    );
    expect(reveal(one(r.resources, T.apiMapping).inputs)).toMatchObject({ apiId: "a1b2c3d4e5", domainName: "orders.api.example.com" });
    expect(reveal(one(r.resources, T.listener).inputs.defaultActions)).toEqual([{ type: "forward", targetGroupArn: TG }]);
  });
});

describe("CA rotation across deployments", () => {
  it("the second run uploads both CAs as a new version; every consumer pins it; the gateway waits for them", async () => {
    const first = await deploy(typical);
    const v1 = state(first, T.object, "orders-truststore-bundle").versionId as string;
    const oldCa = new X509Certificate(state(first, T.caCert, "orders-ca-a").certPem);
    const oldClient = state(first, T.clientCert, "orders-client-cert").certPem as string;

    // Nothing due: same content, same version, same pins.
    const same = await deploy(typical, { prior: first.produced, now: t0 + DAY });
    expect(state(same, T.object, "orders-truststore-bundle").versionId).toBe(v1);
    expect(inputs(same, T.httpDomain).mutualTlsAuthentication.truststoreVersion).toBe(v1);

    const rotated = await deploy({ ...typical, caRotation: 1 }, { prior: same.produced, now: t0 + 2 * DAY });
    const content = inputs(rotated, T.object).content as string;
    const certs = pems(content).map((p) => new X509Certificate(p));
    const newCa = new X509Certificate(state(rotated, T.caCert, "orders-ca-b").certPem);
    expect(certs.map((c) => c.fingerprint256).sort()).toEqual([oldCa.fingerprint256, newCa.fingerprint256].sort());
    expect(newCa.fingerprint256).not.toBe(oldCa.fingerprint256);
    // The old CA's certificate is the one from the first run (the slot was not touched).
    expect(state(rotated, T.caCert, "orders-ca-a").certPem).toBe(oldCa.toString());

    const v2 = state(rotated, T.object, "orders-truststore-bundle").versionId as string;
    expect(v2).not.toBe(v1);
    expect(state(rotated, T.object, "orders-truststore-bundle").etag).toBe(createHash("md5").update(content).digest("hex"));
    expect(inputs(rotated, T.httpDomain).mutualTlsAuthentication.truststoreVersion).toBe(v2);
    expect(inputs(rotated, T.trustStore).caCertificatesBundleS3ObjectVersion).toBe(v2);
    expect(rotated.summary.truststoreVersion).toBe(v2);
    // The domain and the trust store stayed themselves (updated in place, not replaced).
    expect(rotated.summary.regionalDomainName).toBe(first.summary.regionalDomainName);
    expect(rotated.summary.trustStoreArn).toBe(first.summary.trustStoreArn);

    // The gateway's new certificate is issued by the new CA; both it and the old one are trusted.
    const newClient = new X509Certificate(state(rotated, T.clientCert, "orders-client-cert").certPem);
    expect(newClient.checkIssued(newCa)).toBe(true);
    expect(new X509Certificate(oldClient).checkIssued(oldCa)).toBe(true);
    if (openssl) {
      const bundle = write("rotated.pem", content);
      for (const [n, pem] of [["new", newClient.toString()], ["old", oldClient]] as const) {
        const f = write(`${n}-client.pem`, pem);
        expect(execFileSync("openssl", ["verify", "-CAfile", bundle, "-purpose", "sslclient", f]).toString()).toBe(`${f}: OK\n`);
      }
    }
    // The gateway switches only once the origin's trust stores hold the new CA.
    const object = one(rotated.resources, T.object).urn;
    expect(rotated.waits.variable).toContain(object);
    expect(rotated.waits.variable).toContain(one(rotated.resources, T.httpDomain).urn);
    expect(rotated.waits.variable).toContain(one(rotated.resources, T.trustStore).urn);
    expect(rotated.waits.certificate).toContain(object);
  }, 60_000);
});

describe("the AWS fakes refuse what AWS refuses", () => {
  const attempt = (program: () => void) =>
    runUnderMocks(async () => void program(), { stack: "fakes" }).then(
      (r) => ({ ok: true as const, r }),
      (e: MockRunError) => ({ ok: false as const, refusal: e.cause as ResourceRefusedError }),
    );
  const store = () => {
    const b = new Bucket("b", { bucket: "acme-truststore", region: "us-east-1" });
    const v = new BucketVersioning("v", { bucket: b.bucket, versioningConfiguration: { status: "Enabled" }, region: "us-east-1" });
    return { b, v };
  };

  it("an API Gateway truststore URI that is not s3://", async () => {
    const r = await attempt(() => {
      new HttpDomainName("d", { domainName: "orders.example.com", domainNameConfiguration: { certificateArn: CERT, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" }, mutualTlsAuthentication: { truststoreUri: "https://acme-truststore.s3.amazonaws.com/ca.pem" }, region: "us-east-1" });
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.refusal).toBeInstanceOf(ResourceRefusedError), expect(r.refusal.message).toMatch(/BadRequestException: Invalid truststore/);
  });

  it("a pinned version the bucket never had, an object that is not there, a bundle that is not PEM", async () => {
    const pinned = await attempt(() => {
      const { b, v } = store();
      const o = new BucketObjectv2("o", { bucket: b.bucket, key: "ca.pem", content: "not a certificate", region: "us-east-1" }, { dependsOn: [v] });
      new RestDomainName("d", { domainName: "orders.example.com", regionalCertificateArn: CERT, endpointConfiguration: { types: "REGIONAL" }, securityPolicy: "TLS_1_2", mutualTlsAuthentication: { truststoreUri: pulumi.interpolate`s3://${b.bucket}/${o.key}`, truststoreVersion: "nope" }, region: "us-east-1" });
    });
    expect(!pinned.ok && pinned.refusal.message).toMatch(/has no version nope/);
    const missing = await attempt(() => {
      const { b } = store();
      new TrustStore("ts", { caCertificatesBundleS3Bucket: b.bucket, caCertificatesBundleS3Key: "missing.pem", namePrefix: "gl-", region: "us-east-1" });
    });
    expect(!missing.ok && missing.refusal.message).toMatch(/CaCertificatesBundleNotFound/);
    const garbage = await attempt(() => {
      const { b, v } = store();
      const o = new BucketObjectv2("o", { bucket: b.bucket, key: "ca.pem", content: "not a certificate", region: "us-east-1" }, { dependsOn: [v] });
      new TrustStore("ts", { caCertificatesBundleS3Bucket: b.bucket, caCertificatesBundleS3Key: o.key, namePrefix: "gl-", region: "us-east-1" });
    });
    expect(!garbage.ok && garbage.refusal.message).toMatch(/InvalidCaCertificatesBundle/);
  });

  it("a trust store without a pinned version on a versioned bucket is fine (ELB reads the latest)", async () => {
    const d = await deploy(typical);
    const bundle = inputs(d, T.object).content as string;
    const r = await attempt(() => {
      const { b, v } = store();
      const o = new BucketObjectv2("o", { bucket: b.bucket, key: "ca.pem", content: bundle, region: "us-east-1" }, { dependsOn: [v] });
      new TrustStore("ts", { caCertificatesBundleS3Bucket: b.bucket, caCertificatesBundleS3Key: o.key, namePrefix: "gl-", region: "us-east-1" });
    });
    expect(r.ok).toBe(true);
  });

  it("a listener in verify mode without a trust store; a REST domain with `types` as a list (v6's shape); a bucket policy naming another bucket", async () => {
    const verify = await attempt(() => {
      new Listener("l", { loadBalancerArn: LB, port: 443, protocol: "HTTPS", certificateArn: CERT, defaultActions: [{ type: "forward", targetGroupArn: TG }], mutualAuthentication: { mode: "verify" }, region: "us-east-1" });
    });
    expect(!verify.ok && verify.refusal.message).toMatch(/trust store must be specified/);
    const types = await attempt(() => {
      new RestDomainName("d", { domainName: "orders.example.com", regionalCertificateArn: CERT, endpointConfiguration: { types: ["REGIONAL"] as unknown as string }, region: "us-east-1" });
    });
    expect(!types.ok && types.refusal.message).toMatch(/types must be a string/);
    const foreign = await attempt(() => {
      const { b } = store();
      new BucketPolicy("p", { bucket: b.bucket, policy: JSON.stringify(truststoreBucketPolicy("arn:aws:s3:::someone-elses-bucket")), region: "us-east-1" });
    });
    expect(!foreign.ok && foreign.refusal.message).toMatch(/MalformedPolicy: Policy has invalid resource/);
  });

  it("an object keeps its version while its content does not change, and gets a new one when it does", async () => {
    const once = (content: string, prior?: ReadonlyMap<string, PriorResource>) =>
      runUnderMocks(
        async () => {
          const { b, v } = store();
          new BucketObjectv2("o", { bucket: b.bucket, key: "ca.pem", content, region: "us-east-1" }, { dependsOn: [v] });
        },
        { stack: "fakes", fakes: prior ? { prior } : {} },
      );
    const v = (r: Awaited<ReturnType<typeof once>>) => r.fakes.produced.get(`${T.object}::o`)!.state;
    const a = await once("one");
    const b = await once("one", a.fakes.produced);
    const c = await once("two", b.fakes.produced);
    expect(v(b).versionId).toBe(v(a).versionId);
    expect(v(c).versionId).not.toBe(v(b).versionId);
    expect(v(c).etag).toBe(createHash("md5").update("two").digest("hex"));
    expect(isSecretValue(v(c).versionId)).toBe(false);
  });
});
