/**
 * The gcp block of a federated origin: schema, the refusals specific to GCP, and the target
 * the GCP translator consumes.
 *
 * GCP trusts the gateway's token through a workload identity pool provider whose attribute
 * condition pins the gateway (account, project, environment type, subjects). Only the pinned
 * principal may impersonate one service account, and that service account alone may invoke
 * the configured Cloud Run service.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { ConfigIssue } from "../../errors";
import {
  ATTRIBUTE_NAME,
  attributeCondition,
  attributeMapping,
  defaultPrincipalAttribute,
  MAX_CONDITION_LENGTH,
  MAX_CUSTOM_ATTRIBUTES,
  MAX_MAPPING_EXPRESSION_LENGTH,
  principalSetMember,
  principalValues,
  RUN_INVOKER_ROLE,
  serviceAccountEmail,
  SUBJECT_ATTRIBUTE,
  WORKLOAD_IDENTITY_USER_ROLE,
} from "../../documents/gcp-workload-identity";
import type { ParsedFederatedOrigin } from "../config";
import { configKey, conflictIssue as conflict, invalidIssue as invalid, unsafeIssue as unsafe } from "../issues";
import { stackSlug } from "../names";
import { GCP_PROJECT, gcpRegion, runServiceName } from "../primitives";
import { checkCloudRunInvoke, runAppOrigin } from "../cloud-run";
import { type FederatedTrust, isPattern } from "./trust";

export { runAppOrigin } from "../cloud-run";

/** Workload identity pool and provider IDs: 4-32 of [a-z0-9-]; `gcp-` is reserved by Google. */
const POOL_ID = /^(?!gcp-)[a-z0-9-]{4,32}$/;
/** Service account IDs: 6-30 characters, a lower-case letter first, no trailing dash. */
const SERVICE_ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export const GcpCloudRunTargetConfig = z
  .strictObject({
    service: runServiceName.describe("Name of the existing Cloud Run service the gateway calls (it must require authentication)."),
    location: gcpRegion.describe("Region of the Cloud Run service."),
    project: z
      .string()
      .regex(GCP_PROJECT, { error: "expected a GCP project ID (e.g. `acme-prod`)" })
      .optional()
      .describe("Project of the Cloud Run service (default: `gcp.project`)."),
    audience: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe("Audience of the ID token the gateway sends: the service's `https://….run.app` URL or a custom audience configured on the service (default: the origin `url`, when it is a run.app URL)."),
    role: z
      .string()
      .min(1)
      .default(RUN_INVOKER_ROLE)
      .describe("Role granted to the gateway's service account on the service: `roles/run.invoker` (default), `roles/run.servicesInvoker` or a custom role. Administrator roles are refused."),
  })
  .describe("The Cloud Run service the gateway's service account may invoke, and nothing else.");

export const GcpFederatedConfig = z
  .strictObject({
    project: z
      .string()
      .regex(GCP_PROJECT, { error: "expected a GCP project ID (e.g. `acme-prod`)" })
      .describe("Project ID that holds the workload identity pool, its provider and the gateway's service account."),
    pool: z
      .string()
      .regex(POOL_ID, { error: "expected a workload identity pool ID (4-32 lower-case letters, digits and dashes, not starting with `gcp-`)" })
      .optional()
      .describe("Adopt this existing workload identity pool instead of creating one (default: gatelock creates one pool for this origin, with a random suffix because deleted pool IDs stay reserved for 30 days). Every provider in an adopted pool can mint its principals, so exact subjects are required."),
    serviceAccountId: z
      .string()
      .regex(SERVICE_ACCOUNT_ID, { error: "expected a service account ID (6-30 lower-case letters, digits and dashes, a letter first)" })
      .optional()
      .describe("ID of the service account gatelock creates for the gateway (default: `gl-<stack>-<origin>`, shortened with a hash when longer than 30)."),
    principalAttribute: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe("The mapped attribute the `roles/iam.workloadIdentityUser` binding pins: `sub` (one binding per exact subject) or a pinned claim such as `account`. Default: `sub` when exact subjects are listed, else `account`. Never `*`."),
    cloudRun: GcpCloudRunTargetConfig,
  })
  .describe("Where a federated origin on GCP lives (project, workload identity pool) and what the gateway may call there (a Cloud Run service).");

