/**
 * The shapes the package's schema gives what components output, where the TypeScript shapes
 * are beyond Pulumi's schema analyzer (read-only arrays, string-literal unions, resources).
 */
import * as pulumi from "@pulumi/pulumi";
import type { GatewayCertificate as TsGatewayCertificate } from "../gateway/certificates";
import type { GatewayVariable as PairedVariable, VariableSummary as TsVariableSummary } from "../gateway/environment";
import type { Finding as ModelFinding } from "../model/safety";
import type { TunnelService as TsTunnelService } from "../tunnel/origin-args";
import type { MtlsGatewayEnvironment } from "./mtls";
import type { TunnelAccess } from "./tunnel";

/**
 * One variable for the gateway's environment: an origin component outputs its variables in
 * `gatewayVariables`, and `ZuploEnvironment` takes them in `variables`.
 */
export interface GatewayVariable {
  /** Name of the variable in the gateway's environment, e.g. `ORDERS_SHARED_SECRET`. */
  readonly name: string;
  /** Whether the gateway stores it as a secret (a shared secret is; role ARNs and URLs are not). */
  readonly isSecret: boolean;
  /** The origin it belongs to. */
  readonly origin: string;
  /** What it carries, in plain words. */
  readonly description: string;
  /** Its value: a Pulumi secret when `isSecret`. It depends on the resources the gateway needs before using it. */
  readonly value: pulumi.Input<string>;
}

/**
 * A client certificate the gateway presents to an mTLS origin: an mTLS origin component outputs
 * its certificates in `gatewayCertificates`, and `ZuploEnvironment` takes them in `certificates`
 * and stores them (Zuplo's certificate store, or for a local origin `zuplo dev`'s certificates
 * directory).
 */
export interface GatewayCertificate {
  /** The origin the certificate is presented to. */
  readonly origin: string;
  /** The certificate's name in the store (a JavaScript identifier); new for every generation. */
  readonly name: pulumi.Input<string>;
  /** PEM certificate (public). */
  readonly certificate: pulumi.Input<string>;
  /** PEM private key: a secret. It depends on the origin's trust stores, which must exist before the gateway presents the certificate. */
  readonly key: pulumi.Input<string>;
  /** Zuplo environment types the certificate is enabled in (default `production`). */
  readonly environments?: MtlsGatewayEnvironment[];
  /** For a local origin: the `--mtls-certificates-dir` it goes to, relative to the project. */
  readonly localDir?: string;
}

/** What an mTLS origin's PKI is: subjects, expiry, generations; never a key. */
export interface MtlsPkiSummary {
  /** Name of the gateway's current certificate in its certificate store (what the origin's gateway variable holds). */
  readonly certificateName: pulumi.Output<string>;
  /** The CA that issues the gateway's certificate (for gatelock's own CA: its common name and current slot). Absent when the certificate is issued elsewhere (`trustBundle`). */
  readonly ca?: pulumi.Output<string>;
  /** When the current CA certificate expires (RFC 3339; gatelock's own CA). */
  readonly caExpiresAt?: pulumi.Output<string>;
  /** The CA's rotation generation (gatelock's own CA). */
  readonly caGeneration?: pulumi.Output<number>;
  /** Whether the origin still trusts the previous CA as well (during the overlap after a CA rotation). */
  readonly previousCaTrusted?: pulumi.Output<boolean>;
  /** Subject of the gateway's certificate, `CN=…, OU=…, O=…` (when gatelock issues the certificate). */
  readonly clientSubject?: string;
  /** When the gateway's current certificate expires (RFC 3339; when gatelock issues the certificate). */
  readonly clientExpiresAt?: pulumi.Output<string>;
  /** The client certificate's rotation generation (when gatelock issues the certificate). */
  readonly clientGeneration?: pulumi.Output<number>;
}

/** A client certificate `ZuploEnvironment` stored, and where; never its key. */
export interface CertificateSummary {
  /** The origin it is presented to. */
  readonly origin: string;
  /** Its name in the store. */
  readonly name: pulumi.Input<string>;
  /** Where it was stored: `zuplo-developer-api`, `mtls-dir:<dir>` (none: upload it yourself). */
  readonly sinks: string[];
}

/** What a reviewer should know about a component's args (a warning, named by arg). */
export interface Finding {
  /** `warning` or `error`. */
  readonly severity: string;
  /** Stable code to match on, e.g. `WARN_GENERIC_AUDIENCE`. */
  readonly code: string;
  /** The component and arg it is about, e.g. `orders: readers[0]`. */
  readonly path: string;
  /** What gatelock found. */
  readonly message: string;
  /** How to fix it, when there is a fix. */
  readonly fix?: string;
}

/** A variable `ZuploEnvironment` wrote, and where; never its value. */
export interface VariableSummary {
  /** Name of the variable. */
  readonly name: string;
  /** Whether it is a secret. */
  readonly isSecret: boolean;
  /** The origin it belongs to. */
  readonly origin: string;
  /** What it carries. */
  readonly description: string;
  /** Where it was written: `zuplo-developer-api`, `dotenv:<path>`. */
  readonly sinks: string[];
}

/** The settings an origin's `createTokenVerifier` (from `gatelock/origin`) takes: exactly the trust gatelock pinned. */
export interface OtherVerifierSettings {
  /** Issuer (`iss`) of the gateway's tokens. */
  readonly issuer: string;
  /** Where the issuer's signing keys are. */
  readonly jwksUri: string;
  /** The audience (`aud`) the tokens must carry. */
  readonly audience: string;
  /** The subjects (`sub`) accepted. */
  readonly subjects: string[];
  /** Claims every token must carry, with their exact values. */
  readonly claims: { readonly [claim: string]: string };
}

