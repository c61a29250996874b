/**
 * Policy documents as providers take them: a JSON string (`assumeRolePolicy`, `policy`,
 * `policyData`) or, in some SDKs, an object. Pure helpers, no Pulumi.
 */

/** The document as an object, or `undefined` when it is absent or not JSON (the provider would refuse it). */
export function parseDocument(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === "string") {
    if (value.trim() === "") return undefined;
    try {
      const parsed: unknown = JSON.parse(value);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return isRecord(value) ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** IAM allows one value or a list almost everywhere. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function strings(value: unknown): string[] {
  return asList(value).filter((v): v is string => typeof v === "string");
}

/** An IAM document's statements (`Statement` may be one object or a list). */
export function statements(document: Record<string, unknown>): Record<string, unknown>[] {
  return asList(document.Statement).filter(isRecord);
}

/** GCP's `policyData`: `{bindings: [{role, members}]}`. */
export function gcpBindings(policyData: unknown): { role: string; members: string[] }[] {
  const doc = parseDocument(policyData);
  if (!doc) return [];
  return asList(doc.bindings)
    .filter(isRecord)
    .map((b) => ({ role: typeof b.role === "string" ? b.role : "", members: strings(b.members) }));
}

/**
 * The (role, members) grants of a GCP IAM resource, whichever of the three shapes it is:
 * `…IamMember` (`role`, `member`), `…IamBinding` (`role`, `members`), `…IamPolicy` (`policyData`).
 * Reads only the properties its shape has, so an unknown elsewhere does not matter.
 */
export function gcpGrants(props: Record<string, unknown>, type: string): { role: string; members: string[] }[] {
  const kind = type.slice(type.lastIndexOf(":") + 1);
  if (/Member$/i.test(kind)) return [{ role: String(props.role ?? ""), members: strings(props.member) }];
  if (/Binding$/i.test(kind)) return [{ role: String(props.role ?? ""), members: strings(props.members) }];
  if (/Policy$/i.test(kind)) return gcpBindings(props.policyData);
  return [];
}

/** GCP's two public members. */
export const PUBLIC_MEMBERS = new Set(["allUsers", "allAuthenticatedUsers"]);
