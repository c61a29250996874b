/**
 * The refusals and warnings of upstream service auth (pure, on parsed config). Keys and fixes,
 * never values: a credential is generated, never configured, so nothing here can hold one.
 */
import type { ConfigIssue, WarningCode } from "../../errors";
import { checkCloudRunInvoke } from "../cloud-run";
import { cloudBlockIssues } from "../cloud-blocks";
import { configKey, conflictIssue as conflict, invalidIssue as invalid, missingIssue, unsafeIssue as unsafe } from "../issues";
import { isHttpsOrLoopback } from "../urls";
import { CREDENTIAL_GRACE_DAYS, MAX_CREDENTIAL_DAYS, type ParsedServiceAuthOrigin } from "./config";
import { defaultGatewayServiceAccountId } from "./target";

type At = (...rest: (string | number)[]) => string;

export function checkServiceAuthOrigin(o: ParsedServiceAuthOrigin, at: At): ConfigIssue[] {
  const issues: ConfigIssue[] = [...cloudBlockIssues(o, at, "saying which credential the gateway holds and what it may call", "docs/service-auth.md")];
  const c = o.serviceAuth;
  if (c.overlapDays > c.rotateAfterDays) {
    issues.push(conflict(at("serviceAuth", "overlapDays"), "the previous credential cannot outlive the rotation period.", "set `overlapDays` no larger than `rotateAfterDays`."));
  }
  // Every credential gets an end date: rotation, overlap and a week's grace. Entra refuses more than two years.
  if (c.rotateAfterDays + c.overlapDays + CREDENTIAL_GRACE_DAYS > MAX_CREDENTIAL_DAYS) {
    issues.push(
      invalid(
        at("serviceAuth", "rotateAfterDays"),
        `the credential would have to stay valid for ${c.rotateAfterDays + c.overlapDays + CREDENTIAL_GRACE_DAYS} days (rotation, overlap and a week's grace); Entra allows at most ${MAX_CREDENTIAL_DAYS}, and a long-lived key is what this method must avoid.`,
        "rotate at least every 90 days (the default).",
      ),
    );
  }
  if (o.url && !isHttpsOrLoopback(o.url)) {
    issues.push(unsafe(at("url"), "a plain-HTTP origin would carry the gateway's bearer token in clear text.", "use an https:// URL (http is allowed only for loopback)."));
  }
  // Only the block of the origin's own cloud is judged; another one is refused above as a whole.
  if (o.cloud === "azure" && o.azure) issues.push(...checkAzure(o, at));
  if (o.cloud === "gcp" && o.gcp) issues.push(...checkGcp(o, at));
  return issues;
}

function checkAzure(o: ParsedServiceAuthOrigin, at: At): ConfigIssue[] {
  const a = o.azure!;
  const issues: ConfigIssue[] = [];
  if (a.signInAudience !== "AzureADMyOrg") {
    issues.push(
      unsafe(
        at("azure", "signInAudience"),
        "a multi-tenant (or personal-account) app registration lets clients of other tenants request tokens for it, and the origin would accept them.",
        "remove `signInAudience` (gatelock registers a single-tenant app, `AzureADMyOrg`).",
      ),
    );
  }
  if (a.appService && a.containerApp) {
    issues.push(conflict(at("azure", "containerApp"), "an origin is one site: an App Service (or Function App) or a Container App.", "keep one of `appService` and `containerApp`."));
  }
  return issues;
}

