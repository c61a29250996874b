/**
 * What the origin side must configure, per origin, derived from the audit report (pure): the
 * header and where the secret is read for a shared secret; issuer, JWKS URI, audience,
 * subjects and claims for an origin that verifies the gateway's token itself; and, where the
 * cloud's IAM checks the token, what must stay switched on at the origin; for mTLS, where the
 * trust bundle is and what checks the gateway's certificate against it.
 *
 * Everything comes from the masked report, so nothing here can hold a secret.
 */
import type { OriginGatewayConfig } from "../gateway/zuplo-policies";
import { isZuploIssuer, ZUPLO_JWKS_URI } from "../model/identity";
import type { VerifierSettings } from "../model/describe";
import type { AuditOrigin } from "./report";

/** The settings `createTokenVerifier` (gatelock/origin) takes, as the report's `verifier` holds them. */
export type VerifierFacts = VerifierSettings;

/**
 * An origin as the report describes it. The report carries the verifier settings of a
 * `cloud: other` origin and they are used as they are; a report without them (an older
 * baseline, a hand-made one) has them read back from the origin's `proof`, and the JWKS URI
 * is then known only for Zuplo's own issuer.
 */
export type OriginSideInput = Omit<AuditOrigin, "verifier" | "cloudTarget"> & { readonly verifier?: VerifierFacts; readonly cloudTarget?: AuditOrigin["cloudTarget"] };

interface SideBase {
  readonly origin: string;
  /** Facts the report did not carry, as `AuditOrigin` field paths (e.g. `verifier.jwksUri`). */
  readonly missing: readonly string[];
}

/** The origin checks a header against a secret it reads from a store. */
export interface SharedSecretSide extends SideBase {
  readonly kind: "shared-secret";
  /** The header the gateway sends the secret in. */
  readonly header: string | undefined;
  /** Where the origin reads the secret document, and who may read it. */
  readonly store: AuditOrigin["store"];
  /** Days the previous secret stays accepted after a rotation. */
  readonly overlapDays: number | undefined;
}

/** The origin verifies the gateway's ID token itself (`cloud: other`). */
export interface TokenSide extends SideBase {
  readonly kind: "token";
  /** The request header the token arrives in (the gateway policy's `header` option, default `authorization`). */
  readonly header: string;
  readonly issuer: string | undefined;
  readonly jwksUri: string | undefined;
  readonly audience: string | undefined;
  readonly subjects: readonly string[];
  readonly claims: readonly (readonly [string, string])[];
  /** Where the settings came from: the report's `verifier`, or read back from `proof`. */
  readonly source: "verifier" | "proof";
}

/** The cloud's IAM checks the token before a request reaches the origin. */
export interface CloudIamSide extends SideBase {
  readonly kind: "cloud-iam";
  readonly cloud: "aws" | "gcp" | "azure";
  /** Who checks the token. */
  readonly checkedBy: string;
  /** What the trust admits to, and whom. */
  readonly target: AuditOrigin["store"];
  /** What the origin must keep switched on, or the trust is bypassed. */
  readonly keep: string;
}

/** A front end (or the origin itself) checks the gateway's client certificate against a trust bundle. */
export interface MtlsSide extends SideBase {
  readonly kind: "mtls";
  /** Who checks the certificate. */
  readonly checkedBy: string;
  /** Where the trust bundle is, and what reads it. */
  readonly store: AuditOrigin["store"];
  /** What must stay as it is, or the certificate check is bypassed. */
  readonly keep: string;
}

/** Only the tunnel's connectors reach the origin; the origin itself checks nothing. */
export interface TunnelSide extends SideBase {
  readonly kind: "tunnel";
  /** Where the connector runs. */
  readonly connector: string;
}

export type OriginSide = SharedSecretSide | TokenSide | CloudIamSide | MtlsSide | TunnelSide;

const CLOUD_IAM: Readonly<Record<CloudIamSide["cloud"], { checkedBy: string; keep: string }>> = {
  aws: { checkedBy: "AWS IAM", keep: "`AWS_IAM` authorization on the API Gateway routes (or `AuthType: AWS_IAM` on the Lambda function URL) the role may invoke" },
  gcp: { checkedBy: "Google Cloud IAM", keep: "the Cloud Run service requiring authentication (no `allUsers` or `allAuthenticatedUsers` invoker)" },
  azure: { checkedBy: "Microsoft Entra ID", keep: "Entra authorization on the resource, with no anonymous or shared-key access" },
};

