/**
 * Pulumi secrets gatelock made itself, so that a value is wrapped once however many hands it
 * passes through: each `pulumi.secret` is another Output, with its promises, per value, and a
 * shared secret passes from the origin's component to the gateway environment.
 */
import * as pulumi from "@pulumi/pulumi";

const made = new WeakSet<object>();

/** `value` as a Pulumi secret: itself when it is one this module made, else `pulumi.secret(value)`. */
export function asSecret<T>(value: pulumi.Input<T>): pulumi.Output<pulumi.Unwrap<T>> {
  if (pulumi.Output.isInstance(value) && made.has(value)) return value as unknown as pulumi.Output<pulumi.Unwrap<T>>;
  const secret = pulumi.secret(value);
  made.add(secret);
  return secret;
}
