/**
 * The refusals every federated origin gets, whatever its cloud, and the trust they yield.
 * Cloud-specific refusals (admin roles, pool-wide grants, credential caps) live beside each
 * cloud's schema in this folder.
 */
import type { ConfigIssue, WarningCode } from "../../errors";
import { conflictIssue as conflict, invalidIssue as invalid, missingIssue, unsafeIssue as unsafe } from "../issues";
import type { ParsedFederatedOrigin } from "../config";
import { cloudBlockIssues } from "../cloud-blocks";
import type { GatewayIdentity } from "../identity";
import { awsFederatedWarnings, checkAwsFederated } from "./aws";
import { azureFederatedWarnings, checkAzureFederated } from "./azure";
import { checkGcpFederated } from "./gcp";
import { type FederatedTrust, GENERIC_AUDIENCES, isPattern } from "./trust";

/**
 * Zuplo's subjects are `atcl_` plus random characters, one client per environment of every
 * Zuplo customer. A pattern on the shared issuer must fix at least this many of the random
 * characters, or it matches other customers' gateways (with 8 base-62 characters, about one
 * client ID in 2 * 10^14).
 */
export const ZUPLO_SUBJECT_PREFIX = "atcl_";
export const MIN_PINNED_SUBJECT_CHARS = 8;

/** The fixed part of a subject pattern, before its first wildcard. */
export function literalPrefix(pattern: string): string {
  return pattern.slice(0, pattern.search(/[*?]/) === -1 ? pattern.length : pattern.search(/[*?]/));
}

