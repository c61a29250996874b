/** Plain-language facts about what a federated origin's cloud trusts (pure). */
import type { FederatedOrigin } from "../model";
import { describeAwsFederated } from "./aws";
import { describeAzureFederated } from "./azure";
import { describeGcpFederated } from "./gcp";

export interface TrustTargetDescription {
  readonly kind: string;
  readonly location: string;
  /** Who may use it: the pinned principals. */
  readonly readers: readonly string[];
}

export function describeFederatedTarget(origin: FederatedOrigin): TrustTargetDescription {
  const t = origin.target;
  switch (t.cloud) {
    case "aws":
      return describeAwsFederated(origin, t);
    case "gcp":
      return describeGcpFederated(origin, t);
    case "azure":
      return describeAzureFederated(origin, t);
    case "other":
      return { kind: "origin-side token verification (gatelock/origin)", location: origin.url ?? "the origin", readers: [`tokens from ${origin.trust.issuer}`] };
  }
}
