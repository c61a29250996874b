import * as pulumi from "@pulumi/pulumi";
import { TrustConfig } from "@pulumi/gcp/certificatemanager/trustConfig";
import { TargetHttpsProxy } from "@pulumi/gcp/compute/targetHttpsProxy";
import { ServerTlsPolicy } from "@pulumi/gcp/networksecurity/serverTlsPolicy";
import { getProjectOutput } from "@pulumi/gcp/organizations/getProject";
import { checkOrigin } from "../component/checked-origin";
import { clientValidationTrustConfig, gcpTrustAnchors } from "../documents/gcp-trust-config";
import type { GatewayCertificate } from "../gateway/certificates";
import type { GatewayVariable } from "../gateway/environment";
import type { Finding } from "../model/safety";
import { isMtlsOn, type MtlsOriginArgsBase, mtlsConfig } from "../mtls/origin-args";
import { createMtlsPki } from "../mtls/pki";

/** A global target HTTPS proxy gatelock creates, with the ServerTlsPolicy attached. */
export interface GcpMtlsTargetHttpsProxyArgs {
  /** Name of the proxy (a GCP resource name, e.g. `orders-https`). */
  readonly name: string;
  /** The URL map the proxy routes with (name, ID or self link; usually another resource's output). */
  readonly urlMap: pulumi.Input<string>;
  /** The proxy's server certificates (names, IDs or self links; usually other resources' outputs). */
  readonly sslCertificates: pulumi.Input<string>[];
}

/** `GcpMtlsOrigin`'s args: the stack file's `gcp` block of an mTLS origin, besides the PKI. */
export interface GcpMtlsOriginArgs extends MtlsOriginArgsBase {
  /** Project ID that holds the trust config, the policy and the proxy. */
  readonly project: string;
  /**
   * The policy's client validation: `REJECT_INVALID` (default). `ALLOW_INVALID_OR_MISSING_CLIENT_CERT`
   * needs `dangerouslyAllowOptionalClientCert`.
   */
  readonly clientValidationMode?: "REJECT_INVALID" | "ALLOW_INVALID_OR_MISSING_CLIENT_CERT";
  /**
   * A global target HTTPS proxy gatelock creates with the policy attached. Without it, attach the
   * `serverTlsPolicyId` output to your own proxy: until then nothing checks the certificate.
   */
  readonly targetHttpsProxy?: GcpMtlsTargetHttpsProxyArgs;
}

/**
 * An mTLS origin behind a GCP external Application Load Balancer: a Certificate Manager trust
 * config holding the stack's CA(s), one trust anchor each, and a ServerTlsPolicy that rejects
 * any connection without a client certificate issued by them; attached to a global target
 * HTTPS proxy gatelock creates, or given to the user to attach.
 */
export class GcpMtlsOrigin extends pulumi.ComponentResource {
  /** ID of the trust config (`projects/<project>/locations/global/trustConfigs/<name>`). */
  readonly trustConfigId: pulumi.Output<string>;
  /** ID of the ServerTlsPolicy: what a target HTTPS proxy's `serverTlsPolicy` takes. */
  readonly serverTlsPolicyId: pulumi.Output<string>;
  /** Self link of the target HTTPS proxy, when gatelock creates it. */
  readonly targetHttpsProxySelfLink?: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly gatewayCertificates: readonly GatewayCertificate[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: GcpMtlsOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gcp:MtlsOrigin", name, {}, opts);
    const { project, clientValidationMode, targetHttpsProxy } = args;
    const check = checkOrigin({
      component: name,
      config: mtlsConfig(name, "gcp", args, {
        project,
        clientValidationMode,
        ...(targetHttpsProxy ? { targetHttpsProxy: { name: targetHttpsProxy.name, urlMap: targetHttpsProxy.urlMap, sslCertificates: targetHttpsProxy.sslCertificates } } : {}),
      }),
      gateway: args.gateway,
      placeholders: {
        url: () => "https://gatelock-pending.invalid",
        "gcp.targetHttpsProxy.urlMap": () => "gatelock-pending",
        "gcp.targetHttpsProxy.sslCertificates[]": (n) => `gatelock-pending-${n}`,
      },
      is: isMtlsOn("gcp"),
    });
    const origin = check.known;
    const target = origin.target;
    const parent = { parent: this };

    const pki = createMtlsPki(name, origin, this, args.ca?.key);
    const trustConfig = new TrustConfig(
      `${name}-trust-config`,
      {
        project: target.project,
        name: target.trustConfigName,
        location: "global",
        description: `gatelock: the CA(s) whose client certificates ${origin.name} accepts`,
        trustStores: [{ trustAnchors: pki.trustBundle.apply(gcpTrustAnchors) }],
        labels: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      parent,
    );
    // The policy names the trust config by project number, which only GCP knows.
    const projectNumber = getProjectOutput({ projectId: target.project }, parent).number;
    const policy = new ServerTlsPolicy(
      `${name}-server-tls-policy`,
      {
        project: target.project,
        name: target.serverTlsPolicyName,
        location: "global",
        description: `gatelock: mutual TLS for ${origin.name}`,
        // Plain text and `clientValidationCas` are for Traffic Director; a load balancer's policy has neither.
        allowOpen: false,
        mtlsPolicy: {
          clientValidationMode: target.clientValidationMode,
          clientValidationTrustConfig: pulumi.all([projectNumber, trustConfig.name]).apply(([n, tc]) => clientValidationTrustConfig(n, tc)),
        },
        labels: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      parent,
    );
    const ready: pulumi.Resource[] = [trustConfig, policy];
    if (target.targetHttpsProxy) {
      const proxy = new TargetHttpsProxy(
        `${name}-https-proxy`,
        {
          project: target.project,
          name: target.targetHttpsProxy.name,
          urlMap: check.value(["gcp.targetHttpsProxy.urlMap"], (m) => m.target.targetHttpsProxy!.urlMap),
          sslCertificates: target.targetHttpsProxy.sslCertificates.map((_, i) =>
            check.value([`gcp.targetHttpsProxy.sslCertificates[${i}]`], (m) => m.target.targetHttpsProxy!.sslCertificates[i]!),
          ),
          serverTlsPolicy: policy.id,
        },
        parent,
      );
      ready.push(proxy);
      this.targetHttpsProxySelfLink = proxy.selfLink;
    }

    this.trustConfigId = trustConfig.id;
    this.serverTlsPolicyId = policy.id;
    this.findings = check.findings;
    const gw = pki.gatewaySide(ready, origin.url ? check.value(["url"], (m) => m.url!) : undefined);
    this.gatewayVariables = gw.gatewayVariables;
    this.gatewayCertificates = gw.gatewayCertificates;
    this.summary = {
      trustConfigId: this.trustConfigId,
      serverTlsPolicyId: this.serverTlsPolicyId,
      ...(this.targetHttpsProxySelfLink ? { targetHttpsProxySelfLink: this.targetHttpsProxySelfLink } : {}),
      ...pki.summary,
    };
    this.registerOutputs(this.summary);
  }
}
