/**
 * The S3 side of an AWS mTLS origin's trust store, as pure functions (no Pulumi), so an IAM
 * policy simulator can judge the bucket policy in tests:
 *
 * - the bucket policy: nobody reaches the bucket over plain HTTP or TLS older than 1.2. The
 *   bundle is public material, but whoever can write it decides which gateway certificates
 *   the origin accepts, so its integrity in transit matters as much as for a secret;
 * - the `s3://bucket/key` URI API Gateway takes for its truststore.
 *
 * The policy grants nothing: the deployer (who uploads the bundle) and API Gateway / ELB (which
 * read it with the deployer's credentials when the domain or trust store is written) get their
 * access from IAM, and the public access block keeps everyone else out.
 */

export interface TruststoreStatement {
  readonly Sid: string;
  readonly Effect: "Deny";
  readonly Principal: "*";
  readonly Action: string;
  readonly Resource: readonly string[];
  readonly Condition: Readonly<Record<string, Readonly<Record<string, boolean | number>>>>;
}

export interface TruststorePolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly TruststoreStatement[];
}

/** The oldest TLS version S3 may be reached with (S3 still accepts 1.0 and 1.1 unless told not to). */
export const MIN_TLS_VERSION = 1.2;

const BUCKET_ARN = /^arn:aws(-[a-z]+)*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The trust-store bucket's policy. Both statements cover the bucket and every object in it,
 * since `s3:*` on the bucket alone would leave object reads and writes over plain HTTP open.
 */
export function truststoreBucketPolicy(bucketArn: string): TruststorePolicyDocument {
  if (!BUCKET_ARN.test(bucketArn)) throw new TypeError(`gatelock: not an S3 bucket ARN: ${bucketArn}`);
  const resources = [bucketArn, `${bucketArn}/*`];
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "GatelockDenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: resources, Condition: { Bool: { "aws:SecureTransport": false } } },
      { Sid: "GatelockDenyOldTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: resources, Condition: { NumericLessThan: { "s3:TlsVersion": MIN_TLS_VERSION } } },
    ],
  };
}

/**
 * `s3://bucket/key`, as API Gateway's `mutualTlsAuthentication.truststoreUri` takes it: the key
 * as stored (no leading slash, no URL encoding; API Gateway splits at the first `/`).
 */
export function s3Uri(bucket: string, key: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new TypeError(`gatelock: not an S3 bucket name: ${bucket}`);
  if (key.length === 0 || key.startsWith("/") || key.length > 1024) throw new TypeError(`gatelock: not an S3 object key: ${key}`);
  return `s3://${bucket}/${key}`;
}
