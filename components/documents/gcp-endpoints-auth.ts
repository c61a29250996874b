/**
 * The OpenAPI 2.0 security that Cloud Endpoints (ESPv2) and API Gateway need to accept the
 * self-signed JWT Zuplo's `upstream-gcp-jwt-inbound` policy sends (pure).
 *
 * That JWT is signed with the service account's key: `iss` = `sub` = the account's email,
 * `aud` = the policy's `audience`, `kid` = the key ID. ESPv2 checks the signature against the
 * account's published certificates (looked up by `kid`), `iss` against `x-google-issuer`, and
 * `aud` against `x-google-audiences`; so the definition pins all three to that one account
 * and that one audience. ESP does not look at the account's IAM roles: whoever holds a key of
 * this account can call the API, which is why the key is a gateway secret.
 *
 * The certificate URL is the one Google's Endpoints guide uses for service accounts
 * (`robot/v1/metadata/x509/<email>`, a map of key ID to PEM certificate).
 */

/** Where Google publishes a service account's public certificates, by key ID. */
export const SERVICE_ACCOUNT_X509_URL = "https://www.googleapis.com/robot/v1/metadata/x509/";

/** The security definition gatelock adds (one per origin). */
export const DEFAULT_SECURITY_DEFINITION = "gatelock_gateway";

export interface EndpointsAuthInput {
  /** The gateway's service account, e.g. `gatelock-gw@acme-prod.iam.gserviceaccount.com`. */
  readonly serviceAccountEmail: string;
  /** Exactly the `audience` of the Zuplo policy (ESP compares the whole string). */
  readonly audience: string;
  /** Name of the security definition. Default `gatelock_gateway`. */
  readonly name?: string;
}

export interface EndpointsSecurityDefinition {
  readonly authorizationUrl: "";
  readonly flow: "implicit";
  readonly type: "oauth2";
  readonly "x-google-issuer": string;
  readonly "x-google-jwks_uri": string;
  readonly "x-google-audiences": string;
}

/** Merge into the API's OpenAPI 2.0 document: `securityDefinitions` and a top-level `security` requirement. */
export interface EndpointsSecurity {
  readonly securityDefinitions: Readonly<Record<string, EndpointsSecurityDefinition>>;
  readonly security: ReadonlyArray<Readonly<Record<string, readonly []>>>;
}

const SERVICE_ACCOUNT_EMAIL = /^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/;
const DEFINITION_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The security definition and requirement for a service account's self-signed JWT. */
export function endpointsServiceAccountSecurity(input: EndpointsAuthInput): EndpointsSecurity {
  const email = input.serviceAccountEmail;
  if (typeof email !== "string" || !SERVICE_ACCOUNT_EMAIL.test(email)) throw new TypeError("Endpoints security: `serviceAccountEmail` must be a service account email (…@….gserviceaccount.com)");
  const audience = input.audience;
  // `x-google-audiences` is a comma-separated list: a comma or space in one audience would split it.
  if (typeof audience !== "string" || audience.length === 0 || /[\s,]/.test(audience)) throw new TypeError("Endpoints security: `audience` must be one non-empty value without commas or spaces");
  const name = input.name ?? DEFAULT_SECURITY_DEFINITION;
  if (!DEFINITION_NAME.test(name)) throw new TypeError("Endpoints security: `name` must be 1-64 of [A-Za-z0-9_.-]");
  return {
    securityDefinitions: {
      [name]: {
        authorizationUrl: "",
        flow: "implicit",
        type: "oauth2",
        "x-google-issuer": email,
        "x-google-jwks_uri": `${SERVICE_ACCOUNT_X509_URL}${email}`,
        "x-google-audiences": audience,
      },
    },
    security: [{ [name]: [] }],
  };
}
