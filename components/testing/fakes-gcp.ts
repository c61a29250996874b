/**
 * Faithful fakes of gcp resources used by federated identity (and later methods), keyed by
 * Pulumi type token. Shared-secret fakes live in fakes.ts.
 *
 * Outputs have the formats the Google provider returns: resource names carry the project
 * *number* (`projects/418203751982/locations/global/workloadIdentityPools/<id>`), IDs carry
 * the project ID as Terraform does, service accounts get `<id>@<project>.iam.gserviceaccount.com`
 * and `serviceAccount:<email>`. Inputs the API would reject (bad IDs, a reserved `gcp-`
 * prefix, a mapping without `google.subject`, over-long conditions) fail the resource, as
 * `pulumi up` would.
 */
import { randomBytes, X509Certificate } from "node:crypto";
import { alnum, digits, type Fake, type FakeContext, reveal, str } from "./fake-kit";

const POOL_OR_PROVIDER_ID = /^(?!gcp-)[a-z0-9-]{4,32}$/;
const SERVICE_ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;
const ATTRIBUTE_KEY = /^(google\.subject|google\.groups|attribute\.[a-z0-9_]{1,100})$/;

function reject(type: string, message: string): never {
  throw new Error(`${type}: ${message} (Error 400: the API would reject this request)`);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
function sameInputs(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(reveal(a))) === JSON.stringify(canonical(reveal(b)));
}

function etag(invent: FakeContext["invent"]): string {
  return invent(() => `BwX${alnum(9)}=`, "<etag>");
}

// --- mTLS behind an external Application Load Balancer ------------------------------------

/** GCP's ceiling for one PEM certificate in a trust config ("up to 5kB", read as 5000 bytes). */
const TRUST_CONFIG_PEM_MAX_BYTES = 5000;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+?-----END CERTIFICATE-----\r?\n?/g;
/** Certificate Manager and network security resource names. */
const CERTIFICATE_MANAGER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
/** Compute Engine resource names (RFC 1035). */
const COMPUTE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const LOCATION = /^(global|[a-z]+-[a-z]+\d+)$/;
/** RSA or ECDSA signed with SHA-256 or stronger: what GCP's mTLS accepts. */
const STRONG_SIGNATURES = new Map([
  ["1.2.840.113549.1.1.11", "sha256WithRSAEncryption"],
  ["1.2.840.113549.1.1.12", "sha384WithRSAEncryption"],
  ["1.2.840.113549.1.1.13", "sha512WithRSAEncryption"],
  ["1.2.840.10045.4.3.2", "ecdsa-with-SHA256"],
  ["1.2.840.10045.4.3.3", "ecdsa-with-SHA384"],
  ["1.2.840.10045.4.3.4", "ecdsa-with-SHA512"],
]);
const STRONG_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

/** The OID of a DER certificate's signature algorithm (node 20's X509Certificate does not say). */
function signatureAlgorithm(der: Buffer): string {
  const schema = require("@peculiar/asn1-schema") as typeof import("@peculiar/asn1-schema");
  const x509 = require("@peculiar/asn1-x509") as typeof import("@peculiar/asn1-x509");
  return schema.AsnConvert.parse(der, x509.Certificate).signatureAlgorithm.algorithm;
}

/** One trust anchor or intermediate: exactly one PEM certificate, within the size limit, strong key and signature. */
function checkTrustConfigPem(type: string, where: string, pem: unknown): void {
  if (typeof pem !== "string" || pem.length === 0) reject(type, `${where}.pemCertificate is required`);
  const bytes = Buffer.byteLength(pem, "utf8");
  if (bytes > TRUST_CONFIG_PEM_MAX_BYTES) reject(type, `${where}.pemCertificate is ${bytes} bytes; each certificate may occupy up to 5kB`);
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  // The field holds one certificate; a bundle pasted into it is not one certificate.
  if (blocks.length !== 1 || pem.replace(PEM_CERTIFICATE, "").trim() !== "") reject(type, `${where}.pemCertificate must be exactly one PEM-encoded certificate`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return reject(type, `${where}.pemCertificate could not be parsed as an X.509 certificate`);
  }
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") {
    if ((details.modulusLength ?? 0) < 2048) reject(type, `${where}: RSA keys must be at least 2048 bits`);
  } else if (key.asymmetricKeyType === "ec") {
    if (!STRONG_CURVES.has(details.namedCurve ?? "")) reject(type, `${where}: ECDSA keys must be P-256 or stronger (got ${details.namedCurve})`);
  } else {
    reject(type, `${where}: only RSA and ECDSA keys are supported (got ${key.asymmetricKeyType})`);
  }
  const alg = signatureAlgorithm(cert.raw);
  if (!STRONG_SIGNATURES.has(alg)) reject(type, `${where}: the certificate must be signed with RSA or ECDSA and SHA-256 or stronger (signature algorithm ${alg})`);
}

