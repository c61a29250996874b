/**
 * The args every service-auth origin component takes besides its cloud's, and their
 * stack-config form, so each component is checked by the model exactly as a stack file is.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { OriginModel, ServiceAuthOrigin } from "../model/model";
import type { ServiceAuthTarget } from "../model/service-auth/target";

export interface CredentialArgs {
  /** Replace the gateway's credential after this many days (default 90). */
  readonly rotateAfterDays?: number;
  /** After a rotation, keep the previous credential valid this many days (default 14). */
  readonly overlapDays?: number;
  /** Increase by one to force a rotation now. */
  readonly rotation?: number;
}

/** The origin's stack-config entry for these settings and a cloud block. */
export function serviceAuthConfig(
  name: string,
  cloud: ServiceAuthTarget["cloud"],
  args: CredentialArgs & { readonly url?: pulumi.Input<string> },
  block: Record<string, unknown>,
): Record<string, unknown> {
  const { rotateAfterDays, overlapDays, rotation, url } = args;
  return { name, method: "service-auth", cloud, url, serviceAuth: { rotateAfterDays, overlapDays, rotation }, [cloud]: block };
}

export function isServiceAuthOn<C extends ServiceAuthTarget["cloud"]>(cloud: C) {
  return (m: OriginModel): m is ServiceAuthOrigin & { readonly target: Extract<ServiceAuthTarget, { cloud: C }> } => m.method === "service-auth" && m.cloud === cloud;
}
