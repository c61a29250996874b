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
/** Zuplo's control plane: every issuer on it is shared by Zuplo's customers. */
const ZUPLO_SHARED_ISSUER_HOST = "dev.zuplo.com";
/** The claims the Zuplo preset pins: what separates one Zuplo customer's gateway from another's. */
export const ZUPLO_PINNED_CLAIMS = ["account", "project"] as const;

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

/**
 * The form two issuers are compared in: scheme and host lower-cased (URL parsing does that and
 * drops a default port), the path's case folded and trailing slashes dropped. Comparison only:
 * the `iss` a trust pins is always the exact string.
 */
function comparableIssuer(issuer: string): { host: string; path: string } | undefined {
  try {
    const u = new URL(issuer.trim());
    return { host: u.host.toLowerCase(), path: u.pathname.replace(/\/+$/, "").toLowerCase() };
  } catch {
    return undefined;
  }
}

/** Is this Zuplo's shared issuer, in whatever case, with or without a trailing slash? */
export function isZuploIssuer(issuer: string): boolean {
  const a = comparableIssuer(issuer);
  const z = comparableIssuer(ZUPLO_ISSUER)!;
  return a !== undefined && a.host === z.host && a.path === z.path;
}

/** Is this an issuer on Zuplo's control plane, which every Zuplo customer shares? */
export function isSharedZuploIssuer(issuer: string): boolean {
  return comparableIssuer(issuer)?.host === ZUPLO_SHARED_ISSUER_HOST;
}

/**
 * A gateway that signs its own tokens with a custom issuer (e.g. Zuplo's JwtServicePlugin).
 *
 * Naming Zuplo's own issuer here does not turn the preset's guard off: such an identity is the
 * preset (exact issuer and JWKS, `account` and `project` pinned from the gateway), plus any
 * further claims. The model refuses claims that would replace those pins.
 */
export function customIdentity(
  args: { issuer: string; jwksUri?: string; claims?: Record<string, string> },
  gateway: { account: string; project: string },
): GatewayIdentity {
  if (isZuploIssuer(args.issuer)) {
    const preset = zuploIdentity(gateway);
    return { ...preset, claims: { ...(args.claims ?? {}), ...preset.claims } };
  }
  const shared = isSharedZuploIssuer(args.issuer);
  const issuer = args.issuer.replace(/\/+$/, "");
  return {
    issuer: args.issuer,
    jwksUri: args.jwksUri ?? `${issuer}/.well-known/jwks.json`,
    claims: shared ? { ...(args.claims ?? {}), account: gateway.account, project: gateway.project } : { ...(args.claims ?? {}) },
    sharedIssuer: shared,
  };
}
