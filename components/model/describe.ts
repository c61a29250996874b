/**
 * Plain-language facts about an origin's trust, derived from the model (pure). Used by the
 * stack outputs and the audit, so both say the same thing.
 */
import { describeFederatedTarget } from "./federated/describe";
import { certificateFacts, describeMtls } from "./mtls/describe";
import { describeTunnel } from "./tunnel/describe";
import { describeServiceAuth } from "./service-auth/describe";
import type { FederatedOrigin, GatewayModel, OriginModel, SecretStore } from "./model";

export interface OriginDescription {
  readonly name: string;
  readonly method: OriginModel["method"];
  readonly cloud: OriginModel["cloud"];
  readonly url?: string;
  /** How a request proves it came through the gateway. */
  readonly proof: string;
  /** Who can reach the origin: the gateway, and how. */
  readonly reachableBy: readonly string[];
  /** Where the origin's credential lives, and who may read it. */
  readonly store: { readonly kind: string; readonly location: string; readonly readers: readonly string[] };
  readonly rotation?: { readonly rotateAfterDays: number; readonly overlapDays: number };
  /**
   * For an origin that verifies the gateway's token itself (`cloud: other`): the settings
   * `createTokenVerifier` (gatelock/origin) takes, exactly as the trust is pinned.
   */
  readonly verifier?: VerifierSettings;
  /** For an mTLS origin: the CA and the gateway's client certificate, their subjects, keys, lives and rotation. Never a key. */
  readonly certificates?: readonly CertificateFacts[];
  /** For a tunnel origin: its connector, where it runs, its replicas, egress and token store. */
  readonly connector?: ConnectorFacts;
  /**
   * The cloud side as the model holds it, for tools: the secret store (shared secret) or the
   * trust target (federated: region, role or pool, service, scope…). Plain data.
   */
  readonly cloudTarget: Readonly<Record<string, unknown>>;
}

/** A tunnel's connector, as a reviewer reads it. */
export interface ConnectorFacts {
  readonly tunnel: string;
  readonly service: string;
  /** Where it runs, e.g. `ECS Fargate in subnet-… (vpc-…), us-east-1`. */
  readonly runsOn: string;
  readonly replicas: number;
  readonly image: string;
  /** What it may reach, and nothing reaches it. */
  readonly egress: readonly string[];
  /** Where its token is kept. */
  readonly tokenStore: string;
}

/** One certificate of an mTLS origin's PKI, as a reviewer reads it. */
export interface CertificateFacts {
  readonly role: "CA" | "client";
  readonly subject: string;
  /** e.g. `ECDSA P-256`. */
  readonly key: string;
  /** Days from issue to expiry. */
  readonly validDays: number;
  /** Days after which `pulumi up` issues the next one. */
  readonly renewedAfterDays: number;
  /** What it may be used for. */
  readonly uses: readonly string[];
}

/**
 * The settings an origin's `createTokenVerifier` (from `gatelock/origin`) takes: exactly the
 * trust the model pinned. The keys match `TokenVerifierOptions`, so they can be handed to the
 * origin as they are.
 */
export interface VerifierSettings {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  readonly subjects: readonly string[];
  readonly claims: Readonly<Record<string, string>>;
}

/** The verifier settings for an origin that checks the gateway's token itself (pure). */
export function verifierSettings(origin: FederatedOrigin): VerifierSettings {
  const t = origin.trust;
  return { issuer: t.issuer, jwksUri: t.jwksUri, audience: t.audience, subjects: [...t.subjects], claims: { ...t.claims } };
}