export function originSide(origin: OriginSideInput, gatewayPolicies: readonly OriginGatewayConfig[]): OriginSide {
  const config = gatewayPolicies.find((c) => c.origin === origin.name);
  if (origin.method === "shared-secret") {
    const fromPolicy = headersSet(config)[0];
    const fromProof = /header `([^`]+)`/.exec(origin.proof)?.[1];
    const header = fromPolicy ?? fromProof;
    return {
      kind: "shared-secret",
      origin: origin.name,
      header,
      store: origin.store,
      overlapDays: origin.rotation?.overlapDays,
      missing: [...(header === undefined ? ["gatewayPolicies[].policies[].handler.options.headers"] : []), ...(origin.rotation ? [] : ["rotation"])],
    };
  }
  if (origin.method === "mtls") return mtlsSide(origin);
  if (origin.method === "tunnel") return { kind: "tunnel", origin: origin.name, connector: origin.store.location, missing: [] };
  if (origin.cloud === "other") return tokenSide(origin, config);
  return {
    kind: "cloud-iam",
    origin: origin.name,
    cloud: origin.cloud as CloudIamSide["cloud"],
    ...(origin.method === "service-auth" ? serviceAuthChecker(origin) : CLOUD_IAM[origin.cloud as CloudIamSide["cloud"]]),
    target: origin.store,
    missing: [],
  };
}

/** Who checks an mTLS origin's client certificate, from its cloud target, and what must stay as it is. */
function mtlsSide(origin: OriginSideInput): MtlsSide {
  const t = (origin.cloudTarget ?? {}) as { apiGateway?: { domainName?: string }; alb?: unknown; targetHttpsProxy?: { name?: string }; appService?: { name?: string }; appGateway?: { name?: string } };
  const base = { kind: "mtls" as const, origin: origin.name, store: origin.store, missing: [] };
  switch (origin.cloud) {
    case "aws":
      return {
        ...base,
        checkedBy: [t.apiGateway ? `API Gateway (custom domain ${t.apiGateway.domainName ?? ""})` : "", t.alb ? "the load balancer's listener (`verify` mode)" : ""].filter(Boolean).join(" and "),
        keep: "the API's `execute-api` endpoint disabled and every client reaching it through the custom domain or listener",
      };
    case "gcp":
      return { ...base, checkedBy: "the load balancer's ServerTlsPolicy (`REJECT_INVALID`)", keep: t.targetHttpsProxy ? `the policy on target HTTPS proxy ${t.targetHttpsProxy.name ?? ""}` : "the policy attached to your target HTTPS proxy (stack output `serverTlsPolicyId`)" };
    case "azure":
      return t.appService
        ? { ...base, checkedBy: "App Service (`clientCertMode: Required`), then the app itself", keep: "`createForwardedClientCertVerifier` (gatelock/origin) on `X-ARR-ClientCert` in front of every route, with the bundle from Key Vault and the pinned subject" }
        : { ...base, checkedBy: `Application Gateway ${t.appGateway?.name ?? ""} (SSL profile)`, keep: "the SSL profile on every HTTPS listener that routes to the origin" };
    default:
      return { ...base, checkedBy: "the origin's TLS server", keep: "`mtlsServerOptions(clientCertOptionsFromEnv(…))` (gatelock/origin) on its HTTPS server" };
  }
}

/** Who checks a service-auth origin's token, from its cloud target, and what must stay on. */
function serviceAuthChecker(origin: OriginSideInput): { checkedBy: string; keep: string } {
  const t = (origin.cloudTarget ?? {}) as { appService?: unknown; containerApp?: unknown; invoke?: { kind?: string } };
  if (origin.cloud === "azure") {
    if (t.appService || t.containerApp) {
      return {
        checkedBy: `Easy Auth (${t.appService ? "App Service" : "Container Apps"}) with Microsoft Entra ID`,
        keep: "authentication required with `Return401`, accepting only this app's client ID as audience and client (gatelock sets it; do not edit it in the portal)",
      };
    }
    return { checkedBy: "the origin itself", keep: `\`createEntraTokenVerifier\` (gatelock/origin) with the tenant and the client ID of stack output ${"`"}origins.${origin.name}.resources${"`"} in front of every route` };
  }
  if (t.invoke?.kind === "endpoints") {
    return {
      checkedBy: "Cloud Endpoints (ESPv2) or API Gateway",
      keep: `stack output \`origins.${origin.name}.resources.endpointsSecurity\` merged into the service's OpenAPI document (\`x-google-issuer\`, \`x-google-jwks_uri\`, \`x-google-audiences\`) and required on every operation`,
    };
  }
  if (t.invoke?.kind === "iap") {
    return { checkedBy: "Identity-Aware Proxy", keep: "IAP turned on for the service, and its ingress limited so that nothing reaches it around IAP" };
  }
  if (t.invoke?.kind === "google-api") return { checkedBy: "Google Cloud IAM", keep: "the service account's roles to exactly what the gateway calls" };
  return CLOUD_IAM.gcp;
}

