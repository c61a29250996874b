/**
 * `gatelock/origin`: what a backend imports at runtime to accept only requests that came
 * through its gateway.
 *
 * This entry point must stay free of `@pulumi/*` and of any cloud SDK, since it runs inside
 * the origin service; cloud secret stores are read by a `SecretSource` function the origin
 * supplies. The gateway-token verifier (federated origins outside cloud IAM) is built on
 * `jose`, loaded only when a token verifier is created. Exports are listed one by one so
 * the public surface is a deliberate choice.
 */
export {
  createSharedSecretVerifier,
  constantTimeEqual,
  DEFAULT_SHARED_SECRET_HEADER,
  type RejectReason,
  type SharedSecretVerifier,
  type SharedSecretVerifierOptions,
  type SourceFailure,
  type VerifyResult,
} from "./shared-secret";
export { protect, sharedSecretMiddleware, type SharedSecretMiddleware, type SharedSecretMiddlewareOptions } from "./middleware";
export { fromEnv, fromStatic, SecretSourceError, type SecretSource } from "./sources";
export {
  createTokenVerifier,
  MAX_CLOCK_TOLERANCE_SECONDS,
  TOKEN_ALGORITHMS,
  type TokenAlgorithm,
  type TokenRejectReason,
  type TokenVerifier,
  type TokenVerifierOptions,
  type TokenVerifyResult,
} from "./token";
export type { JwksFailure, JwksFetch } from "./jwks";
export {
  DEFAULT_TOKEN_HEADER,
  protectWithToken,
  tokenMiddleware,
  type GatewayRequest,
  type TokenMiddleware,
  type TokenMiddlewareOptions,
} from "./token-middleware";
export type { SecretDocument } from "../shared-secret/document";
export { createEntraTokenVerifier, DEFAULT_ENTRA_ROLE, ENTRA_AUTHORITY_HOST, entraIssuer, entraJwksUri, entraTokenMiddleware, protectWithEntraToken, type EntraMiddlewareOptions, type EntraRejectReason, type EntraTokenVerifier, type EntraTokenVerifierOptions, type EntraVerifyResult } from "./entra";
export {
  CLIENT_AUTH_EKU,
  clientCertMiddleware,
  MAX_CERT_CLOCK_TOLERANCE_SECONDS,
  mtlsServerOptions,
  protectWithClientCert,
  reasonForTlsError,
  type ClientCertGuard,
  type ClientCertMiddleware,
  type ClientCertMiddlewareOptions,
  type ClientCertOptions,
  type ClientCertRejectReason,
  type ClientCertRequest,
  type ClientCertResult,
  type MtlsServer,
  type MtlsTlsOptions,
  type SubjectPin,
  type TrustBundle,
} from "./mtls";
export {
  ALB_CLIENT_CERT_CHAIN_HEADER,
  ALB_CLIENT_CERT_LEAF_HEADER,
  APP_SERVICE_CLIENT_CERT_HEADER,
  createForwardedClientCertVerifier,
  type ClientCertEncoding,
  type ForwardedClientCertVerifier,
  type ForwardedClientCertVerifierOptions,
} from "./client-cert-header";
export { clientCertOptionsFromEnv } from "./mtls-env";