function checkGcp(o: ParsedServiceAuthOrigin, at: At): ConfigIssue[] {
  const g = o.gcp!;
  const issues: ConfigIssue[] = [];
  const targets = (["cloudRun", "iap", "endpoints", "scopes"] as const).filter((k) => g[k] !== undefined);
  if (targets.length === 0) {
    issues.push(
      missingIssue(
        at("gcp"),
        g.token === "id-token" ? "what the gateway's service account may call: a Cloud Run service (`cloudRun`), one behind IAP (`iap`), or Google APIs (`scopes`)." : "the Cloud Endpoints or API Gateway service that checks the self-signed JWT (`endpoints`).",
        g.token === "id-token" ? "add `cloudRun: { service, location }`." : "add `endpoints: { serviceName }`.",
      ),
    );
  }
  if (g.cloudRun && g.scopes) {
    issues.push(conflict(at("gcp", "scopes"), "Zuplo's GCP Service Auth policy sends either an ID token for an audience (Cloud Run) or an access token for scopes, never both.", "keep `cloudRun` or `scopes`, not both."));
  } else if (targets.length > 1) {
    issues.push(conflict(at("gcp", targets[1]!), `\`${targets[0]}\` and \`${targets[1]}\` are two different targets; an origin has one.`, `keep one of ${targets.map((t) => `\`${t}\``).join(", ")}.`));
  }
  if (g.token === "id-token" && g.endpoints) {
    issues.push(conflict(at("gcp", "endpoints"), "Cloud Endpoints and API Gateway check a self-signed JWT, which Zuplo's GCP JWT policy sends.", "set `token: self-signed-jwt`."));
  }
  if (g.token === "self-signed-jwt" && (g.cloudRun || g.iap || g.scopes)) {
    issues.push(conflict(at("gcp", "token"), "a self-signed JWT is for Cloud Endpoints and API Gateway; Cloud Run, IAP and Google APIs need a Google-signed token.", "set `token: id-token` (the default)."));
  }
  if (g.cloudRun) issues.push(...checkCloudRunInvoke({ role: g.cloudRun.role, ...(g.cloudRun.audience !== undefined ? { audience: g.cloudRun.audience } : {}) }, o.url, (...rest) => at("gcp", "cloudRun", ...rest), at("url")));
  if (g.iap && o.url && !/^https:\/\//i.test(o.url)) {
    issues.push(unsafe(at("url"), "IAP is reached over https; the ID token must not travel in clear text.", "use the service's https:// URL."));
  }
  const endpointsAudience = g.endpoints?.audience ?? o.url;
  if (g.endpoints && endpointsAudience !== undefined && /[\s,]/.test(endpointsAudience)) {
    issues.push(invalid(at("gcp", "endpoints", g.endpoints.audience !== undefined ? "audience" : "serviceName"), "`x-google-audiences` is a comma-separated list: an audience with a comma or a space would be split in two.", "use an audience without commas or spaces."));
  }
  if (g.endpoints && g.endpoints.audience === undefined && !o.url) {
    issues.push(missingIssue(at("gcp", "endpoints", "audience"), "the JWT's audience must be one the service lists in `x-google-audiences`, and no origin `url` gives a default.", "set `url`, or `endpoints.audience`."));
  }
  return issues;
}

/**
 * Across origins: Zuplo's runtime keeps the first service account it parses for a policy type
 * in a module-level variable, so every GCP origin of one token kind must use the one account
 * gatelock creates for it, or requests to the second origin would be signed as the first.
 */
export function checkServiceAuthOrigins(origins: readonly { readonly method: string }[], stack: string, at: (i: number, ...rest: (string | number)[]) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const first = new Map<string, { index: number; project: string; id: string; rotation: string }>();
  origins.forEach((raw, i) => {
    if (raw.method !== "service-auth") return;
    const o = raw as ParsedServiceAuthOrigin;
    if (o.cloud !== "gcp" || !o.gcp) return;
    const id = o.gcp.serviceAccountId ?? defaultGatewayServiceAccountId(stack, o.gcp.token);
    const seen = first.get(o.gcp.token);
    if (!seen) {
      first.set(o.gcp.token, { index: i, project: o.gcp.project, id, rotation: JSON.stringify(o.serviceAuth) });
      return;
    }
    const why =
      "Zuplo's runtime keeps the first service account it parses for a policy type and signs every later request with it, so two accounts in one gateway project would make this origin's tokens come from the other account.";
    if (o.gcp.project !== seen.project) {
      issues.push(conflict(at(i, "gcp", "project"), `${configKey(["origins", seen.index])} keeps the gateway's ${o.gcp.token} service account in another project. ${why}`, "give every GCP service-auth origin of this token kind the same `gcp.project` (the account's project; the service it calls may be elsewhere, see `cloudRun.project`)."));
    } else if (id !== seen.id) {
      issues.push(conflict(at(i, "gcp", "serviceAccountId"), `${configKey(["origins", seen.index])} names another service account for the same token kind. ${why}`, "remove `serviceAccountId`, or use the same one on every origin of this token kind."));
    } else if (JSON.stringify(o.serviceAuth) !== seen.rotation) {
      issues.push(conflict(at(i, "serviceAuth"), `${configKey(["origins", seen.index])} rotates the same account's key on another schedule; the account has one key rotation.`, "give every GCP service-auth origin of this token kind the same `serviceAuth` settings."));
    }
  });
  return issues;
}

export interface ServiceAuthWarning {
  readonly path: string;
  readonly code: WarningCode;
  readonly message: string;
  readonly fix: string;
}

/** Accepted, but worth a reviewer's eye. */
export function serviceAuthWarnings(o: ParsedServiceAuthOrigin, at: At): ServiceAuthWarning[] {
  const out: ServiceAuthWarning[] = [];
  if (o.serviceAuth.overlapDays === 0) {
    out.push({ path: at("serviceAuth", "overlapDays"), code: "WARN_NO_OVERLAP", message: "the previous credential is deleted at the moment of rotation; a gateway that has not redeployed yet gets no token.", fix: "keep `overlapDays` at least as long as your gateway takes to redeploy (default 14)." });
  }
  const g = o.gcp;
  if (o.cloud !== "gcp" || !g) return out;
  out.push({
    path: at("gcp"),
    code: "WARN_KEY_CREATION_BLOCKED",
    message: "organisations created since May 2024 block service account key creation by default (`iam.disableServiceAccountKeyCreation`); `pulumi up` fails there until the constraint allows keys for this project.",
    fix: "check the constraint for the project, or use `method: federated`, which needs no key.",
  });
  if (g.cloudRun) {
    out.push({
      path: at("method"),
      code: "WARN_PREFER_FEDERATED",
      message: "this Cloud Run origin could use `method: federated`: the gateway's own token, exchanged through workload identity federation, with no key to hold or rotate.",
      fix: "switch to `method: federated` with `gcp.cloudRun` (see docs/federated/gcp.md).",
    });
  }
  if (g.scopes) {
    out.push({ path: at("gcp", "scopes"), code: "WARN_UNGRANTED_SCOPES", message: "with scopes, the gateway's access token can do whatever its service account may do on those APIs; gatelock grants it nothing.", fix: "grant the service account only the roles the gateway needs, on the resources it calls." });
  }
  return out;
}
