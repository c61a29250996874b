import * as pulumi from "@pulumi/pulumi";
import { Secret } from "@pulumi/gcp/secretmanager/secret";
import { SecretIamMember } from "@pulumi/gcp/secretmanager/secretIamMember";
import { SecretVersion } from "@pulumi/gcp/secretmanager/secretVersion";
import type { GatewayVariable } from "../gateway/environment";
import type { OriginModel } from "../model/model";
import { sharedSecretVariables } from "../shared-secret/gateway-variables";
import { SharedSecret } from "../shared-secret/shared-secret";

/** Read access to payloads of this one secret, and nothing else. */
export const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";

export interface GcpSharedSecretOriginArgs {
  /** A validated origin (from `buildModel`): a shared-secret origin on this cloud. */
  readonly origin: OriginModel;
}

/**
 * A shared-secret origin on GCP: the secret in Secret Manager, with `secretAccessor` on that
 * secret alone for each of the origin's service accounts.
 */
export class GcpSharedSecretOrigin extends pulumi.ComponentResource {
  readonly secretName: pulumi.Output<string>;
  readonly readers: readonly string[];
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly generation: pulumi.Output<number>;

  constructor(name: string, args: GcpSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:gcp:SharedSecretOrigin", name, {}, opts);
    const { origin } = args;
    if (origin.method !== "shared-secret" || origin.store.cloud !== "gcp") {
      throw new TypeError(`GcpSharedSecretOrigin needs a shared-secret origin on gcp, got ${origin.method} on ${origin.cloud}`);
    }
    const store = origin.store;

    const secret = new SharedSecret(name, origin.sharedSecret, { parent: this });
    const sm = new Secret(
      `${name}-store`,
      {
        project: store.project,
        secretId: store.secretId,
        replication: store.locations
          ? { userManaged: { replicas: store.locations.map((location) => ({ location })) } }
          : { auto: {} },
        labels: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      { parent: this },
    );
    const version = new SecretVersion(`${name}-store-version`, { secret: sm.id, secretData: secret.document }, { parent: this });
    store.readers.forEach((email, i) => {
      new SecretIamMember(
        `${name}-reader-${i}`,
        { project: store.project, secretId: sm.secretId, role: SECRET_ACCESSOR_ROLE, member: `serviceAccount:${email}` },
        { parent: this },
      );
    });

    this.secretName = sm.name;
    this.readers = store.readers;
    this.generation = secret.generation;
    this.gatewayVariables = sharedSecretVariables(origin, secret.current, version);
    this.summary = { secretName: this.secretName, readers: this.readers, generation: this.generation };
    this.registerOutputs(this.summary);
  }
}