function tokenSide(origin: OriginSideInput, config: OriginGatewayConfig | undefined): TokenSide {
  const option = config?.policies.map((p) => p.handler.options.header).find((h): h is string => typeof h === "string");
  const header = option ?? "authorization";
  if (origin.verifier) {
    const v = origin.verifier;
    return {
      kind: "token",
      origin: origin.name,
      header,
      issuer: v.issuer,
      jwksUri: v.jwksUri,
      audience: v.audience,
      subjects: [...v.subjects],
      claims: Object.entries(v.claims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      source: "verifier",
      missing: [],
    };
  }
  const read = readProof(origin.proof);
  const jwksUri = read.issuer !== undefined && isZuploIssuer(read.issuer) ? ZUPLO_JWKS_URI : undefined;
  const missing = [
    ...(read.issuer === undefined ? ["verifier.issuer"] : []),
    ...(jwksUri === undefined ? ["verifier.jwksUri"] : []),
    ...(read.audience === undefined ? ["verifier.audience"] : []),
  ];
  return { kind: "token", origin: origin.name, header, ...read, jwksUri, source: "proof", missing };
}

/** The header names a `set-headers-inbound` policy of this origin sets. */
function headersSet(config: OriginGatewayConfig | undefined): string[] {
  const names: string[] = [];
  for (const p of config?.policies ?? []) {
    const headers = p.handler.options.headers;
    if (!Array.isArray(headers)) continue;
    for (const h of headers) if (h && typeof h === "object" && typeof (h as { name?: unknown }).name === "string") names.push((h as { name: string }).name);
  }
  return names;
}

const CLAIM = /, (?=[A-Za-z_][A-Za-z0-9_]* = )/;

/**
 * The trust back from `describeOrigin`'s proof, `a token from <issuer> with aud = <audience>,
 * sub ∈ {<s1>, <s2>}, <claim> = <value>, …`. Anything not in that shape is left undefined.
 */
export function readProof(proof: string): Pick<TokenSide, "issuer" | "audience" | "subjects" | "claims"> {
  const none = { issuer: undefined, audience: undefined, subjects: [], claims: [] };
  const m = /^a token from (\S+) with aud = ([\s\S]*)$/.exec(proof);
  if (!m) return none;
  const issuer = m[1]!;
  let rest = m[2]!;
  const cut = /, (?:sub ∈ \{|[A-Za-z_][A-Za-z0-9_]* = )/.exec(rest);
  const audience = cut ? rest.slice(0, cut.index) : rest;
  rest = cut ? rest.slice(cut.index + 2) : "";
  let subjects: string[] = [];
  if (rest.startsWith("sub ∈ {")) {
    const end = /\}(?=$|, [A-Za-z_][A-Za-z0-9_]* = )/.exec(rest);
    if (!end) return { ...none, issuer, audience };
    subjects = rest.slice("sub ∈ {".length, end.index).split(", ");
    rest = rest.slice(end.index + 1).replace(/^, /, "");
  }
  const claims = rest === "" ? [] : rest.split(CLAIM).map((pair) => {
    const at = pair.indexOf(" = ");
    return [pair.slice(0, at), pair.slice(at + 3)] as const;
  });
  claims.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { issuer, audience, subjects, claims };
}
