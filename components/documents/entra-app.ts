/**
 * The app registration gatelock creates for an Azure service-auth origin (pure): its one app
 * role, with an ID that stays the same for the same stack, origin and role, so a redeploy never
 * renames the role the service principal is assigned.
 */
import { createHash } from "node:crypto";

/** A name-based (version 5 style) UUID: SHA-1 of the parts, with the version and variant bits set. */
export function appRoleId(stack: string, origin: string, role: string): string {
  const h = createHash("sha1").update(`gatelock\u0000app-role\u0000${stack}\u0000${origin}\u0000${role}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export interface AppRoleDocument {
  readonly id: string;
  readonly allowedMemberTypes: readonly ["Application"];
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  readonly enabled: true;
}

/** The application role the gateway's token carries: assignable to applications only. */
export function gatewayAppRole(stack: string, origin: string, role: string): AppRoleDocument {
  return {
    id: appRoleId(stack, origin, role),
    allowedMemberTypes: ["Application"],
    value: role,
    displayName: role,
    description: `gatelock: the API gateway may call ${origin}`,
    enabled: true,
  };
}
