import * as pulumi from "@pulumi/pulumi";
import { ServiceIamMember } from "@pulumi/gcp/cloudrunv2/serviceIamMember";
import { WebCloudRunServiceIamMember } from "@pulumi/gcp/iap/webCloudRunServiceIamMember";
import { checkOrigin } from "../component/checked-origin";
import { endpointsServiceAccountSecurity, type EndpointsSecurity } from "../documents/gcp-endpoints-auth";
import { serviceAccountEmail } from "../documents/gcp-workload-identity";
import type { GatewayVariable } from "../gateway/environment";
import { gcpServiceAuthVariables } from "../gateway/service-auth";
import { pairVariables } from "../gateway/variables";
import type { Finding } from "../model/safety";
import { type GcpTokenKind, IAP_ACCESSOR_ROLE } from "../model/service-auth/target";
import { type CredentialArgs, isServiceAuthOn, serviceAuthConfig } from "../service-auth/origin-args";
import { GcpGatewayServiceAccount, type GcpGatewayServiceAccountDescription } from "./gateway-service-account";

/** ID tokens: the Cloud Run service the gateway's service account may invoke, and nothing else. */
export interface GcpServiceAuthCloudRun {
  /** Name of the service (it must require authentication). */
  readonly service: pulumi.Input<string>;
  /** Region of the service. */
  readonly location: string;
  /** Project of the service (default: the service account's). */
  readonly project?: string;
  /** The ID token's audience: the service's run.app URL or a custom audience (default: `url`). */
  readonly audience?: string;
  /** Invoker role (default `roles/run.invoker`); administrator roles are refused. */
  readonly role?: string;
}

/** ID tokens through Identity-Aware Proxy: the Cloud Run service behind it. */
export interface GcpServiceAuthIap {
  /** Name of the Cloud Run service IAP is turned on for. */
  readonly service: pulumi.Input<string>;
  /** Region of the service. */
  readonly location: string;
  /** Project of the service (default: the service account's). */
  readonly project?: string;
  /** IAP's OAuth client ID (`<number>-<id>.apps.googleusercontent.com`): the ID token's audience. */
  readonly audience: string;
}

/** Self-signed JWTs: the Cloud Endpoints or API Gateway service that checks them. */
export interface GcpEndpointsService {
  /** The managed service name, e.g. `orders.endpoints.acme-prod.cloud.goog`. */
  readonly serviceName: string;
  /** The JWT's `aud`, listed in the service's `x-google-audiences` (default: `url`). */
  readonly audience?: string;
}

export interface GcpServiceAuthOriginArgs {
  /**
   * The gateway's service account for this kind of token (`GcpGatewayServiceAccount`): one per
   * stack and token kind, shared by every origin of that kind, because Zuplo's runtime keeps
   * the first service account it parses per policy type. The resource itself, or a
   * description of it (`GcpGatewayServiceAccountDescription`: its settings and outputs).
   */
  readonly serviceAccount: GcpGatewayServiceAccount | GcpGatewayServiceAccountDescription;
  /** The origin's base URL, as the gateway forwards to it. */
  readonly url?: pulumi.Input<string>;
  /** ID tokens: the Cloud Run service the account may invoke, and nothing else. */
  readonly cloudRun?: GcpServiceAuthCloudRun;
  /** ID tokens through Identity-Aware Proxy: the account gets `roles/iap.httpsResourceAccessor` on this service alone. */
  readonly iap?: GcpServiceAuthIap;
  /** Self-signed JWTs: the Cloud Endpoints or API Gateway service that checks them. */
  readonly endpoints?: GcpEndpointsService;
  /** Access tokens for Google APIs instead (grant the account its roles yourself). */
  readonly scopes?: string[];
}

/**
 * A service-auth origin on GCP: the gateway's service account (shared, see `serviceAccount`)
 * gets the invoker role on this origin's Cloud Run service alone; for Cloud Endpoints / API
 * Gateway, `endpointsSecurity` is the OpenAPI security definition the service must carry. The
 * gateway gets the account's current key.
 */
export class GcpServiceAuthOrigin extends pulumi.ComponentResource {
  /** Email of the gateway's service account. */
  readonly serviceAccountEmail: pulumi.Output<string>;
  /** The token's audience (Cloud Run, Endpoints), or "" for scopes. */
  readonly audience: string;
  /** For `endpoints`: merge into the service's OpenAPI document (`securityDefinitions`, `security`). */
  readonly endpointsSecurity?: EndpointsSecurity;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: GcpServiceAuthOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gcp:ServiceAuthOrigin", name, {}, opts);
    const sa = accountOf(name, args.serviceAccount);
    const check = checkOrigin({
      component: name,
      config: serviceAuthConfig(name, "gcp", { ...sa.rotation, url: args.url }, {
        project: sa.project,
        token: sa.token,
        serviceAccountId: sa.accountId,
        cloudRun: args.cloudRun,
        iap: args.iap,
        endpoints: args.endpoints,
        scopes: args.scopes,
      }),
      placeholders: { "gcp.cloudRun.service": () => "gatelock-pending", "gcp.iap.service": () => "gatelock-pending", url: () => "https://gatelock-pending.a.run.app" },
      is: isServiceAuthOn("gcp"),
    });
    const origin = check.known;
    const invoke = origin.target.invoke;
    const ready: pulumi.Resource[] = [...sa.ready];

