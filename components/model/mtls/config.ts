/**
 * Method 4, mTLS (groundwork: not part of the stack-file schema yet). The origin accepts only
 * TLS connections that present a client certificate issued by a CA the stack controls, and
 * the gateway presents that certificate. This is the config the model will take: the PKI (CA,
 * client certificate, their keys, validity and rotation), a bring-your-own trust bundle, and
 * the modes of each cloud's origin-side trust that gatelock may set.
 */
import { z } from "zod";
import { AZURE_RG } from "../primitives";

/** Keys a CA may have: P-256 by default; never P-224 (the tls provider's own default). */
export const CA_KEYS = ["ECDSA_P256", "ECDSA_P384", "RSA_3072", "RSA_4096"] as const;
/** Keys the gateway's client certificate may have. */
export const CLIENT_KEYS = ["ECDSA_P256", "ECDSA_P384", "RSA_2048", "RSA_3072", "RSA_4096"] as const;
/** Browsers' and most platforms' ceiling for a leaf certificate's life. */
export const DEFAULT_MAX_CLIENT_VALIDITY_DAYS = 397;

export const MtlsPkiConfig = z
  .strictObject({
    caKey: z
      .string()
      .default("ECDSA_P256")
      .describe(`The CA's key: ${CA_KEYS.map((k) => `\`${k}\``).join(", ")}. Anything weaker (P-224, RSA under 3072 for a CA) is refused.`),
    caValidityDays: z.int().min(1).max(3650).default(1825).describe("How long the CA certificate is valid (default five years)."),
    clientKey: z
      .string()
      .default("ECDSA_P256")
      .describe(`The gateway's client certificate key: ${CLIENT_KEYS.map((k) => `\`${k}\``).join(", ")}.`),
    clientValidityDays: z.int().min(1).default(DEFAULT_MAX_CLIENT_VALIDITY_DAYS).describe("How long each client certificate is valid (default 397 days)."),
    maxClientValidityDays: z
      .int()
      .min(1)
      .max(825)
      .default(DEFAULT_MAX_CLIENT_VALIDITY_DAYS)
      .describe("The longest client certificate life this stack accepts (default 397, at most 825)."),
    rotateAfterDays: z.int().min(1).default(90).describe("Issue a new client certificate after this many days (in `pulumi up`: the tls provider never renews by itself)."),
    overlapDays: z
      .int()
      .min(0)
      .default(14)
      .describe("After a rotation, keep the previous certificate's chain in the origin's trust bundle this long, while the gateway switches."),
    rotation: z.int().min(0).default(0).describe("Increase by one to force a rotation now."),
    trustBundle: z
      .string()
      .min(1)
      .optional()
      .describe("Bring your own: the PEM CA bundle the origin trusts, when the gateway's client certificate is issued elsewhere. A public root CA in it is refused."),
    dangerouslyAllowOptionalClientCert: z
      .boolean()
      .default(false)
      .describe("Escape hatch: allow an origin-side mode that lets requests without a valid client certificate through (ALB `passthrough`, GCP `ALLOW_INVALID_OR_MISSING_CLIENT_CERT`, App Service `Optional`). The origin must then check the certificate itself. Reported as a warning."),
  })
  .describe("The stack's PKI for one mTLS origin: a CA, the gateway's client certificate, and their rotation.");

/** Origin-side modes each cloud offers, as gatelock would set them; the permissive ones need the escape hatch. */
export const MtlsOriginModes = z.strictObject({
  aws: z
    .strictObject({
      albListenerArn: z.string().min(1).optional().describe("An ALB HTTPS listener to set `mutualAuthentication` on."),
      albMode: z.enum(["verify", "passthrough", "off"]).default("verify").describe("The listener's mutual authentication mode: `verify` (default)."),
    })
    .optional(),
  gcp: z
    .strictObject({
      clientValidationMode: z.enum(["REJECT_INVALID", "ALLOW_INVALID_OR_MISSING_CLIENT_CERT"]).default("REJECT_INVALID").describe("The ServerTlsPolicy's client validation: `REJECT_INVALID` (default)."),
    })
    .optional(),
  azure: z
    .strictObject({
      appService: z
        .strictObject({
          name: z.string().min(1),
          resourceGroup: z.string().regex(AZURE_RG, { error: "expected an Azure resource group name" }),
          clientCertMode: z.enum(["Required", "Optional", "OptionalInteractiveUser"]).default("Required"),
        })
        .optional(),
    })
    .optional(),
});

export type ParsedMtlsPki = z.output<typeof MtlsPkiConfig>;
export type ParsedMtlsOriginModes = z.output<typeof MtlsOriginModes>;
