/**
 * `gatelock/origin`: what a backend imports at runtime to accept only requests that came
 * through its gateway.
 *
 * This entry point must stay free of `@pulumi/*` and of any cloud SDK, since it runs inside
 * the origin service; cloud secret stores are read by a `SecretSource` function the origin
 * supplies. Exports are listed one by one so the public surface is a deliberate choice.
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
export type { SecretDocument } from "../shared-secret/document";
