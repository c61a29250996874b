/**
 * Who the gateway is, as an identity an origin or a cloud can trust.
 *
 * Shared-secret origins only need the gateway's name; later methods (federated identity)
 * pin the issuer, audience, subjects and claims modelled here. Facts come from Zuplo's
 * ID token documentation (`ZuploServices.getIDToken`).
 */

/** Zuplo's issuer is the same for every Zuplo customer: pinning claims is what makes it yours. */
export const ZUPLO_ISSUER = "https://dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD";
export const ZUPLO_JWKS_URI = `${ZUPLO_ISSUER}/.well-known/jwks.json`;

export type ZuploEnvironmentType = "production" | "preview" | "development";

export interface GatewayIdentity {
  /** `iss` of the tokens the gateway mints. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Claims every token of this gateway carries, which a trust may pin. */
  readonly claims: Readonly<Record<string, string>>;
  /** True when other tenants share the issuer, so an issuer-only trust would admit them too. */
  readonly sharedIssuer: boolean;
}

export function zuploIdentity(args: { account: string; project: string }): GatewayIdentity {
  return {
    issuer: ZUPLO_ISSUER,
    jwksUri: ZUPLO_JWKS_URI,
    claims: { account: args.account, project: args.project },
    sharedIssuer: true,
  };
}

/** A gateway that signs its own tokens with a custom issuer (e.g. Zuplo's JwtServicePlugin). */
export function customIdentity(args: { issuer: string; jwksUri?: string; claims?: Record<string, string> }): GatewayIdentity {
  const issuer = args.issuer.replace(/\/+$/, "");
  return {
    issuer: args.issuer,
    jwksUri: args.jwksUri ?? `${issuer}/.well-known/jwks.json`,
    claims: { ...(args.claims ?? {}) },
    sharedIssuer: false,
  };
}
