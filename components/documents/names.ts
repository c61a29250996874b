/**
 * How clouds name the things gatelock's documents refer to (pure leaves, no imports): the
 * model, the documents and the components all use these, so they sit below all three.
 */

/** `https://dev.zuplo.com/v1/x/` → `dev.zuplo.com/v1/x`: how IAM names an issuer. */
export function issuerHostPath(issuer: string): string {
  return issuer.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

/** `aws`, `aws-cn`, `aws-us-gov`…, from the region. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}

/** A subject with `*` or `?` is a pattern (behind the escape hatch), not an exact subject. */
export function isPattern(subject: string): boolean {
  return /[*?]/.test(subject);
}
