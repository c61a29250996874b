/**
 * What the translators build for a service-auth origin, derived from its parsed config (pure):
 * the credential's rotation, and per cloud the app registration or the service account and
 * what it may call.
 */
import { createHash } from "node:crypto";
import { RUN_INVOKER_ROLE, serviceAccountEmail } from "../../documents/gcp-workload-identity";
import { runAppOrigin } from "../cloud-run";
import { stackSlug } from "../names";
import type { ParsedServiceAuthOrigin } from "./config";

export interface CredentialRotation {
  readonly rotateAfterDays: number;
  readonly overlapDays: number;
  readonly rotation: number;
}

export interface AzureSite {
  readonly name: string;
  readonly resourceGroup: string;
}

export interface AzureServiceAuthTarget {
  readonly cloud: "azure";
  /** When configured; otherwise the translator asks the azuread provider's credentials. */
  readonly tenantId?: string;
  readonly appName: string;
  readonly appRole: string;
  /** Easy Auth v2 on an App Service or Function App, when configured. */
  readonly appService?: AzureSite;
  /** Authentication on a Container App, when configured. */
  readonly containerApp?: AzureSite;
}

/** What the gateway's service account may call, and the token it sends. */
export type GcpServiceAuthInvoke =
  | { readonly kind: "cloud-run"; readonly service: string; readonly location: string; readonly project: string; readonly role: string; readonly audience: string }
  | { readonly kind: "iap"; readonly service: string; readonly location: string; readonly project: string; readonly audience: string }
  | { readonly kind: "endpoints"; readonly serviceName: string; readonly audience: string }
  | { readonly kind: "google-api"; readonly scopes: readonly string[] };

export type GcpTokenKind = "id-token" | "self-signed-jwt";

/** The role that lets a principal through Identity-Aware Proxy to a web resource. */
export const IAP_ACCESSOR_ROLE = "roles/iap.httpsResourceAccessor";

export interface GcpServiceAuthTarget {
  readonly cloud: "gcp";
  /** Which Zuplo policy mints the token; the gateway has one service account per kind. */
  readonly token: GcpTokenKind;
  /** Project of the gateway's service account. */
  readonly project: string;
  readonly serviceAccountId: string;
  readonly serviceAccountEmail: string;
  readonly invoke: GcpServiceAuthInvoke;
}

export type ServiceAuthTarget = AzureServiceAuthTarget | GcpServiceAuthTarget;

/** `gl-<stack>-svc` / `gl-<stack>-jwt`, fitted into a service account ID's 30 characters. */
export function defaultGatewayServiceAccountId(stack: string, token: GcpTokenKind): string {
  const suffix = token === "id-token" ? "svc" : "jwt";
  const full = `gl-${stackSlug(stack)}-${suffix}`;
  if (full.length <= 30) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
  return `gl-${stackSlug(stack).slice(0, 30 - 3 - 1 - suffix.length - 7).replace(/-+$/, "")}-${hash}-${suffix}`;
}

export function toServiceAuthTarget(origin: ParsedServiceAuthOrigin, stack: string): ServiceAuthTarget {
  if (origin.cloud === "azure") {
    const a = origin.azure!;
    return {
      cloud: "azure",
      ...(a.tenantId ? { tenantId: a.tenantId.toLowerCase() } : {}),
      appName: a.appName ?? `gatelock-${stackSlug(stack)}-${origin.name}`,
      appRole: a.appRole,
      ...(a.appService ? { appService: { ...a.appService } } : {}),
      ...(a.containerApp ? { containerApp: { ...a.containerApp } } : {}),
    };
  }
  const g = origin.gcp!;
  const serviceAccountId = g.serviceAccountId ?? defaultGatewayServiceAccountId(stack, g.token);
  return {
    cloud: "gcp",
    token: g.token,
    project: g.project,
    serviceAccountId,
    serviceAccountEmail: serviceAccountEmail(serviceAccountId, g.project),
    invoke: g.cloudRun
      ? {
          kind: "cloud-run",
          service: g.cloudRun.service,
          location: g.cloudRun.location,
          project: g.cloudRun.project ?? g.project,
          role: g.cloudRun.role ?? RUN_INVOKER_ROLE,
          audience: g.cloudRun.audience ?? runAppOrigin(origin.url) ?? "",
        }
      : g.iap
        ? { kind: "iap", service: g.iap.service, location: g.iap.location, project: g.iap.project ?? g.project, audience: g.iap.audience }
        : g.endpoints
          ? { kind: "endpoints", serviceName: g.endpoints.serviceName, audience: g.endpoints.audience ?? origin.url ?? "" }
          : { kind: "google-api", scopes: [...(g.scopes ?? [])] },
  };
}
