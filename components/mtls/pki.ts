/**
 * The stack's PKI for one mTLS origin, with `@pulumi/tls`: a CA in two rotating slots and the
 * gateway's client certificate, issued by the current CA. The tls provider never renews a
 * certificate by itself (pulumi/pulumi-tls#39), so renewal is a rotation schedule's, as for the
 * shared secret, and runs in `pulumi up`:
 *
 * - client certificate: after `rotateAfterDays` a new key (the engine replaces it when its
 *   `replacementTrigger`, the generation, changes) and certificate; the origin trusts the CA,
 *   so nothing on its side changes;
 * - CA: after `caRotateAfterDays` the other slot gets a new CA and becomes current. In that one
 *   update the trust bundle gains it first (the gateway's side depends on the origin's trust
 *   stores), then the gateway presents a certificate it signed; the old CA leaves the bundle
 *   after `overlapDays`.
 *
 * Each certificate gets its own name in the gateway's store (`<name>_c<CA generation>g<client
 * generation>`), so the new one exists before the gateway switches and the old one is deleted.
 */
import * as pulumi from "@pulumi/pulumi";
import { CertRequest } from "@pulumi/tls/certRequest";
import { LocallySignedCert } from "@pulumi/tls/locallySignedCert";
import { PrivateKey } from "@pulumi/tls/privateKey";
import { SelfSignedCert } from "@pulumi/tls/selfSignedCert";
import { asSecret } from "../component/secrets";
import type { GatewayCertificate } from "../gateway/certificates";
import type { GatewayVariable } from "../gateway/environment";
import { mtlsVariables } from "../gateway/mtls";
import { pairVariables } from "../gateway/variables";
import type { MtlsOrigin } from "../model/model";
import type { ClientPki, MtlsPki as PkiModel, TlsKeySpec } from "../model/mtls/target";
import { RotationSchedule } from "../shared-secret/rotation-schedule";

/** What a CA certificate may do: sign certificates and CRLs, nothing else (the provider takes snake_case). */
export const CA_USES = ["cert_signing", "crl_signing", "digital_signature"] as const;
/** The gateway's certificate authenticates a client, and is never valid for a server. */
export const CLIENT_USES_ECDSA = ["client_auth", "digital_signature"] as const;
export const CLIENT_USES_RSA = ["client_auth", "digital_signature", "key_encipherment"] as const;

export interface MtlsPki {
  /** PEM CA certificates the origin trusts: the current CA, and the previous one during an overlap. Public. */
  readonly trustBundle: pulumi.Output<string>;
  /** What the stack outputs and the audit show: subjects, expiry, generations. Never a key. */
  readonly summary: Record<string, pulumi.Input<unknown>>;
  /**
   * The gateway's side, once the origin's trust stores exist: its variable (the current
   * certificate's name) and the certificate itself, both waiting for `ready`.
   */
  gatewaySide(ready: readonly pulumi.Resource[], url: pulumi.Input<string> | undefined): { readonly gatewayVariables: GatewayVariable[]; readonly gatewayCertificates: GatewayCertificate[] };
}

function keyArgs(spec: TlsKeySpec) {
  return spec.algorithm === "ECDSA" ? { algorithm: "ECDSA", ecdsaCurve: spec.ecdsaCurve } : { algorithm: "RSA", rsaBits: spec.rsaBits };
}

/**
 * `ownCaKey`: the private key of a CA brought by the user (`origin.trust.kind === "own-ca"`), a
 * Pulumi secret; the component's `ca.key` arg, or the stack file's secret config key.
 */
export function createMtlsPki(name: string, origin: MtlsOrigin, parent: pulumi.ComponentResource, ownCaKey?: pulumi.Input<string>): MtlsPki {
  if (origin.trust.kind === "bundle") {
    // The certificate is issued and uploaded elsewhere; the gateway only needs its name.
    const certificateName = origin.client.certificateName;
    return {
      trustBundle: pulumi.output(origin.trust.bundle),
      summary: { trust: "bundle brought by the stack file", certificateName },
      gatewaySide: (ready, url) => ({
        gatewayVariables: pairVariables(mtlsVariables(origin), { certificateName, ...(url !== undefined ? { url } : {}) }, { certificateName: ready }),
        gatewayCertificates: [],
      }),
    };
  }
  if (origin.trust.kind === "own-ca") {
    if (ownCaKey === undefined) throw new TypeError(`gatelock: ${name}: the key of the CA brought in \`ca\` is required`);
    const t = origin.trust;
    const ca: IssuingCa = {
      certPem: pulumi.output(t.certificate),
      keyPem: asSecret(ownCaKey),
      generation: pulumi.output(0),
      trustBundle: pulumi.output(`${t.certificate.trim()}\n${t.previousCertificate ? `${t.previousCertificate.trim()}\n` : ""}`),
      summary: { ca: "your own CA (`ca.certificate`)", previousCaTrusted: t.previousCertificate !== undefined },
    };
    return clientCertificate(name, origin, t.pki, ca, parent);
  }
  return clientCertificate(name, origin, origin.trust.pki, stackCa(name, origin.trust.pki, parent), parent);
}