/**
 * What a tunnel's services configuration needs for one origin: a tunnel origin component
 * outputs it in `tunnelService`, and `GatewayTunnelServices` takes them in `services`.
 */
export interface TunnelService {
  /** The origin. */
  readonly origin: string;
  /** The tunnel that carries it (its name). */
  readonly tunnel: string;
  /** The service name the gateway calls as `service://<name>`. */
  readonly name: string;
  /** The origin as the connector reaches it inside the private network. */
  readonly endpoint: string;
  /** Zuplo environment types that may call the service. */
  readonly accessibleBy: TunnelAccess[];
  /** The origin's escape hatch for a public endpoint, so the connector carrying it judges it the same. */
  readonly dangerouslyAllowPublicEndpoint?: boolean;
}

/**
 * An origin's gateway variables as the package outputs them. The resources a variable waits for
 * (`dependsOn`, which cannot cross into another language) become dependencies of its value, so
 * a `ZuploEnvironment` built from it in any language still waits for them.
 */
export function packageVariables(variables: readonly PairedVariable[]): GatewayVariable[] {
  return variables.map((v) => ({
    name: v.name,
    isSecret: v.isSecret,
    origin: v.origin,
    description: v.description,
    value: valueAfter(v.value, v.dependsOn ?? [], v.isSecret),
  }));
}

/**
 * An origin's client certificates as the package outputs them. The resources a certificate
 * waits for (the origin's trust stores, in `dependsOn`) become dependencies of its key, so the
 * certificate a `ZuploEnvironment` stores from it, in any language, still waits for them.
 */
export function packageCertificates(certificates: readonly TsGatewayCertificate[]): GatewayCertificate[] {
  return certificates.map((c) => ({
    origin: c.origin,
    name: c.name,
    certificate: c.certificate,
    key: valueAfter(c.key, c.dependsOn ?? [], true),
    ...(c.environments !== undefined ? { environments: c.environments.map((e) => e as MtlsGatewayEnvironment) } : {}),
    ...(c.localDir !== undefined ? { localDir: c.localDir } : {}),
  }));
}

/**
 * An mTLS origin's PKI summary (the facts of the TypeScript component's `summary` that
 * `createMtlsPki` gives), in the schema's shape.
 */
export function packageMtlsSummary(summary: Readonly<Record<string, pulumi.Input<unknown>>>): MtlsPkiSummary {
  const s = summary as {
    readonly certificateName: pulumi.Input<string>;
    readonly ca?: pulumi.Input<string>;
    readonly caExpiresAt?: pulumi.Input<string>;
    readonly caGeneration?: pulumi.Input<number>;
    readonly previousCaTrusted?: pulumi.Input<boolean>;
    readonly clientSubject?: string;
    readonly clientExpiresAt?: pulumi.Input<string>;
    readonly clientGeneration?: pulumi.Input<number>;
  };
  const optional = <T>(value: pulumi.Input<T> | undefined) => (value === undefined ? undefined : pulumi.output(value));
  const facts = {
    ca: optional(s.ca),
    caExpiresAt: optional(s.caExpiresAt),
    caGeneration: optional(s.caGeneration),
    previousCaTrusted: optional(s.previousCaTrusted),
    clientSubject: s.clientSubject,
    clientExpiresAt: optional(s.clientExpiresAt),
    clientGeneration: optional(s.clientGeneration),
  };
  return {
    certificateName: pulumi.output(s.certificateName),
    ...(Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as Omit<MtlsPkiSummary, "certificateName">),
  };
}

export function packageCertificateSummaries(certificates: readonly { readonly origin: string; readonly name: pulumi.Input<string>; readonly sinks: readonly string[] }[]): CertificateSummary[] {
  return certificates.map((c) => ({ origin: c.origin, name: c.name, sinks: [...c.sinks] }));
}

function valueAfter(value: pulumi.Input<string>, ready: readonly pulumi.Resource[], secret: boolean): pulumi.Output<string> {
  const out = ready.length === 0 ? pulumi.output(value) : pulumi.all([value, ...ready.map((r) => r.urn)]).apply(([v]) => v);
  return secret ? pulumi.secret(out) : out;
}

/**
 * A tunnel origin's services-configuration entry as the package outputs it: an Output of the
 * origin component, so a services configuration built from it, in any language, waits for the
 * connector (as the TypeScript `GatewayTunnel.carry(services, [origin])` does).
 */
export function packageTunnelService(origin: pulumi.Resource, service: TsTunnelService): pulumi.Output<TunnelService> {
  const entry: TunnelService = {
    origin: service.origin,
    tunnel: service.tunnel,
    name: service.name,
    endpoint: service.endpoint,
    accessibleBy: service.accessibleBy.map((a) => a as TunnelAccess),
    ...(service.dangerouslyAllowPublicEndpoint ? { dangerouslyAllowPublicEndpoint: true } : {}),
  };
  return origin.urn.apply(() => entry);
}

export function packageFindings(findings: readonly ModelFinding[]): Finding[] {
  return findings.map((f) => ({ severity: f.severity, code: f.code, path: f.path, message: f.message, ...(f.fix !== undefined ? { fix: f.fix } : {}) }));
}

export function packageSummaries(variables: readonly TsVariableSummary[]): VariableSummary[] {
  return variables.map((v) => ({ name: v.name, isSecret: v.isSecret, origin: v.origin, description: v.description, sinks: [...v.sinks] }));
}