/** Azure's own recommended audience for federated credentials. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

export function federatedTrust(o: ParsedFederatedOrigin, identity: GatewayIdentity): FederatedTrust {
  const f = o.federated;
  const audience = f.audience ?? (o.cloud === "azure" ? AZURE_TOKEN_EXCHANGE_AUDIENCE : "");
  return {
    issuer: identity.issuer,
    jwksUri: identity.jwksUri,
    audience,
    subjects: f.subjects,
    // The gateway's own pins come last: an origin can add claims, never replace them.
    claims: { ...identity.claims, ...(f.claims ?? {}), ...identity.claims },
    wildcardSubjects: f.dangerouslyAllowWildcardSubjects && f.subjects.some(isPattern),
    sharedIssuer: identity.sharedIssuer,
  };
}

export function checkFederatedOrigin(
  o: ParsedFederatedOrigin,
  identity: GatewayIdentity,
  at: (...rest: (string | number)[]) => string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const f = o.federated;
  const trust = federatedTrust(o, identity);

  // Subjects: exact by default; patterns only behind the escape hatch, and never unanchored.
  const seen = new Set<string>();
  f.subjects.forEach((s, i) => {
    if (s !== s.trim()) issues.push(invalid(at("federated", "subjects", i), "leading or trailing spaces never match: subjects are compared exactly.", "remove the spaces."));
    if (seen.has(s)) issues.push(conflict(at("federated", "subjects", i), "duplicate subject.", "list each subject once."));
    seen.add(s);
    if (isPattern(s)) {
      if (!f.dangerouslyAllowWildcardSubjects) {
        issues.push(unsafe(at("federated", "subjects", i), "a wildcard subject trusts every token whose subject matches, including other tenants' on a shared issuer.", "list the exact subjects, or set `dangerouslyAllowWildcardSubjects: true` if you truly need a pattern."));
      } else if (trust.sharedIssuer && o.cloud !== "azure" && !pinsOwnClient(s)) {
        // Even behind the escape hatch: such a pattern admits other Zuplo customers' gateways.
        issues.push(
          unsafe(
            at("federated", "subjects", i),
            `on Zuplo's shared issuer every customer's subject starts with \`${ZUPLO_SUBJECT_PREFIX}\`; a pattern that does not fix at least ${MIN_PINNED_SUBJECT_CHARS} characters after it matches other customers' gateways. \`dangerouslyAllowWildcardSubjects\` cannot allow that.`,
            "list the exact subjects (your environments' `atcl_…` client IDs).",
          ),
        );
      } else if (/^[*?]/.test(s)) {
        issues.push(unsafe(at("federated", "subjects", i), "a pattern that starts with a wildcard is not anchored to anything you own.", "start the pattern with a fixed prefix."));
      }
    }
  });

  // Claims the gateway's identity pins (Zuplo: account and project) cannot be replaced per
  // origin: another value would trust another gateway. (AWS and Azure refuse claims outright.)
  if (o.cloud === "gcp" || o.cloud === "other") {
    for (const [claim, value] of Object.entries(f.claims ?? {})) {
      if (identity.claims[claim] === undefined) continue;
      issues.push(
        conflict(
          at("federated", "claims", claim),
          `\`${claim}\` is pinned by the gateway (${trust.sharedIssuer ? `gatelock:gateway.${claim}` : `gatelock:gateway.identity.claims.${claim}`})${value === identity.claims[claim] ? "" : "; a second value would trust another gateway"}.`,
          `remove \`${claim}\` from \`federated.claims\`.`,
        ),
      );
    }
  }

  // Something must pin the trust to this gateway.
  const needsSubjects = o.cloud === "aws" || o.cloud === "azure";
  if (needsSubjects && f.subjects.length === 0) {
    issues.push(
      unsafe(at("federated", "subjects"), `without subject pinning, any token from ${trust.sharedIssuer ? "the issuer, which every Zuplo customer shares," : "the issuer"} with the right audience would be trusted.`, "list the gateway's exact subjects (Zuplo: the environment's `atcl_…` client ID)."),
    );
  }
  if (!needsSubjects && f.subjects.length === 0 && Object.keys(trust.claims).length === 0) {
    issues.push(unsafe(at("federated"), "neither subjects nor claims are pinned, so any token from the issuer would be trusted.", "list `subjects`, or pin `claims` (the Zuplo preset pins `account` and `project`)."));
  }

  // The audience.
  if ((o.cloud === "aws" || o.cloud === "other") && !f.audience) {
    issues.push(missingIssue(at("federated", "audience"), "without a pinned audience a token minted for any other service would be accepted.", "set an audience unique to this account and environment, e.g. `aws:<account>:<env>`.", "ERR_TRUST_UNSAFE"));
  }
  if (o.cloud === "gcp" && f.audience) {
    issues.push(conflict(at("federated", "audience"), "on GCP the gateway requests the workload identity provider's own URL as the audience; gatelock pins that.", "remove `audience`."));
  }
  if (f.audience && GENERIC_AUDIENCES.has(f.audience) && o.cloud !== "azure" && f.subjects.length === 0) {
    issues.push(unsafe(at("federated", "audience"), `\`${f.audience}\` is a default audience other tenants use too.`, "use an audience unique to this account and environment."));
  }

  switch (o.cloud) {
    case "aws":
      issues.push(...checkAwsFederated(o, trust, at));
      break;
    case "gcp":
      issues.push(...checkGcpFederated(o, trust, at));
      break;
    case "azure":
      issues.push(...checkAzureFederated(o, trust, at));
      break;
    case "other":
      // gatelock/origin's verifier compares subjects exactly: a pattern would match no token.
      f.subjects.forEach((s, i) => {
        if (isPattern(s) && f.dangerouslyAllowWildcardSubjects && !/^[*?]/.test(s)) {
          issues.push(conflict(at("federated", "subjects", i), "gatelock/origin's verifier compares subjects exactly; a pattern would match no token.", "list the exact subjects."));
        }
      });
      break;
  }
  issues.push(...cloudBlockIssues(o, at, "saying what the gateway may call", "docs/federated.md"));
  return issues;
}

function pinsOwnClient(pattern: string): boolean {
  const prefix = literalPrefix(pattern);
  return prefix.startsWith(ZUPLO_SUBJECT_PREFIX) && prefix.length >= ZUPLO_SUBJECT_PREFIX.length + MIN_PINNED_SUBJECT_CHARS;
}

/** Accepted, but worth a reviewer's eye. */
export function federatedWarnings(o: ParsedFederatedOrigin, at: (...rest: (string | number)[]) => string): { path: string; code: WarningCode; message: string; fix: string }[] {
  const out: { path: string; code: WarningCode; message: string; fix: string }[] = [];
  if (o.federated.audience && GENERIC_AUDIENCES.has(o.federated.audience) && o.cloud === "aws") {
    out.push({ path: at("federated", "audience"), code: "WARN_GENERIC_AUDIENCE", message: `\`${o.federated.audience}\` is Zuplo's and AWS's default audience; only the pinned subjects separate you from other tenants.`, fix: "use an audience unique to this account and environment, e.g. `aws:<account>:<env>`." });
  }
  if (o.federated.dangerouslyAllowWildcardSubjects && o.federated.subjects.some(isPattern)) {
    out.push({ path: at("federated", "dangerouslyAllowWildcardSubjects"), code: "WARN_WILDCARD_SUBJECTS", message: "subject patterns are trusted: any token whose subject matches is accepted.", fix: "prefer exact subjects." });
  }
  out.push(...awsFederatedWarnings(o, at));
  out.push(...azureFederatedWarnings(o, at));
  return out;
}