/** The CA that signs the gateway's certificate now, and the bundle the origin trusts. */
interface IssuingCa {
  readonly certPem: pulumi.Output<string>;
  /** A Pulumi secret. */
  readonly keyPem: pulumi.Output<string>;
  /** Changes when the CA does: part of the certificate's name in the gateway's store. */
  readonly generation: pulumi.Output<number>;
  readonly trustBundle: pulumi.Output<string>;
  readonly summary: Record<string, pulumi.Input<unknown>>;
}

/** The stack's own CA, in two rotating slots. */
function stackCa(name: string, pki: PkiModel, parent: pulumi.ComponentResource): IssuingCa {
  const opts = { parent };
  const caSchedule = new RotationSchedule(`${name}-ca-rotation`, { rotateAfterDays: pki.caRotateAfterDays, overlapDays: pki.overlapDays, rotation: pki.caRotation }, opts);
  const ca = (slot: "a" | "b", generation: pulumi.Output<number>) => {
    // A new generation of the slot is a new key, hence a new CA certificate.
    const key = new PrivateKey(`${name}-ca-key-${slot}`, keyArgs(pki.caKey), { parent, replacementTrigger: generation });
    const cert = new SelfSignedCert(
      `${name}-ca-${slot}`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: { ...pki.caSubject, commonName: `${pki.caSubject.commonName} (${slot})` },
        isCaCertificate: true,
        setSubjectKeyId: true,
        allowedUses: [...CA_USES],
        validityPeriodHours: pki.caValidityDays * 24,
      },
      opts,
    );
    return { key, cert };
  };
  const a = ca("a", caSchedule.slotA);
  const b = ca("b", caSchedule.slotB);
  const pick = <T>(current: string, x: T, y: T) => (current === "a" ? x : y);
  const caCertPem = pulumi.all([caSchedule.current, a.cert.certPem, b.cert.certPem]).apply(([c, x, y]) => pick(c, x, y));
  const caKeyPem = asSecret(pulumi.all([caSchedule.current, a.key.privateKeyPem, b.key.privateKeyPem]).apply(([c, x, y]) => pick(c, x, y)));
  const caExpiresAt = pulumi.all([caSchedule.current, a.cert.validityEndTime, b.cert.validityEndTime]).apply(([c, x, y]) => pick(c, x, y));
  const trustBundle = pulumi
    .all([caSchedule.current, caSchedule.previousActive, a.cert.certPem, b.cert.certPem])
    .apply(([c, previousActive, x, y]) => (previousActive ? pick(c, x + y, y + x) : pick(c, x, y)));

  return {
    certPem: caCertPem,
    keyPem: caKeyPem,
    generation: caSchedule.generation,
    trustBundle,
    summary: { ca: pulumi.interpolate`${pki.caSubject.commonName} (${caSchedule.current})`, caExpiresAt, caGeneration: caSchedule.generation, previousCaTrusted: caSchedule.previousActive },
  };
}

/** The gateway's client certificate, issued by `ca`, renewed after `rotateAfterDays` with a new key. */
function clientCertificate(name: string, origin: MtlsOrigin, pki: ClientPki, ca: IssuingCa, parent: pulumi.ComponentResource): MtlsPki {
  const opts = { parent };
  const clientSchedule = new RotationSchedule(`${name}-client-rotation`, { rotateAfterDays: pki.rotateAfterDays, overlapDays: 0, rotation: pki.rotation }, opts);
  const key = new PrivateKey(`${name}-client-key`, keyArgs(pki.clientKey), { parent, replacementTrigger: clientSchedule.generation });
  const request = new CertRequest(`${name}-client-csr`, { privateKeyPem: key.privateKeyPem, subject: { ...origin.client.subject } }, opts);
  const cert = new LocallySignedCert(
    `${name}-client-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: ca.keyPem,
      caCertPem: ca.certPem,
      allowedUses: [...(pki.clientKey.algorithm === "RSA" ? CLIENT_USES_RSA : CLIENT_USES_ECDSA)],
      validityPeriodHours: pki.clientValidityDays * 24,
    },
    opts,
  );
  const certificateName = pulumi.interpolate`${origin.client.certificateName}_c${ca.generation}g${clientSchedule.generation}`;
  const certificate: GatewayCertificate = {
    origin: origin.name,
    name: certificateName,
    certificate: cert.certPem,
    key: asSecret(key.privateKeyPem),
    environments: origin.client.environments,
    ...(origin.target.cloud === "local" ? { localDir: origin.target.certificatesDir } : {}),
  };
  return {
    trustBundle: ca.trustBundle,
    summary: {
      ...ca.summary,
      clientSubject: `CN=${origin.client.subject.commonName}, OU=${origin.client.subject.organizationalUnit}, O=${origin.client.subject.organization}`,
      clientExpiresAt: cert.validityEndTime,
      clientGeneration: clientSchedule.generation,
      certificateName,
    },
    gatewaySide: (ready, url) => ({
      gatewayVariables: pairVariables(mtlsVariables(origin), { certificateName, ...(url !== undefined ? { url } : {}) }, { certificateName: ready }),
      gatewayCertificates: [{ ...certificate, dependsOn: ready }],
    }),
  };
}
