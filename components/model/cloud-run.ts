/**
 * A Cloud Run service the gateway's service account may invoke: the checks every method that
 * grants such access shares (federated identity, upstream service auth). One role, the least
 * one, and an ID token audience Cloud Run will accept.
 */
import { RUN_INVOKER_ROLE } from "../documents/gcp-workload-identity";
import type { ConfigIssue } from "../errors";
import { conflictIssue as conflict, invalidIssue as invalid, missingIssue, unsafeIssue as unsafe } from "./issues";

/** Roles an invoker may hold: the predefined invoker roles, or a custom role you defined. */
const INVOKER_ROLES = new Set([RUN_INVOKER_ROLE, "roles/run.servicesInvoker"]);
const CUSTOM_ROLE = /^(projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]|organizations\/\d+)\/roles\/[A-Za-z0-9_.]{3,64}$/;
/** Basic roles, and predefined roles that administer, impersonate or deploy. */
export const PRIVILEGED_GCP_ROLE =
  /^roles\/(owner|editor|viewer|browser)$|^roles\/[A-Za-z0-9_.]*(admin|Admin)[A-Za-z0-9_.]*$|^roles\/iam\.(serviceAccountUser|serviceAccountTokenCreator|workloadIdentityUser|serviceAccountKeyAdmin|roleAdmin|securityAdmin)$|^roles\/run\.(developer|sourceDeveloper)$/;

export interface CloudRunInvoke {
  readonly role: string;
  readonly audience?: string;
}

/**
 * Refusals for the invoker grant and the token's audience. `at` names keys of the `cloudRun`
 * block; `urlKey` is the origin's `url`.
 */
export function checkCloudRunInvoke(cloudRun: CloudRunInvoke, url: string | undefined, at: (...rest: string[]) => string, urlKey: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const role = cloudRun.role;
  if (PRIVILEGED_GCP_ROLE.test(role)) {
    issues.push(unsafe(at("role"), "an administrator-level, basic or impersonation role would give the gateway far more than calling the service.", "use `roles/run.invoker`."));
  } else if (!INVOKER_ROLES.has(role) && !CUSTOM_ROLE.test(role)) {
    issues.push(invalid(at("role"), "expected an invoker role: `roles/run.invoker`, `roles/run.servicesInvoker`, or a custom role (`projects/<project>/roles/<id>`).", "use `roles/run.invoker`."));
  }

  // The audience of the ID token: Cloud Run accepts its run.app URL or a custom audience.
  const host = runAppOrigin(url);
  if (cloudRun.audience === undefined) {
    if (!url) {
      issues.push(missingIssue(at("audience"), "the gateway must mint its ID token for the service's URL, and no origin `url` says what it is.", "set `url` to the service's https://….run.app URL, or set `audience`."));
    } else if (!host) {
      issues.push(missingIssue(at("audience"), "the origin `url` is not a run.app URL, and Cloud Run accepts only its run.app URL or a custom audience configured on the service.", "set `audience` to the service's https://….run.app URL (or to a custom audience configured on it)."));
    }
  } else if (/^http:\/\//i.test(cloudRun.audience)) {
    issues.push(invalid(at("audience"), "Cloud Run service URLs use https.", "use the https:// URL."));
  } else {
    // Two run.app URLs that differ name two services: the token would be for the other one.
    const audienceHost = runAppOrigin(cloudRun.audience);
    if (host && audienceHost && audienceHost !== host) {
      issues.push(conflict(at("audience"), `the audience names another Cloud Run service than the origin \`url\` (${host}); Cloud Run would refuse the token.`, "remove `audience` (it defaults to the origin's run.app URL), or make the two agree."));
    }
  }
  if (url && !/^https:\/\//i.test(url)) {
    issues.push(unsafe(urlKey, "a Cloud Run origin is reached over https; the ID token must not travel in clear text.", "use the service's https:// URL."));
  }
  return issues;
}

/** `https://<host>` when `url` is a Cloud Run `*.run.app` URL, else undefined. */
export function runAppOrigin(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "https:" && /\.run\.app$/.test(u.hostname) && !u.port ? `https://${u.hostname}` : undefined;
  } catch {
    return undefined;
  }
}
