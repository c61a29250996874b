/** Plain-language facts about a service-auth origin's trust (pure), for stack outputs and the audit. */
import { entraIssuer } from "../../documents/entra";
import type { TrustTargetDescription } from "../federated/describe";
import { type GcpServiceAuthTarget, IAP_ACCESSOR_ROLE, type ServiceAuthTarget } from "./target";

export interface ServiceAuthDescription {
  readonly proof: string;
  readonly reachableBy: readonly string[];
  readonly store: TrustTargetDescription;
}

/** The tenant as the audit can name it: configured, or whichever the deploying credentials are in. */
function tenantOf(t: { readonly tenantId?: string }): string {
  return t.tenantId ?? "<deploying tenant>";
}

export function describeServiceAuth(originName: string, gatewayLabel: string, target: ServiceAuthTarget): ServiceAuthDescription {
  if (target.cloud === "azure") {
    const app = `app registration \`${target.appName}\``;
    const site = target.appService ? `; Easy Auth on App Service ${target.appService.resourceGroup}/${target.appService.name}` : target.containerApp ? `; authentication on Container App ${target.containerApp.resourceGroup}/${target.containerApp.name}` : "";
    return {
      proof: `an Entra v2 access token from ${entraIssuer(tenantOf(target))} with aud = azp = the client ID of ${app}, roles ∋ ${target.appRole}`,
      reachableBy: [`${gatewayLabel} (holds the client secret of ${app}; sends the token it gets for the app itself)`],
      store: {
        kind: "Entra app registration (single tenant)",
        location: `${target.appName} in tenant ${tenantOf(target)}${site}`,
        readers: [`the app's own service principal, assigned app role ${target.appRole} (no other client is assigned)`],
      },
    };
  }
  const sa = target.serviceAccountEmail;
  return {
    proof: gcpProof(target),
    reachableBy: [`${gatewayLabel} (holds a key of ${sa}, the gateway's one ${target.token} service account)`],
    store: {
      kind: target.token === "id-token" ? "GCP service account key (Google-signed tokens)" : "GCP service account key (self-signed JWT)",
      location: `${sa}${target.invoke.kind === "cloud-run" || target.invoke.kind === "iap" ? ` → ${target.invoke.kind === "iap" ? "IAP on " : ""}projects/${target.invoke.project}/locations/${target.invoke.location}/services/${target.invoke.service}` : target.invoke.kind === "endpoints" ? ` → ${target.invoke.serviceName}` : ""}`,
      readers: [gcpGrant(target, originName)],
    },
  };
}

function gcpProof(t: GcpServiceAuthTarget): string {
  switch (t.invoke.kind) {
    case "cloud-run":
      return `a Google-signed ID token of ${t.serviceAccountEmail} with aud = ${t.invoke.audience}`;
    case "iap":
      return `a Google-signed ID token of ${t.serviceAccountEmail} with aud = ${t.invoke.audience} (IAP's OAuth client ID)`;
    case "endpoints":
      return `a JWT signed with a key of ${t.serviceAccountEmail} (iss = sub = the account) with aud = ${t.invoke.audience}, checked by ${t.invoke.serviceName}`;
    case "google-api":
      return `an access token of ${t.serviceAccountEmail} for ${t.invoke.scopes.join(", ")}`;
  }
}

function gcpGrant(t: GcpServiceAuthTarget, originName: string): string {
  switch (t.invoke.kind) {
    case "cloud-run":
      return `serviceAccount:${t.serviceAccountEmail} (${t.invoke.role} on ${t.invoke.service}, for ${originName} alone)`;
    case "iap":
      return `serviceAccount:${t.serviceAccountEmail} (${IAP_ACCESSOR_ROLE} on ${t.invoke.service} behind IAP, for ${originName} alone)`;
    case "endpoints":
      return `serviceAccount:${t.serviceAccountEmail} (the issuer ${t.invoke.serviceName} accepts; no IAM grant)`;
    case "google-api":
      return `serviceAccount:${t.serviceAccountEmail} (whatever roles it holds; gatelock grants none)`;
  }
}
