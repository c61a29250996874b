import * as pulumi from "@pulumi/pulumi";
import { Account } from "@pulumi/gcp/serviceaccount/account";
import { Key } from "@pulumi/gcp/serviceaccount/key";
import { serviceAccountJsonFromProviderKey } from "../documents/gcp-service-account-key";
import { serviceAccountEmail } from "../documents/gcp-workload-identity";
import { ConfigError } from "../errors";
import { invalidIssue } from "../model/issues";
import { GCP_PROJECT } from "../model/primitives";
import type { CredentialRotation, GcpTokenKind } from "../model/service-auth/target";
import type { CredentialArgs } from "../service-auth/origin-args";
import { rotatingCredential } from "../service-auth/rotating-credential";

const SERVICE_ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export interface GcpGatewayServiceAccountArgs {
  /** Project of the account (a GCP project ID, e.g. `acme-prod`). */
  readonly project: string;
  /** Account ID (`gl-<stack>-svc` / `gl-<stack>-jwt` in the stack-file program). */
  readonly accountId: string;
  /** Which Zuplo policy uses its key: `id-token` (GCP Service Auth) or `self-signed-jwt` (GCP JWT). */
  readonly token: GcpTokenKind;
  /** Key rotation: two slots with an overlap. */
  readonly rotation: CredentialRotation;
}

/**
 * A gateway service account described by its settings and outputs instead of passed as the
 * `GcpGatewayServiceAccount` resource: what a Python, Go, C#, Java or YAML program passes to a
 * `GcpServiceAuthOrigin` (a component package cannot take another package component as an
 * arg), or a TypeScript program whose account is in another stack. Give the account's own
 * settings: the origin is checked with them, and `email` must be the account's.
 */
export interface GcpGatewayServiceAccountDescription extends CredentialArgs {
  /** Project of the account, as given to `GcpGatewayServiceAccount`. */
  readonly project: string;
  /** Account ID, as given to `GcpGatewayServiceAccount`. */
  readonly accountId: string;
  /** Which Zuplo policy uses its key, as given to `GcpGatewayServiceAccount`: `id-token` or `self-signed-jwt`. */
  readonly token: GcpTokenKind;
  /** The account's `email` output: must be `<accountId>@<project>.iam.gserviceaccount.com`; the origin's grant waits for it. */
  readonly email: pulumi.Input<string>;
  /** The account's `serviceAccountJson` output (the current key, a secret): the gateway's credential. */
  readonly serviceAccountJson: pulumi.Input<string>;
}

/**
 * The gateway's service account for one kind of GCP token, and its key, rotated in two slots.
 *
 * One per stack and token kind: Zuplo's runtime keeps the first service account it parses for
 * a policy type, so every origin of that kind must be reached with this one account (pass it
 * to each `GcpServiceAuthOrigin`). Its key is the only long-lived credential the method needs;
 * the old key is deleted once the overlap after a rotation is over.
 */
export class GcpGatewayServiceAccount extends pulumi.ComponentResource {
  /** Project of the account. */
  readonly project: string;
  /** Account ID. */
  readonly accountId: string;
  /** Which Zuplo policy uses its key. */
  readonly token: GcpTokenKind;
  /** Key rotation, as given. */
  readonly rotation: CredentialRotation;
  /** `<accountId>@<project>.iam.gserviceaccount.com`. */
  readonly email: pulumi.Output<string>;
  /** `serviceAccount:<email>`. */
  readonly member: pulumi.Output<string>;
  /** The current key file as the single line Zuplo's runtime parses (a Pulumi secret). */
  readonly serviceAccountJson: pulumi.Output<string>;
  /** How many times the key has rotated. */
  readonly keyGeneration: pulumi.Output<number>;

  constructor(name: string, args: GcpGatewayServiceAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gcp:GatewayServiceAccount", name, {}, opts);
    const issues = [
      ...(GCP_PROJECT.test(args.project) ? [] : [invalidIssue(`${name}: project`, "expected a GCP project ID (e.g. `acme-prod`).")]),
      ...(SERVICE_ACCOUNT_ID.test(args.accountId) ? [] : [invalidIssue(`${name}: accountId`, "expected a service account ID (6-30 lower-case letters, digits and dashes, a letter first).")]),
    ];
    if (issues.length > 0) throw new ConfigError(issues);
    this.project = args.project;
    this.accountId = args.accountId;
    this.token = args.token;
    this.rotation = args.rotation;

    const account = new Account(
      `${name}-account`,
      {
        project: args.project,
        accountId: args.accountId,
        displayName: `gatelock gateway (${args.token})`,
        description: "gatelock: the API gateway's identity; it holds only the invoker grants gatelock gives it.",
      },
      { parent: this },
    );
    const credential = rotatingCredential(name, args.rotation, this);
    // Each slot's key is replaced when its epoch changes: a new generation, or its retirement.
    const key = (slot: "a" | "b") => new Key(`${name}-key-${slot}`, { serviceAccountId: account.name, keepers: { slot, epoch: credential.slot(slot).apply((s) => s.epoch) } }, { parent: this });
    const [a, b] = [key("a"), key("b")];

    this.email = account.email;
    this.member = account.member;
    this.serviceAccountJson = pulumi.secret(credential.current(a.privateKey, b.privateKey).apply(serviceAccountJsonFromProviderKey));
    this.keyGeneration = credential.generation;
    this.registerOutputs({ email: this.email, keyGeneration: this.keyGeneration, expectedEmail: serviceAccountEmail(args.accountId, args.project) });
  }
}
