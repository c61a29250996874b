import * as pulumi from "@pulumi/pulumi";
import { Secret } from "@pulumi/aws/secretsmanager/secret";
import { SecretPolicy } from "@pulumi/aws/secretsmanager/secretPolicy";
import { SecretVersion } from "@pulumi/aws/secretsmanager/secretVersion";
import { checkOrigin } from "../component/checked-origin";
import type { GatewayVariable } from "../gateway/environment";
import type { Finding } from "../model/safety";
import { sharedSecretVariables } from "../shared-secret/gateway-variables";
import { isSharedSecretOn, PENDING_URL, sharedSecretConfig, type SharedSecretSettings } from "../shared-secret/origin-args";
import { createSharedSecret } from "../shared-secret/shared-secret";
import { secretReadPolicy } from "../documents/aws-secret-policy";

export interface AwsSharedSecretOriginArgs extends SharedSecretSettings {
  /** Region of the secret (e.g. `us-east-1`). */
  readonly region: string;
  /** IAM role ARNs the origin runs as, which may read the secret: exact ARNs, no wildcards, no whole accounts. */
  readonly readers: pulumi.Input<string>[];
  /** Secrets Manager name (default `gatelock/<stack>/<origin>/shared-secret`). */
  readonly secretName?: string;
  /** KMS key ARN or alias to encrypt the secret with (default: the account's `aws/secretsmanager` key). */
  readonly kmsKeyId?: pulumi.Input<string>;
  /** Days Secrets Manager keeps the secret after deletion, 0 to 30. */
  readonly recoveryWindowInDays?: number;
}

/**
 * A shared-secret origin on AWS: the secret in Secrets Manager, readable only by the
 * origin's IAM roles, and the gateway variables that carry it.
 */
export class AwsSharedSecretOrigin extends pulumi.ComponentResource {
  readonly secretArn: pulumi.Output<string>;
  /** The roles that may read the secret (checked like every other arg). */
  readonly readers: pulumi.Output<string[]>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly generation: pulumi.Output<number>;
  /** What a reviewer should know: warnings about these args. */
  readonly findings: readonly Finding[];

  constructor(name: string, args: AwsSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:aws:SharedSecretOrigin", name, {}, opts);
    const { region, readers, secretName, kmsKeyId, recoveryWindowInDays } = args;
    const check = checkOrigin({
      component: name,
      config: sharedSecretConfig(name, "aws", args, { region, readers, secretName, kmsKeyId, recoveryWindowInDays }),
      placeholders: {
        "aws.readers[]": (n) => `arn:aws:iam::000000000000:role/gatelock-pending-${n}`,
        "aws.kmsKeyId": () => "alias/gatelock-pending",
        url: PENDING_URL,
      },
      is: isSharedSecretOn("aws"),
    });
    const origin = check.known;
    const store = origin.store;

    const secret = createSharedSecret(name, origin.sharedSecret, this);
    const sm = new Secret(
      `${name}-store`,
      {
        name: store.secretName,
        region: store.region,
        description: `gatelock: shared secret the gateway sends to ${origin.name}`,
        ...(store.kmsKeyId ? { kmsKeyId: check.value(["aws.kmsKeyId"], (m) => m.store.kmsKeyId!) } : {}),
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
      {
        secretArn: sm.arn,
        policy: check.value(["aws.readers"], (m) => JSON.stringify(secretReadPolicy(m.store.readers))),
        blockPublicPolicy: true,
        region: store.region,
      },
      { parent: this },
    );

    this.secretArn = sm.arn;
    // The summary (registered and exported) takes the readers as they are when known: an Output
    // there is one more for Pulumi to resolve and serialise per origin.
    const readerList = check.value(["aws.readers"], (m) => [...m.store.readers]);
    this.readers = pulumi.output(readerList);
    this.generation = secret.generation;
    this.findings = check.findings;
    this.gatewayVariables = sharedSecretVariables(origin, secret.current, version, origin.url ? check.value(["url"], (m) => m.url!) : undefined);
    this.summary = { secretArn: this.secretArn, readers: readerList, generation: this.generation };
    this.registerOutputs(this.summary);
  }
}