export type ParsedGcpFederatedConfig = z.output<typeof GcpFederatedConfig>;

export interface GcpFederatedTarget {
  readonly cloud: "gcp";
  /** Project of the pool, provider and service account. */
  readonly project: string;
  /** Create a pool (ID `<idPrefix>-<random hex>`) or adopt an existing one. */
  readonly pool: { readonly adopt: false; readonly idPrefix: string } | { readonly adopt: true; readonly id: string };
  /** Provider ID is `<providerIdPrefix>-<random hex>` (provider IDs are soft-deleted too). */
  readonly providerIdPrefix: string;
  readonly serviceAccountId: string;
  /** `<serviceAccountId>@<project>.iam.gserviceaccount.com`. */
  readonly serviceAccountEmail: string;
  /** Attribute the workloadIdentityUser binding pins, when configured (default: `defaultPrincipalAttribute(trust)`). */
  readonly principalAttribute?: string;
  readonly cloudRun: {
    readonly service: string;
    readonly location: string;
    readonly project: string;
    readonly role: string;
    /** The audience of the ID token the gateway mints for the service. */
    readonly audience: string;
  };
}

/** Refusals specific to GCP (the common trust checks run before this). */
export function checkGcpFederated(origin: ParsedFederatedOrigin, trust: FederatedTrust, at: (...rest: (string | number)[]) => string): ConfigIssue[] {
  const g = origin.gcp;
  const issues: ConfigIssue[] = [];

  // On Zuplo's shared issuer the account is what separates this gateway from every other Zuplo
  // customer. (Overriding the gateway's pins is refused for every cloud in checks.ts.)
  if (trust.sharedIssuer) {
    if (trust.claims.account === undefined) {
      issues.push(unsafe(at("federated"), "on Zuplo's shared issuer the attribute condition must pin the account, or any Zuplo customer could call the origin.", "set `gatelock:gateway.account`."));
    }
  }

  // Claims become custom attributes `attribute.<name>`: [a-z0-9_] only.
  for (const claim of Object.keys(trust.claims)) {
    if (ATTRIBUTE_NAME.test(claim)) continue;
    const fromOrigin = origin.federated.claims?.[claim] !== undefined;
    const path = fromOrigin ? at("federated", "claims", claim) : configKey(["gateway", "identity", "claims", claim]);
    issues.push(invalid(path, "GCP attribute names take lower-case letters, digits and underscores only, so this claim cannot be pinned in an attribute condition.", "pin a claim with a lower-case name."));
  }

  if (!g) return issues; // the common checks report the missing block
  const exact = origin.federated.subjects.filter((s) => !isPattern(s));
  const patterns = origin.federated.subjects.filter(isPattern);

  // Which principal may impersonate the service account.
  const attr = g.principalAttribute;
  if (attr !== undefined) {
    if (attr.includes("*") || attr === "/" || /^(attribute\.)?$/.test(attr.trim())) {
      issues.push(unsafe(at("gcp", "principalAttribute"), "a principalSet over the whole pool lets every identity any provider in the pool admits impersonate the service account.", "pin `sub` (with exact subjects) or a pinned claim such as `account`."));
    } else if (!ATTRIBUTE_NAME.test(attr)) {
      issues.push(invalid(at("gcp", "principalAttribute"), "expected the name of a mapped attribute (lower-case letters, digits and underscores, without the `attribute.` prefix).", "use `sub` or a pinned claim name such as `account`."));
    } else if (attr === SUBJECT_ATTRIBUTE && trust.claims[SUBJECT_ATTRIBUTE] === undefined && (exact.length === 0 || patterns.length > 0)) {
      issues.push(conflict(at("gcp", "principalAttribute"), "binding on `sub` names each subject exactly, so it needs exact subjects and no patterns.", "list the exact subjects in `federated.subjects`, or bind on a pinned claim."));
    } else if (attr !== SUBJECT_ATTRIBUTE && trust.claims[attr] === undefined) {
      issues.push(unsafe(at("gcp", "principalAttribute"), `\`${attr}\` is not pinned by the trust, so the binding would have no value gatelock knows and could only be a wildcard.`, `pin \`${attr}\` in \`federated.claims\`, or bind on \`sub\` or \`account\`.`));
    }
  }
  if (attr === undefined) {
    try {
      defaultPrincipalAttribute(trust);
    } catch {
      issues.push(unsafe(at("federated", "subjects"), "subject patterns cannot be named in an IAM binding, and no claim is pinned to bind the service account to instead.", "list exact subjects, or pin a claim in `federated.claims`."));
    }
  }
  issues.push(...checkBindingValues(origin, trust, attr, at));
  // An adopted pool may hold other providers, which can map the same attributes: only the
  // exact gateway subjects are safe principals there.
  if (g.pool !== undefined && (exact.length === 0 || patterns.length > 0)) {
    issues.push(unsafe(at("gcp", "pool"), "other providers in an existing pool can mint principals with the same attributes; only exact subjects name the gateway itself.", "list the gateway's exact subjects in `federated.subjects` (no patterns), or let gatelock create a dedicated pool."));
  } else if (g.pool !== undefined && attr !== undefined && attr !== SUBJECT_ATTRIBUTE) {
    issues.push(unsafe(at("gcp", "principalAttribute"), "in an adopted pool other providers can map the same attribute value.", "bind on `sub` (the default with exact subjects)."));
  }

  issues.push(...checkCloudRunInvoke(g.cloudRun, origin.url, (...rest) => at("gcp", "cloudRun", ...rest), at("url")));

  // GCP's limits on the provider, checked here rather than failing half-way through `pulumi up`.
  if (issues.length === 0) {
    let condition = "";
    try {
      condition = attributeCondition(trust);
    } catch {
      issues.push(unsafe(at("federated"), "the attribute condition would pin nothing, so any token from the issuer would be trusted.", "list `subjects` or pin `claims`."));
    }
    if (condition.length > MAX_CONDITION_LENGTH) {
      issues.push(invalid(at("federated", "subjects"), `the attribute condition would be ${condition.length} characters; GCP allows ${MAX_CONDITION_LENGTH}.`, "pin fewer subjects per origin."));
    }
    const mapping = attributeMapping(trust);
    if (Object.keys(mapping).filter((k) => k.startsWith("attribute.")).length > MAX_CUSTOM_ATTRIBUTES) {
      issues.push(invalid(at("federated", "claims"), `GCP maps at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`, "pin fewer claims."));
    }
    if (Object.values(mapping).some((e) => e.length > MAX_MAPPING_EXPRESSION_LENGTH)) {
      issues.push(invalid(at("federated", "claims"), `an attribute mapping expression would exceed ${MAX_MAPPING_EXPRESSION_LENGTH} characters.`, "use shorter claim names."));
    }
  }
  return issues;
}

