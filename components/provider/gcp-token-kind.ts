/**
 * The GCP token kinds as the package's schema gives them (an enum: the schema analyzer reads no
 * union of string literals). Not exported from index.ts, which exports only components: the
 * schema reaches it through the args that use it.
 */
import type { GcpTokenKind as ModelTokenKind } from "../model/service-auth/target";

/** Which Zuplo policy uses a gateway service account's key. */
export enum GcpTokenKind {
  /** `id-token`: Zuplo's GCP Service Auth policy (a Google-signed ID token for Cloud Run, or an access token for Google APIs). */
  IdToken = "id-token",
  /** `self-signed-jwt`: Zuplo's GCP JWT policy (a JWT signed with the key, for Cloud Endpoints / API Gateway). */
  SelfSignedJwt = "self-signed-jwt",
}

// Exactly the model's kinds: a compile error names one missing here (and an extra member is
// no token the TypeScript components take).
const everyKind: Record<ModelTokenKind, true> = { [GcpTokenKind.IdToken]: true, [GcpTokenKind.SelfSignedJwt]: true };
void everyKind;
