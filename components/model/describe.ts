/**
 * Plain-language facts about an origin's trust, derived from the model (pure). Used by the
 * stack outputs and the audit, so both say the same thing.
 */
import { describeFederatedTarget } from "./federated/describe";
import type { GatewayModel, OriginModel, SecretStore } from "./model";

export interface OriginDescription {
  readonly name: string;
  readonly method: OriginModel["method"];
  readonly cloud: OriginModel["cloud"];
  readonly url?: string;
  /** How a request proves it came through the gateway. */
  readonly proof: string;
  /** Who can reach the origin: the gateway, and how. */
  readonly reachableBy: readonly string[];
  /** Where the origin's credential lives, and who may read it. */
  readonly store: { readonly kind: string; readonly location: string; readonly readers: readonly string[] };
  readonly rotation?: { readonly rotateAfterDays: number; readonly overlapDays: number };
}

export function describeOrigin(origin: OriginModel, gateway: GatewayModel): OriginDescription {
  switch (origin.method) {
    case "shared-secret":
      return {
        name: origin.name,
        method: origin.method,
        cloud: origin.cloud,
        ...(origin.url ? { url: origin.url } : {}),
        proof: `header \`${origin.sharedSecret.header}\` equals the current (or, during an overlap, previous) secret`,
        reachableBy: [`${gateway.label} (sends $env(${origin.sharedSecret.variable}) in \`${origin.sharedSecret.header}\`)`],
        store: describeStore(origin.store),
        rotation: { rotateAfterDays: origin.sharedSecret.rotateAfterDays, overlapDays: origin.sharedSecret.overlapDays },
      };
    case "federated": {
      const t = origin.trust;
      // Only what this cloud actually enforces: AWS and Azure can check `aud` and `sub` only.
      const claimPins = origin.cloud === "gcp" || origin.cloud === "other" ? Object.entries(t.claims).map(([k, v]) => `${k} = ${v}`) : [];
      const pins = [
        t.audience ? `aud = ${t.audience}` : "aud = the workload identity provider's own URL",
        ...(t.subjects.length ? [`sub ∈ {${t.subjects.join(", ")}}`] : []),
        ...claimPins,
      ];
      return {
        name: origin.name,
        method: origin.method,
        cloud: origin.cloud,
        ...(origin.url ? { url: origin.url } : {}),
        proof: `a token from ${t.issuer} with ${pins.join(", ")}`,
        reachableBy: [`${gateway.label} (its own ID token; no stored secret)`],
        store: describeFederatedTarget(origin),
      };
    }
  }
}

function describeStore(store: SecretStore): OriginDescription["store"] {
  switch (store.cloud) {
    case "aws":
      return { kind: "AWS Secrets Manager", location: `${store.secretName} (${store.region})`, readers: store.readers };
    case "gcp":
      return { kind: "GCP Secret Manager", location: `projects/${store.project}/secrets/${store.secretId}`, readers: store.readers.map((r) => `serviceAccount:${r}`) };
    case "azure":
      return { kind: "Azure Key Vault", location: `${store.vault}/${store.secretName} (resource group ${store.resourceGroup})`, readers: store.readers.map((r) => `principal ${r}`) };
    case "local":
      return { kind: "dotenv file", location: `${store.dotenv} (${store.variable})`, readers: ["processes on this machine that can read the file (mode 0600)"] };
  }
}