/** When the resource was created, kept across updates; when it last changed, and its etag, new when its inputs change. */
function timestamps(inputs: Record<string, unknown>, ctx: FakeContext): { createTime: string; updateTime: string } {
  const { prior, options, mark } = ctx;
  if (prior && sameInputs(prior.inputs, inputs)) return { createTime: String(prior.state.createTime), updateTime: String(prior.state.updateTime) };
  const now = mark(options.now().toISOString(), "<deploy time>");
  return { createTime: (prior?.state.createTime as string | undefined) ?? now, updateTime: now };
}

/** Labels as the provider reports them: the user's, plus Pulumi's attribution label. */
function labelOutputs(inputs: Record<string, unknown>): Record<string, unknown> {
  const labels = (reveal(inputs.labels) ?? {}) as Record<string, string>;
  const all = { ...labels, "goog-pulumi-provisioned": "true" };
  return { effectiveLabels: all, pulumiLabels: all };
}

/** A global compute reference as the API returns it: a full self link, from a name, an ID or a self link. */
function globalSelfLink(project: string, collection: string, ref: string): string {
  if (/^https:\/\/www\.googleapis\.com\/compute\/v1\//.test(ref)) return ref;
  if (/^projects\/[^/]+\/global\/[^/]+\/[^/]+$/.test(ref)) return `https://www.googleapis.com/compute/v1/${ref}`;
  return `https://www.googleapis.com/compute/v1/projects/${project}/global/${collection}/${ref}`;
}

const GCP_MTLS_FAKES: Record<string, Fake> = {
  "gcp:certificatemanager/trustConfig:TrustConfig": ({ type, inputs }, ctx) => {
    const name = str(inputs.name);
    const location = str(inputs.location);
    if (!CERTIFICATE_MANAGER_NAME.test(name)) reject(type, `invalid name ${JSON.stringify(name)}`);
    if (!LOCATION.test(location)) reject(type, `invalid location ${JSON.stringify(location)}`);
    const stores = (reveal(inputs.trustStores) ?? []) as Array<{ trustAnchors?: Array<{ pemCertificate?: unknown }>; intermediateCas?: Array<{ pemCertificate?: unknown }> }>;
    const allowlisted = (reveal(inputs.allowlistedCertificates) ?? []) as unknown[];
    if (stores.length === 0 && allowlisted.length === 0) reject(type, "a trust config needs a trust store or allowlisted certificates");
    if (stores.length > 1) reject(type, "at most one trust store");
    stores.forEach((s, i) => {
      if (!s.trustAnchors?.length) reject(type, `trustStores[${i}] needs at least one trust anchor`);
      s.trustAnchors.forEach((a, j) => checkTrustConfigPem(type, `trustStores[${i}].trustAnchors[${j}]`, a.pemCertificate));
      (s.intermediateCas ?? []).forEach((a, j) => checkTrustConfigPem(type, `trustStores[${i}].intermediateCas[${j}]`, a.pemCertificate));
    });
    const project = str(inputs.project);
    const t = timestamps(inputs, ctx);
    const unchanged = ctx.prior !== undefined && ctx.prior.state.updateTime === t.updateTime;
    return {
      id: `projects/${project}/locations/${location}/trustConfigs/${name}`,
      state: {
        ...inputs,
        ...t,
        etag: unchanged ? ctx.prior!.state.etag : ctx.invent(() => randomBytes(24).toString("base64url"), "<etag>"),
        deletionPolicy: inputs.deletionPolicy ?? "DELETE",
        ...labelOutputs(inputs),
      },
    };
  },

  "gcp:networksecurity/serverTlsPolicy:ServerTlsPolicy": ({ type, inputs }, ctx) => {
    const name = str(inputs.name);
    const location = inputs.location === undefined ? "global" : str(inputs.location);
    if (!CERTIFICATE_MANAGER_NAME.test(name)) reject(type, `invalid name ${JSON.stringify(name)}`);
    if (!LOCATION.test(location)) reject(type, `invalid location ${JSON.stringify(location)}`);
    const project = str(inputs.project);
    const mtls = reveal(inputs.mtlsPolicy) as { clientValidationMode?: string; clientValidationTrustConfig?: string; clientValidationCas?: unknown[] } | undefined;
    // A load balancer's policy: a validation mode and a trust config; Traffic Director's: CAs.
    const forLoadBalancer = mtls?.clientValidationMode !== undefined || mtls?.clientValidationTrustConfig !== undefined;
    if (forLoadBalancer) {
      if (reveal(inputs.allowOpen) === true) reject(type, "allowOpen must be false for a policy used by an external HTTPS load balancer (it is for Traffic Director only)");
      if ((mtls!.clientValidationCas ?? []).length > 0) reject(type, "clientValidationCas must be empty for an external HTTPS load balancer policy");
      if (!["REJECT_INVALID", "ALLOW_INVALID_OR_MISSING_CLIENT_CERT"].includes(mtls!.clientValidationMode ?? "")) {
        reject(type, `mtlsPolicy.clientValidationMode must be REJECT_INVALID or ALLOW_INVALID_OR_MISSING_CLIENT_CERT, got ${JSON.stringify(mtls!.clientValidationMode)}`);
      }
      const ref = mtls!.clientValidationTrustConfig ?? "";
      const m = /^projects\/(\d+)\/locations\/([^/]+)\/trustConfigs\/([A-Za-z][A-Za-z0-9_-]{0,62})$/.exec(ref);
      if (!m) reject(type, `mtlsPolicy.clientValidationTrustConfig must be projects/{project_number}/locations/{location}/trustConfigs/{name}, got ${JSON.stringify(ref)}`);
      if (m[1] !== ctx.gcpProjectNumber(project)) reject(type, `mtlsPolicy.clientValidationTrustConfig names project number ${m[1]}, not the number of project ${project}`);
      if (m[2] !== location) reject(type, `mtlsPolicy.clientValidationTrustConfig is in ${m[2]}; a ${location} policy takes a trust config in ${location}`);
    }
    const t = timestamps(inputs, ctx);
    return {
      id: `projects/${project}/locations/${location}/serverTlsPolicies/${name}`,
      state: { ...inputs, ...t, location, allowOpen: inputs.allowOpen ?? false, deletionPolicy: inputs.deletionPolicy ?? "DELETE", ...labelOutputs(inputs) },
    };
  },

  "gcp:compute/targetHttpsProxy:TargetHttpsProxy": ({ type, inputs }, ctx) => {
    const name = str(inputs.name);
    if (!COMPUTE_NAME.test(name)) reject(type, `invalid name ${JSON.stringify(name)}: must match [a-z]([-a-z0-9]{0,61}[a-z0-9])?`);
    const project = str(inputs.project);
    if (inputs.urlMap === undefined || str(inputs.urlMap) === "") reject(type, "urlMap is required");
    const certificates = ((reveal(inputs.sslCertificates) ?? []) as string[]).map(String);
    const managed = (reveal(inputs.certificateManagerCertificates) ?? []) as unknown[];
    if (certificates.length > 0 && managed.length > 0) reject(type, "sslCertificates and certificateManagerCertificates can not be defined together");
    if (certificates.length > 15) reject(type, "at most 15 sslCertificates");
    if (certificates.length === 0 && managed.length === 0 && inputs.certificateMap === undefined) reject(type, "a target HTTPS proxy needs a server certificate");
    if (inputs.serverTlsPolicy !== undefined) {
      const policy = str(inputs.serverTlsPolicy);
      const m = /^(?:\/\/networksecurity\.googleapis\.com\/|https:\/\/networksecurity\.googleapis\.com\/v1\/)?projects\/[^/]+\/locations\/([^/]+)\/serverTlsPolicies\/[^/]+$/.exec(policy);
      if (!m) reject(type, `serverTlsPolicy must reference a ServerTlsPolicy, got ${JSON.stringify(policy)}`);
      // A global proxy takes only a global policy.
      if (m[1] !== "global") reject(type, `serverTlsPolicy is in ${m[1]}; a global target HTTPS proxy takes a global ServerTlsPolicy`);
    }
    const selfLink = `https://www.googleapis.com/compute/v1/projects/${project}/global/targetHttpsProxies/${name}`;
    const { prior, options, invent, mark } = ctx;
    const kept = prior !== undefined && str(prior.state.selfLink) === selfLink;
    const changed = !kept || !sameInputs(prior!.inputs, inputs);
    return {
      id: `projects/${project}/global/targetHttpsProxies/${name}`,
      state: {
        ...inputs,
        urlMap: globalSelfLink(project, "urlMaps", str(inputs.urlMap)),
        sslCertificates: certificates.map((c) => globalSelfLink(project, "sslCertificates", c)),
        selfLink,
        // A 64-bit ID in the API; kept to 15 digits here, so it survives as a JavaScript number.
        proxyId: kept ? prior!.state.proxyId : Number(invent(() => digits(15), `<ID of proxy ${name}>`)),
        creationTimestamp: kept ? prior!.state.creationTimestamp : mark(options.now().toISOString(), "<deploy time>"),
        fingerprint: changed ? invent(() => randomBytes(8).toString("base64"), "<fingerprint>") : prior!.state.fingerprint,
        quicOverride: inputs.quicOverride ?? "NONE",
        proxyBind: false,
        deletionPolicy: inputs.deletionPolicy ?? "DELETE",
      },
    };
  },
};

// --- Cloud Run worker pools (the tunnel connector) ---------------------------------------

/** Cloud Run resource names: lower case, a letter first, no trailing dash, at most 49 characters. */
const CLOUD_RUN_NAME = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;
const REGION = /^[a-z]+-[a-z]+\d+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The CPU limits Cloud Run accepts. */
const CLOUD_RUN_CPUS = new Set(["1", "2", "4", "6", "8"]);

interface WorkerPoolTemplateInput {
  serviceAccount?: string;
  revision?: string;
  containers?: Array<{
    name?: string;
    image?: string;
    envs?: Array<{ name?: string; value?: string; valueSource?: { secretKeyRef?: { secret?: string; version?: string } } }>;
    resources?: { limits?: Record<string, string> };
  }>;
  vpcAccess?: { connector?: string; egress?: string; networkInterfaces?: Array<{ network?: string; subnetwork?: string; tags?: string[] }> };
}

/** Refuses what the Cloud Run Admin API refuses in a worker pool's template. */
function checkWorkerPoolTemplate(type: string, t: WorkerPoolTemplateInput | undefined): void {
  if (!t) reject(type, "template is required");
  const containers = t.containers ?? [];
  if (containers.length === 0) reject(type, "template.containers: at least one container is required");
  const names = new Set<string>();
  containers.forEach((c, i) => {
    if (!c.image) reject(type, `template.containers[${i}].image is required`);
    if (containers.length > 1 && !c.name) reject(type, `template.containers[${i}].name is required when there are several containers`);
    if (c.name !== undefined) {
      if (names.has(c.name)) reject(type, `template.containers: duplicate name ${JSON.stringify(c.name)}`);
      names.add(c.name);
    }
    const envNames = new Set<string>();
    (c.envs ?? []).forEach((e, j) => {
      const at = `template.containers[${i}].envs[${j}]`;
      if (!e.name || !ENV_NAME.test(e.name)) reject(type, `${at}.name must be a C_IDENTIFIER`);
      if (envNames.has(e.name)) reject(type, `${at}: duplicate variable ${e.name}`);
      envNames.add(e.name);
      if (e.value !== undefined && e.valueSource !== undefined) reject(type, `${at}: value and valueSource are mutually exclusive`);
      const ref = e.valueSource?.secretKeyRef;
      if (e.valueSource !== undefined && !ref) reject(type, `${at}.valueSource needs a secretKeyRef`);
      if (ref) {
        if (!ref.secret || !/^(?:projects\/[^/]+\/secrets\/)?[A-Za-z0-9_-]{1,255}$/.test(ref.secret)) reject(type, `${at}.valueSource.secretKeyRef.secret must be a secret name or projects/{project}/secrets/{name}, got ${JSON.stringify(ref.secret)}`);
        if (ref.version !== undefined && !/^(latest|[1-9]\d*)$/.test(ref.version)) reject(type, `${at}.valueSource.secretKeyRef.version must be "latest" or a version number, got ${JSON.stringify(ref.version)}`);
      }
    });
    const limits = c.resources?.limits ?? {};
    if (limits.cpu !== undefined && !CLOUD_RUN_CPUS.has(limits.cpu)) reject(type, `template.containers[${i}].resources.limits.cpu must be one of 1, 2, 4, 6, 8 (got ${limits.cpu})`);
  });
  const vpc = t.vpcAccess;
  if (vpc) {
    const nics = vpc.networkInterfaces ?? [];
    if (vpc.connector !== undefined && nics.length > 0) reject(type, "template.vpcAccess: a connector and Direct VPC network interfaces are mutually exclusive");
    if (nics.length > 1) reject(type, "template.vpcAccess.networkInterfaces: only one network interface is supported");
    nics.forEach((n, i) => {
      if (!n.network && !n.subnetwork) reject(type, `template.vpcAccess.networkInterfaces[${i}]: at least one of network or subnetwork must be specified`);
    });
    if (vpc.egress !== undefined && !["ALL_TRAFFIC", "PRIVATE_RANGES_ONLY"].includes(vpc.egress)) reject(type, `template.vpcAccess.egress must be ALL_TRAFFIC or PRIVATE_RANGES_ONLY, got ${JSON.stringify(vpc.egress)}`);
  }
}

const GCP_RUN_FAKES: Record<string, Fake> = {
  /**
   * A worker pool has no endpoint: no `uri`, no `urls`, no traffic. A new revision
   * (`<pool>-<generation, 5 digits>-<3 letters>`) only when the template changes; scaling
   * changes (manual instance count) make none. `deletionProtection` defaults to true.
   */
  "gcp:cloudrunv2/workerPool:WorkerPool": ({ type, inputs, name: logical }, ctx) => {
    const { prior, invent, mark, options, gcpProjectNumber } = ctx;
    const name = inputs.name !== undefined ? str(inputs.name) : invent(() => `${logical}-${randomBytes(4).toString("hex").slice(0, 7)}`, `${logical}-<random>`);
    if (!CLOUD_RUN_NAME.test(name)) reject(type, `invalid name ${JSON.stringify(name)}: lower-case letters, digits and dashes, a letter first, at most 49 characters`);
    const location = str(inputs.location);
    if (!REGION.test(location)) reject(type, `invalid location ${JSON.stringify(location)}: a worker pool is regional`);
    const project = str(inputs.project);
    const i = reveal(inputs) as { template?: WorkerPoolTemplateInput; scaling?: { scalingMode?: string; manualInstanceCount?: number; minInstanceCount?: number; maxInstanceCount?: number } };
    checkWorkerPoolTemplate(type, i.template);
    const scaling = i.scaling ?? {};
    const mode = scaling.scalingMode ?? "MANUAL";
    if (!["MANUAL", "AUTOMATIC"].includes(mode)) reject(type, `scaling.scalingMode must be MANUAL or AUTOMATIC, got ${JSON.stringify(mode)}`);
    if (mode === "MANUAL" && (scaling.minInstanceCount !== undefined || scaling.maxInstanceCount !== undefined)) reject(type, "scaling: min/max instance counts apply to AUTOMATIC scaling; MANUAL takes manualInstanceCount");
    const count = scaling.manualInstanceCount;
    if (count !== undefined && (!Number.isInteger(count) || count < 0)) reject(type, `scaling.manualInstanceCount must be a non-negative integer, got ${count}`);

    const id = `projects/${project}/locations/${location}/workerPools/${name}`;
    const same = prior !== undefined && prior.id === id;
    const templateChanged = !same || !sameInputs(prior!.inputs.template, inputs.template);
    const changed = !same || !sameInputs(prior!.inputs, inputs);
    const generation = same ? Number(prior!.state.generation) + (changed ? 1 : 0) : 1;
    const revisionName = templateChanged
      ? `${id}/revisions/${i.template!.revision ?? invent(() => `${name}-${String(generation).padStart(5, "0")}-${Array.from(randomBytes(3), (b) => String.fromCharCode(97 + (b % 26))).join("")}`, `<revision of ${name}>`)}`
      : String(prior!.state.latestCreatedRevision);
    const now = changed ? mark(options.now().toISOString(), "<deploy time>") : String(prior!.state.updateTime);
    const serviceAccount = i.template!.serviceAccount ?? `${gcpProjectNumber(project)}-compute@developer.gserviceaccount.com`;
    return {
      id,
      state: {
        ...inputs,
        name,
        template: { ...(inputs.template as Record<string, unknown>), serviceAccount },
        scaling: { scalingMode: mode, ...(count !== undefined ? { manualInstanceCount: count } : {}) },
        uid: same ? prior!.state.uid : invent(randomUUIDLike, `<uid of ${name}>`),
        generation: String(generation),
        observedGeneration: String(generation),
        etag: changed ? etag(invent) : prior!.state.etag,
        createTime: same ? prior!.state.createTime : now,
        updateTime: now,
        latestCreatedRevision: revisionName,
        latestReadyRevision: revisionName,
        launchStage: inputs.launchStage ?? "GA",
        deletionProtection: inputs.deletionProtection ?? true,
        deletionPolicy: inputs.deletionPolicy ?? "DELETE",
        reconciling: false,
        terminalCondition: { type: "Ready", state: "CONDITION_SUCCEEDED" },
        ...labelOutputs(inputs),
      },
    };
  },
};

function randomUUIDLike(): string {
  const h = randomBytes(16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const GCP_FAKES: Record<string, Fake> = {
  /** terraform-provider-random `random_id`: `byteLength` random bytes; `id` is b64url; kept while the inputs stay the same. */
  "random:index/randomId:RandomId": ({ inputs }, { prior, invent, mark }) => {
    if (prior && sameInputs(prior.inputs, inputs)) return { id: prior.id, state: prior.state };
    const prefix = typeof inputs.prefix === "string" ? inputs.prefix : "";
    // Every rendering of the bytes is invented; the placeholder keeps the known prefix.
    let bytes!: Buffer;
    const hex = invent(() => prefix + (bytes = randomBytes(Number(inputs.byteLength))).toString("hex"), `${prefix}<random>`);
    const rendering = (s: string) => mark(s, `${prefix}<random>`);
    const b64Url = rendering(prefix + bytes.toString("base64url"));
    return {
      id: b64Url,
      state: {
        ...inputs,
        b64Url,
        b64Std: rendering(prefix + bytes.toString("base64")),
        hex,
        dec: rendering(prefix + BigInt(`0x${bytes.toString("hex") || "0"}`).toString(10)),
      },
    };
  },

  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": ({ type, inputs }, { gcpProjectNumber }) => {
    const id = str(inputs.workloadIdentityPoolId);
    if (!POOL_OR_PROVIDER_ID.test(id)) reject(type, `invalid workloadIdentityPoolId ${JSON.stringify(id)}: 4-32 of [a-z0-9-], not starting with gcp-`);
    if (inputs.displayName !== undefined && str(inputs.displayName).length > 32) reject(type, "displayName exceeds 32 characters");
    const project = str(inputs.project);
    return {
      id: `projects/${project}/locations/global/workloadIdentityPools/${id}`,
      state: {
        ...inputs,
        name: `projects/${gcpProjectNumber(project)}/locations/global/workloadIdentityPools/${id}`,
        state: "ACTIVE",
        mode: "FEDERATION_ONLY",
        disabled: inputs.disabled ?? false,
        deletionPolicy: inputs.deletionPolicy ?? "DELETE",
      },
    };
  },

  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": ({ type, inputs }, { gcpProjectNumber }) => {
    const pool = str(inputs.workloadIdentityPoolId);
    const id = str(inputs.workloadIdentityPoolProviderId);
    if (!POOL_OR_PROVIDER_ID.test(pool)) reject(type, `invalid workloadIdentityPoolId ${JSON.stringify(pool)}`);
    if (!POOL_OR_PROVIDER_ID.test(id)) reject(type, `invalid workloadIdentityPoolProviderId ${JSON.stringify(id)}`);
    const oidc = reveal(inputs.oidc) as { issuerUri?: string; allowedAudiences?: string[] } | undefined;
    if (!oidc?.issuerUri || !/^https:\/\//.test(oidc.issuerUri)) reject(type, "oidc.issuerUri must be an https URL");
    if ((oidc.allowedAudiences ?? []).length > 10) reject(type, "at most 10 allowedAudiences");
    const mapping = (reveal(inputs.attributeMapping) ?? {}) as Record<string, string>;
    if (!("google.subject" in mapping)) reject(type, "an OIDC provider's attribute mapping must map google.subject");
    for (const [k, v] of Object.entries(mapping)) {
      if (!ATTRIBUTE_KEY.test(k)) reject(type, `invalid attribute mapping key ${JSON.stringify(k)}`);
      if (v.length > 2048) reject(type, `mapping for ${k} exceeds 2048 characters`);
    }
    if (Object.keys(mapping).filter((k) => k.startsWith("attribute.")).length > 50) reject(type, "more than 50 custom attributes");
    if (inputs.attributeCondition !== undefined && str(inputs.attributeCondition).length > 4096) reject(type, "attributeCondition exceeds 4096 characters");
    const project = str(inputs.project);
    return {
      id: `projects/${project}/locations/global/workloadIdentityPools/${pool}/providers/${id}`,
      state: {
        ...inputs,
        name: `projects/${gcpProjectNumber(project)}/locations/global/workloadIdentityPools/${pool}/providers/${id}`,
        state: "ACTIVE",
        disabled: inputs.disabled ?? false,
        deletionPolicy: inputs.deletionPolicy ?? "DELETE",
        oidc: { ...oidc, allowedAudiences: oidc.allowedAudiences ?? [] },
      },
    };
  },

  "gcp:serviceaccount/account:Account": ({ type, inputs }, { prior, invent }) => {
    const accountId = str(inputs.accountId);
    if (!SERVICE_ACCOUNT_ID.test(accountId)) reject(type, `invalid accountId ${JSON.stringify(accountId)}: 6-30 characters, [a-z][-a-z0-9]*[a-z0-9]`);
    const project = str(inputs.project);
    const email = `${accountId}@${project}.iam.gserviceaccount.com`;
    const name = `projects/${project}/serviceAccounts/${email}`;
    return {
      id: name,
      state: {
        ...inputs,
        email,
        name,
        member: `serviceAccount:${email}`,
        uniqueId: (prior?.state.uniqueId as string) ?? invent(() => digits(21), `<unique ID of ${email}>`),
        disabled: false,
        deletionPolicy: "DELETE",
      },
    };
  },

  /** Terraform IAM member IDs are `<resource>/<role>/<member>`. */
  "gcp:serviceaccount/iAMMember:IAMMember": ({ type, inputs }, { invent }) => {
    const sa = str(inputs.serviceAccountId);
    if (!/^projects\/[^/]+\/serviceAccounts\/[^/]+$/.test(sa)) reject(type, `serviceAccountId must be projects/{project}/serviceAccounts/{email}, got ${JSON.stringify(sa)}`);
    return { id: `${sa}/${str(inputs.role)}/${str(inputs.member)}`, state: { ...inputs, etag: etag(invent) } };
  },

  /** IAP's IAM on a Cloud Run service: `projects/{p}/iap_web/cloud_run-{location}/services/{service}/{role}/{member}`. */
  "gcp:iap/webCloudRunServiceIamMember:WebCloudRunServiceIamMember": ({ type, inputs }, { invent }) => {
    if (inputs.cloudRunServiceName === undefined || inputs.location === undefined) reject(type, "cloudRunServiceName and location are required to find the service");
    if (!/^roles\/iap\./.test(str(inputs.role)) && !/\/roles\//.test(str(inputs.role))) reject(type, `role ${str(inputs.role)} is not supported for this resource`);
    const resource = `projects/${str(inputs.project)}/iap_web/cloud_run-${str(inputs.location)}/services/${str(inputs.cloudRunServiceName)}`;
    return { id: `${resource}/${str(inputs.role)}/${str(inputs.member)}`, state: { ...inputs, etag: etag(invent) } };
  },

  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": ({ type, inputs }, { invent }) => {
    const resource = `projects/${str(inputs.project)}/locations/${str(inputs.location)}/services/${str(inputs.name)}`;
    if (inputs.name === undefined || inputs.location === undefined) reject(type, "name and location are required to find the service");
    return { id: `${resource}/${str(inputs.role)}/${str(inputs.member)}`, state: { ...inputs, etag: etag(invent) } };
  },

  ...GCP_MTLS_FAKES,
  ...GCP_RUN_FAKES,
};