export function describeOrigin(origin: OriginModel, gateway: GatewayModel): OriginDescription {
  switch (origin.method) {
    case "shared-secret":
      return {
        name: origin.name,
        method: origin.method,
        cloud: origin.cloud,
        ...(origin.url ? { url: origin.url } : {}),
        proof: `header \`${origin.sharedSecret.header}\` equals the current (or, during an overlap, previous) secret`,
        reachableBy: [`${gateway.label} (sends $env(${origin.sharedSecret.variable}) in \`${origin.sharedSecret.header}\`)`],
        store: describeStore(origin.store),
        rotation: { rotateAfterDays: origin.sharedSecret.rotateAfterDays, overlapDays: origin.sharedSecret.overlapDays },
        cloudTarget: { ...origin.store },
      };
    case "federated": {
      const t = origin.trust;
      // Only what this cloud actually enforces: AWS and Azure can check `aud` and `sub` only.
      const claimPins = origin.cloud === "gcp" || origin.cloud === "other" ? Object.entries(t.claims).map(([k, v]) => `${k} = ${v}`) : [];
      const pins = [
        t.audience ? `aud = ${t.audience}` : "aud = the workload identity provider's own URL",
        ...(t.subjects.length ? [`sub ∈ {${t.subjects.join(", ")}}`] : []),
        ...claimPins,
      ];
      return {
        name: origin.name,
        method: origin.method,
        cloud: origin.cloud,
        ...(origin.url ? { url: origin.url } : {}),
        proof: `a token from ${t.issuer} with ${pins.join(", ")}`,
        reachableBy: [`${admittedBy(origin, gateway)} (its own ID token; no stored secret)`],
        store: describeFederatedTarget(origin),
        ...(origin.cloud === "other" ? { verifier: verifierSettings(origin) } : {}),
        cloudTarget: { ...origin.target },
      };
    }
    case "service-auth": {
      const d = describeServiceAuth(origin.name, gateway.label, origin.target);
      return {
        name: origin.name,
        method: origin.method,
        cloud: origin.cloud,
        ...(origin.url ? { url: origin.url } : {}),
        proof: d.proof,
        reachableBy: d.reachableBy,
        store: d.store,
        rotation: { rotateAfterDays: origin.credential.rotateAfterDays, overlapDays: origin.credential.overlapDays },
        cloudTarget: { ...origin.target },
      };
    }
    case "tunnel": {
      const d = describeTunnel(origin.name, gateway.label, origin.tunnel, origin.target);
      return {
        name: origin.name,
        method: origin.method,
        cloud: origin.cloud,
        url: origin.url,
        ...d,
        rotation: { rotateAfterDays: origin.tunnel.rotateAfterDays, overlapDays: 0 },
        cloudTarget: { ...origin.target },
      };
    }
    case "mtls": {
      const d = describeMtls(origin.name, gateway.label, origin.trust, origin.client, origin.target);
      return {
        name: origin.name,
        method: origin.method,
        cloud: origin.cloud,
        ...(origin.url ? { url: origin.url } : {}),
        ...d,
        ...(origin.trust.kind === "stack-ca"
          ? { rotation: { rotateAfterDays: origin.trust.pki.rotateAfterDays, overlapDays: origin.trust.pki.overlapDays }, certificates: certificateFacts(origin.trust.pki, origin.client) }
          : {}),
        cloudTarget: { ...origin.target },
      };
    }
  }
}

/**
 * Who the trust really admits, from the pins the cloud enforces, not from what the config
 * says the gateway is: without subjects that is every environment of the project; on AWS and
 * Azure, which check only `sub` and `aud`, it is whoever holds those subjects.
 */
function admittedBy(origin: FederatedOrigin, gateway: GatewayModel): string {
  const t = origin.trust;
  const checksClaims = origin.cloud === "gcp" || origin.cloud === "other";
  const claims = checksClaims ? { ...t.claims } : {};
  const subjects = t.subjects.length === 0 ? "" : t.subjects.some((s) => /[*?]/.test(s)) ? `sub matching {${t.subjects.join(", ")}}` : `sub ∈ {${t.subjects.join(", ")}}`;
  if (!t.sharedIssuer) {
    const pins = [subjects, ...Object.entries(claims).map(([k, v]) => `${k} = ${v}`)].filter(Boolean);
    return `tokens from ${t.issuer} with ${pins.join(", ")}`;
  }
  if (!checksClaims) {
    return `any Zuplo gateway environment whose token has ${subjects} (the config says ${gateway.account}/${gateway.project}'s; ${origin.cloud === "aws" ? "AWS" : "Azure"} checks only sub and aud)`;
  }
  const { account, project, environment_type: environmentType, ...rest } = claims;
  const project_ = `zuplo ${account}/${project}`;
  const extra = Object.entries(rest).map(([k, v]) => `${k} = ${v}`);
  const scope = subjects
    ? `${project_}, the environment${t.subjects.length === 1 ? "" : "s"} whose token has ${subjects}${environmentType ? ` and environment_type = ${environmentType}` : ""}`
    : `every ${environmentType ? `${environmentType} ` : ""}environment (branch) of ${project_}`;
  return extra.length ? `${scope}, with ${extra.join(", ")}` : scope;
}

function describeStore(store: SecretStore): OriginDescription["store"] {
  switch (store.cloud) {
    case "aws":
      return { kind: "AWS Secrets Manager", location: `${store.secretName} (${store.region})`, readers: store.readers };
    case "gcp":
      return { kind: "GCP Secret Manager", location: `projects/${store.project}/secrets/${store.secretId}`, readers: store.readers.map((r) => `serviceAccount:${r}`) };
    case "azure":
      return { kind: "Azure Key Vault", location: `${store.vault}/${store.secretName} (resource group ${store.resourceGroup})`, readers: store.readers.map((r) => `principal ${r}`) };
    case "local":
      return { kind: "dotenv file", location: `${store.dotenv} (${store.variable})`, readers: ["processes on this machine that can read the file (mode 0600)"] };
  }
}
