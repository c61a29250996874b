/**
 * AWS policy documents gatelock writes, as pure functions of the model (no Pulumi), so they
 * can be checked by an IAM policy simulator in tests.
 */

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal: { readonly AWS: string | readonly string[] } | "*";
  readonly Action: string | readonly string[];
  readonly Resource: string;
  readonly Condition?: Record<string, Record<string, string | boolean | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** The only actions an origin needs to read its shared secret. */
export const SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] as const;

/**
 * Resource policy for the shared secret: the named roles may read it, and nobody may read
 * it over a connection without TLS. In a secret's resource policy `Resource: "*"` means
 * "this secret".
 */
export function secretReadPolicy(readers: readonly string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GatelockOriginReads",
        Effect: "Allow",
        Principal: { AWS: [...readers] },
        Action: [...SECRET_READ_ACTIONS],
        Resource: "*",
      },
      {
        Sid: "GatelockDenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "secretsmanager:*",
        Resource: "*",
        Condition: { Bool: { "aws:SecureTransport": false } },
      },
    ],
  };
}