    if (invoke.kind === "cloud-run") {
      // Named for what it grants, and granted to the gateway's account alone.
      ready.push(
        new ServiceIamMember(
          `${name}-invoker`,
          { project: invoke.project, location: invoke.location, name: check.value(["gcp.cloudRun.service"], (m) => (m.target.invoke as { service: string }).service), role: invoke.role, member: sa.member },
          { parent: this },
        ),
      );
    }
    this.audience = invoke.kind === "google-api" ? "" : invoke.audience;
    if (invoke.kind === "iap") {
      // Through IAP, not around it: the accessor role on this one service, for the gateway's account.
      ready.push(
        new WebCloudRunServiceIamMember(
          `${name}-iap-accessor`,
          { project: invoke.project, location: invoke.location, cloudRunServiceName: check.value(["gcp.iap.service"], (m) => (m.target.invoke as { service: string }).service), role: IAP_ACCESSOR_ROLE, member: sa.member },
          { parent: this },
        ),
      );
    }
    if (invoke.kind === "endpoints") this.endpointsSecurity = endpointsServiceAccountSecurity({ serviceAccountEmail: origin.target.serviceAccountEmail, audience: invoke.audience });
    this.serviceAccountEmail = sa.email;
    this.findings = check.findings;
    this.gatewayVariables = pairVariables(
      gcpServiceAuthVariables(origin),
      { serviceAccountJson: sa.serviceAccountJson, url: origin.url ? check.value(["url"], (m) => m.url!) : undefined },
      { serviceAccountJson: ready },
    );
    this.summary = {
      serviceAccount: sa.email,
      token: origin.target.token,
      ...(sa.keyGeneration !== undefined ? { keyGeneration: sa.keyGeneration } : {}),
      ...(invoke.kind === "cloud-run" ? { invoker: { service: pulumi.interpolate`projects/${invoke.project}/locations/${invoke.location}/services/${check.value(["gcp.cloudRun.service"], (m) => (m.target.invoke as { service: string }).service)}`, role: invoke.role }, audience: this.audience } : {}),
      ...(invoke.kind === "iap" ? { iapAccessor: { service: invoke.service, role: IAP_ACCESSOR_ROLE }, audience: this.audience } : {}),
      ...(invoke.kind === "endpoints" ? { endpoints: invoke.serviceName, audience: this.audience, endpointsSecurity: this.endpointsSecurity } : {}),
      ...(invoke.kind === "google-api" ? { scopes: invoke.scopes } : {}),
    };
    this.registerOutputs(this.summary);
  }
}

/** What an origin reads of its gateway service account. */
interface GatewayAccount {
  readonly project: string;
  readonly accountId: string;
  readonly token: GcpTokenKind;
  readonly rotation: CredentialArgs;
  readonly email: pulumi.Output<string>;
  readonly member: pulumi.Output<string>;
  readonly serviceAccountJson: pulumi.Output<string>;
  readonly keyGeneration?: pulumi.Output<number>;
  /** What the gateway's key waits for besides the grant (the account resource, when given). */
  readonly ready: readonly pulumi.Resource[];
}

/**
 * The account, from the resource or a description of it. A description's outputs carry their
 * own dependencies; its email must be the one its settings name (the origin is checked with them).
 */
function accountOf(component: string, sa: GcpGatewayServiceAccount | GcpGatewayServiceAccountDescription): GatewayAccount {
  if (sa instanceof GcpGatewayServiceAccount) return { ...pick(sa), rotation: sa.rotation, email: sa.email, member: sa.member, serviceAccountJson: sa.serviceAccountJson, keyGeneration: sa.keyGeneration, ready: [sa] };
  const { rotateAfterDays, overlapDays, rotation } = sa;
  const expected = serviceAccountEmail(sa.accountId, sa.project);
  const email = pulumi.output(sa.email).apply((e) => {
    if (e !== expected) throw new TypeError(`${component}: serviceAccount.email is ${e}, but its project and accountId name ${expected}: describe the account it is`);
    return e;
  });
  return { ...pick(sa), rotation: { rotateAfterDays, overlapDays, rotation }, email, member: pulumi.interpolate`serviceAccount:${email}`, serviceAccountJson: pulumi.secret(sa.serviceAccountJson), ready: [] };
}

function pick(sa: { readonly project: string; readonly accountId: string; readonly token: GcpTokenKind }) {
  return { project: sa.project, accountId: sa.accountId, token: sa.token };
}
