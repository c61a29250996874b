import * as pulumi from "@pulumi/pulumi";
import { Secret } from "@pulumi/gcp/secretmanager/secret";
import { SecretIamMember } from "@pulumi/gcp/secretmanager/secretIamMember";
import { SecretVersion } from "@pulumi/gcp/secretmanager/secretVersion";
import { checkOrigin } from "../component/checked-origin";
import { grantIdentity } from "../component/grant-names";
import type { GatewayVariable } from "../gateway/environment";
import type { Finding } from "../model/safety";
import { sharedSecretVariables } from "../shared-secret/gateway-variables";
import { isSharedSecretOn, PENDING_URL, sharedSecretConfig, type SharedSecretSettings } from "../shared-secret/origin-args";
import { createSharedSecret } from "../shared-secret/shared-secret";

/** Read access to payloads of this one secret, and nothing else. */
export const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";

export interface GcpSharedSecretOriginArgs extends SharedSecretSettings {
  /** Project ID that holds the secret. */
  readonly project: string;
  /** Emails of the service accounts the origin runs as; each gets `secretAccessor` on this secret only. */
  readonly readers: pulumi.Input<string>[];
  /** Secret Manager secret ID (default `gatelock-<stack>-<origin>-shared-secret`). */
  readonly secretId?: string;
  /** Replicate only to these regions (default: automatic replication). */
  readonly locations?: string[];
  /** Escape hatch: accept the Compute Engine default service account as a reader (every workload without its own identity runs as it). */
  readonly dangerouslyAllowDefaultServiceAccount?: boolean;
}

/**
 * A shared-secret origin on GCP: the secret in Secret Manager, with `secretAccessor` on that
 * secret alone for each of the origin's service accounts.
 */
export class GcpSharedSecretOrigin extends pulumi.ComponentResource {
  readonly secretName: pulumi.Output<string>;
  readonly readers: pulumi.Output<string[]>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly generation: pulumi.Output<number>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: GcpSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gcp:SharedSecretOrigin", name, {}, opts);
    const { project, readers, secretId, locations, dangerouslyAllowDefaultServiceAccount } = args;
    const check = checkOrigin({
      component: name,
      config: sharedSecretConfig(name, "gcp", args, { project, readers, secretId, locations, dangerouslyAllowDefaultServiceAccount }),
      placeholders: { "gcp.readers[]": (n) => `gatelock-pending-${n}@gatelock-pending.iam.gserviceaccount.com`, url: PENDING_URL },
      is: isSharedSecretOn("gcp"),
    });
    const origin = check.known;
    const store = origin.store;

    const secret = createSharedSecret(name, origin.sharedSecret, this);
    const sm = new Secret(
      `${name}-store`,
      {
        project: store.project,
        secretId: store.secretId,
        replication: store.locations ? { userManaged: { replicas: store.locations.map((location) => ({ location })) } } : { auto: {} },
        labels: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      { parent: this },
    );
    const version = new SecretVersion(`${name}-store-version`, { secret: sm.id, secretData: secret.document }, { parent: this });
    store.readers.forEach((_, i) => {
      const path = `gcp.readers[${i}]`;
      const known = check.isUnknown(path) ? undefined : store.readers[i]!;
      const grants = known === undefined ? undefined : [`serviceAccount:${known}`, SECRET_ACCESSOR_ROLE, store.project, store.secretId];
      const { name: grant, aliases } = grantIdentity(name, "reader", i, grants, { parent: this, resourceClass: SecretIamMember });
      new SecretIamMember(
        grant,
        { project: store.project, secretId: sm.secretId, role: SECRET_ACCESSOR_ROLE, member: check.value([path], (m) => `serviceAccount:${m.store.readers[i]}`) },
        { parent: this, aliases },
      );
    });

    this.secretName = sm.name;
    // The summary (registered and exported) takes the readers as they are when known: an Output
    // there is one more for Pulumi to resolve and serialise per origin.
    const readerList = check.value(["gcp.readers"], (m) => [...m.store.readers]);
    this.readers = pulumi.output(readerList);
    this.generation = secret.generation;
    this.findings = check.findings;
    this.gatewayVariables = sharedSecretVariables(origin, secret.current, version, origin.url ? check.value(["url"], (m) => m.url!) : undefined);
    this.summary = { secretName: this.secretName, readers: readerList, generation: this.generation };
    this.registerOutputs(this.summary);
  }
}