/**
 * The values the workloadIdentityUser binding names become principalSet paths
 * (`…/attribute.<name>/<value>`): a `*` there, or a value ending in `/*`, names a whole set
 * of principals rather than the gateway. Checked with the same builder the translator uses.
 */
function checkBindingValues(origin: ParsedFederatedOrigin, trust: FederatedTrust, configured: string | undefined, at: (...rest: (string | number)[]) => string): ConfigIssue[] {
  let attribute: string;
  let values: string[];
  try {
    attribute = configured ?? defaultPrincipalAttribute(trust);
    values = principalValues(trust, attribute);
  } catch {
    return []; // refused above: no attribute, or one the trust does not pin
  }
  const issues: ConfigIssue[] = [];
  for (const value of values) {
    let concrete = !value.includes("*");
    try {
      principalSetMember(PLACEHOLDER_POOL, attribute, value);
    } catch {
      concrete = false;
    }
    if (concrete) continue;
    const fromSubjects = attribute === SUBJECT_ATTRIBUTE && trust.claims[SUBJECT_ATTRIBUTE] === undefined;
    const path = fromSubjects
      ? at("federated", "subjects", origin.federated.subjects.indexOf(value))
      : origin.federated.claims?.[attribute] !== undefined
        ? at("federated", "claims", attribute)
        : configKey(["gateway", "identity", "claims", attribute]);
    issues.push(
      unsafe(
        path,
        `the service account's workloadIdentityUser binding names \`attribute.${attribute}\` by this value, and a \`*\` in it would name a whole set of principals, not the gateway.`,
        "pin an exact value (no `*`), or bind on another attribute with `gcp.principalAttribute`.",
      ),
    );
  }
  return issues;
}

