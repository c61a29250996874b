import * as pulumi from "@pulumi/pulumi";
import { Secret } from "@pulumi/aws/secretsmanager/secret";
import { SecretPolicy } from "@pulumi/aws/secretsmanager/secretPolicy";
import { SecretVersion } from "@pulumi/aws/secretsmanager/secretVersion";
import type { GatewayVariable } from "../gateway/environment";
import type { OriginModel } from "../model/model";
import { sharedSecretVariables } from "../shared-secret/gateway-variables";
import { SharedSecret } from "../shared-secret/shared-secret";
import { secretReadPolicy } from "./documents";

export interface AwsSharedSecretOriginArgs {
  /** A validated origin (from `buildModel`): a shared-secret origin on this cloud. */
  readonly origin: OriginModel;
}

/**
 * A shared-secret origin on AWS: the secret in Secrets Manager, readable only by the
 * origin's IAM roles, and the gateway variables that carry it.
 */
export class AwsSharedSecretOrigin extends pulumi.ComponentResource {
  readonly secretArn: pulumi.Output<string>;
  readonly readers: readonly string[];
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly generation: pulumi.Output<number>;

  constructor(name: string, args: AwsSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:aws:SharedSecretOrigin", name, {}, opts);
    const { origin } = args;
    if (origin.method !== "shared-secret" || origin.store.cloud !== "aws") {
      throw new TypeError(`AwsSharedSecretOrigin needs a shared-secret origin on aws, got ${origin.method} on ${origin.cloud}`);
    }
    const store = origin.store;

    const secret = new SharedSecret(name, origin.sharedSecret, { parent: this });
    const sm = new Secret(
      `${name}-store`,
      {
        name: store.secretName,
        region: store.region,
        description: `gatelock: shared secret the gateway sends to ${origin.name}`,
        ...(store.kmsKeyId ? { kmsKeyId: store.kmsKeyId } : {}),
        ...(store.recoveryWindowInDays !== undefined ? { recoveryWindowInDays: store.recoveryWindowInDays } : {}),
        tags: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      { parent: this },
    );
    const version = new SecretVersion(
      `${name}-store-version`,
      { secretId: sm.id, secretString: secret.document, region: store.region },
      { parent: this },
    );
    new SecretPolicy(
      `${name}-store-policy`,
      { secretArn: sm.arn, policy: JSON.stringify(secretReadPolicy(store.readers)), blockPublicPolicy: true, region: store.region },
      { parent: this },
    );

    this.secretArn = sm.arn;
    this.readers = store.readers;
    this.generation = secret.generation;
    this.gatewayVariables = sharedSecretVariables(origin, secret.current, version);
    this.summary = { secretArn: this.secretArn, readers: this.readers, generation: this.generation };
    this.registerOutputs(this.summary);
  }
}