/** A syntactically valid pool name, to check binding values with the translator's own builder. */
const PLACEHOLDER_POOL = "projects/0/locations/global/workloadIdentityPools/gatelock-check";

/** `prefix` cut to `max` characters, without a trailing dash. */
function cut(prefix: string, max: number): string {
  return prefix.slice(0, max).replace(/-+$/, "");
}

/** A deterministic ID of at most `max` characters: the full name when it fits, else a prefix plus a short hash. */
function fitted(full: string, max: number): string {
  if (full.length <= max) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
  return `${cut(full, max - 7)}-${hash}`;
}

export function toGcpFederatedTarget(origin: ParsedFederatedOrigin, stack: string): GcpFederatedTarget {
  const g = origin.gcp!;
  const slug = `${stackSlug(stack)}-${origin.name}`;
  // `gl-<slug>-<6 hex>` fits the 32-character pool ID with a slug of up to 22.
  const pool = g.pool !== undefined ? ({ adopt: true, id: g.pool } as const) : ({ adopt: false, idPrefix: `gl-${cut(slug, 22)}` } as const);
  const serviceAccountId = g.serviceAccountId ?? fitted(`gl-${slug}`, 30);
  const audience = g.cloudRun.audience ?? runAppOrigin(origin.url) ?? "";
  return {
    cloud: "gcp",
    project: g.project,
    pool,
    providerIdPrefix: `gl-${cut(origin.name, 22)}`,
    serviceAccountId,
    serviceAccountEmail: serviceAccountEmail(serviceAccountId, g.project),
    ...(g.principalAttribute !== undefined ? { principalAttribute: g.principalAttribute } : {}),
    cloudRun: {
      service: g.cloudRun.service,
      location: g.cloudRun.location,
      project: g.cloudRun.project ?? g.project,
      role: g.cloudRun.role,
      audience,
    },
  };
}

/** The attribute the workloadIdentityUser binding pins for this origin. */
export function principalAttributeOf(trust: FederatedTrust, target: GcpFederatedTarget): string {
  return target.principalAttribute ?? defaultPrincipalAttribute(trust);
}

export function describeGcpFederated(origin: import("../model").FederatedOrigin, target: GcpFederatedTarget): import("./describe").TrustTargetDescription {
  const poolId = target.pool.adopt ? target.pool.id : `${target.pool.idPrefix}-<random>`;
  const pool = target.pool.adopt ? `workload identity pool ${poolId}` : `workload identity pool ${poolId} (created for this origin)`;
  const attr = principalAttributeOf(origin.trust, target);
  const values = attr === SUBJECT_ATTRIBUTE && origin.trust.claims[attr] === undefined ? origin.trust.subjects : [origin.trust.claims[attr] ?? "?"];
  return {
    kind: "GCP workload identity federation → service account → Cloud Run",
    location: `projects/${target.cloudRun.project}/locations/${target.cloudRun.location}/services/${target.cloudRun.service} (${target.cloudRun.role} for serviceAccount:${target.serviceAccountEmail}; ${pool} in ${target.project}, audience ${target.cloudRun.audience})`,
    // The same placeholders the audit prints in the resources, so a reviewer can match them.
    readers: values.map((v) => `principalSet://iam.googleapis.com/projects/<number of project ${target.project}>/locations/global/workloadIdentityPools/${poolId}/attribute.${attr}/${v} (${WORKLOAD_IDENTITY_USER_ROLE} on ${target.serviceAccountEmail})`),
  };
}
