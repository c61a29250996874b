/** The AWS components as the package publishes them: `gatelock:index:Aws…`. */
import type * as pulumi from "@pulumi/pulumi";
import { AwsFederatedOrigin as Federated, type AwsFederatedOriginArgs as FederatedArgs } from "../aws/federated-origin";
import {
  AwsMtlsOrigin as Mtls,
  type AwsMtlsAlbArgs as MtlsAlbArgs,
  type AwsMtlsApiGatewayArgs as MtlsApiGatewayArgs,
  type AwsMtlsOriginArgs as MtlsArgs,
} from "../aws/mtls-origin";
import { AwsOidcProvider as OidcProvider, type AwsOidcProviderArgs } from "../aws/oidc-provider";
import { AwsSharedSecretOrigin as SharedSecret, type AwsSharedSecretOriginArgs } from "../aws/shared-secret-origin";
import { AwsTunnelOrigin as Tunnel, type AwsTunnelOriginArgs as TunnelArgs } from "../aws/tunnel-origin";
import type { AwsMtlsAlbMode, AwsMtlsApiType, MtlsOriginSettings } from "./mtls";
import {
  type Finding,
  type GatewayCertificate,
  type GatewayVariable,
  type MtlsPkiSummary,
  packageCertificates,
  packageFindings,
  packageMtlsSummary,
  packageTunnelService,
  packageVariables,
  type TunnelService,
} from "./outputs";
import type { TunnelOriginSettings } from "./tunnel";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * A shared-secret origin on AWS: the secret in Secrets Manager, readable only by the origin's
 * IAM roles, and the gateway variables that carry it.
 */
export class AwsSharedSecretOrigin extends packageBase<AwsSharedSecretOriginArgs>(SharedSecret) {
  static readonly packageType = "gatelock:index:AwsSharedSecretOrigin";
  /** ARN of the secret in Secrets Manager. */
  declare readonly secretArn: pulumi.Output<string>;
  /** The IAM roles that may read the secret, as checked. */
  declare readonly readers: pulumi.Output<string[]>;
  /** The secret's rotation generation (increases by one at every rotation). */
  declare readonly generation: pulumi.Output<number>;
  /** The variables the gateway needs (the secret, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AwsSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, SharedSecret);
    publish<AwsSharedSecretOrigin>(this, {
      secretArn: built.secretArn,
      readers: built.readers,
      generation: built.generation,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/** An API Gateway API with `AWS_IAM` authorization. */
export interface AwsApiGateway {
  /** ID of the REST or HTTP API. */
  readonly apiId: pulumi.Input<string>;
  /** Stage the gateway calls. */
  readonly stage: string;
  /** Exact routes, `METHOD /path`; `*` and `ANY` are refused. */
  readonly routes: string[];
}

/** A Lambda function URL with `AuthType: AWS_IAM`. */
export interface AwsLambdaUrl {
  /** Name of the function (not its ARN). */
  readonly functionName: pulumi.Input<string>;
  /** Alias the function URL belongs to, if any. */
  readonly qualifier?: string;
}

/** An extra Allow statement for the gateway's role. */
export interface AwsPolicyStatement {
  /** Exact actions (`service:Action`), judged against AWS's action catalog. */
  readonly actions: string[];
  /** Exact resource ARNs. */
  readonly resources: string[];
  /** Escape hatch: allow wildcards in `resources`. */
  readonly dangerouslyAllowWildcardResources?: boolean;
}

/** `AwsFederatedOrigin`'s args, with its nested blocks as named types (the schema has no anonymous ones). */
export interface AwsFederatedOriginArgs extends FederatedArgs {
  /** An API Gateway API with `AWS_IAM` authorization: the role may invoke exactly these routes. */
  readonly apiGateway?: AwsApiGateway;
  /** A Lambda function URL with `AuthType: AWS_IAM`: the role may call the URL and nothing else on the function. */
  readonly lambdaUrl?: AwsLambdaUrl;
  /** Extra Allow statements with exact actions and resources (judged against AWS's action catalog). */
  readonly additionalStatements?: AwsPolicyStatement[];
}

/**
 * A federated origin on AWS: the gateway's own ID token, from the IAM OIDC provider for the
 * gateway's issuer, may assume one role, only with the pinned audience and subjects; the role
 * may invoke exactly the configured API Gateway routes or Lambda function URL.
 */
export class AwsFederatedOrigin extends packageBase<AwsFederatedOriginArgs>(Federated) {
  static readonly packageType = "gatelock:index:AwsFederatedOrigin";
  /** ARN of the role the gateway assumes. */
  declare readonly roleArn: pulumi.Output<string>;
  /** ARN of the IAM OIDC provider the role trusts. */
  declare readonly oidcProviderArn: pulumi.Output<string>;
  /** The variables the gateway needs (role ARN, region, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AwsFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Federated);
    publish<AwsFederatedOrigin>(this, {
      roleArn: built.roleArn,
      oidcProviderArn: built.oidcProviderArn,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/**
 * The IAM OIDC provider for the gateway's issuer. AWS allows one per issuer per account:
 * create it once and pass its `arn` to every `AwsFederatedOrigin` that trusts the issuer, with
 * every such origin's audience among its client IDs.
 */
export class AwsOidcProvider extends packageBase<AwsOidcProviderArgs>(OidcProvider) {
  static readonly packageType = "gatelock:index:AwsOidcProvider";
  /** ARN of the provider: an `AwsFederatedOrigin`'s `oidcProviderArn`. */
  declare readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AwsOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    publish<AwsOidcProvider>(this, { arn: builtAs(this, OidcProvider).arn });
  }
}

/** An API Gateway custom domain that checks the gateway's client certificate. */
export interface AwsMtlsApiGateway extends MtlsApiGatewayArgs {
  /** An HTTP API (`http`, `apigatewayv2`, default) or a REST API (`rest`, `apigateway`). */
  readonly type?: AwsMtlsApiType;
}

/** An Application Load Balancer HTTPS listener that verifies the gateway's client certificate. */
export interface AwsMtlsAlb extends MtlsAlbArgs {
  /** Mutual authentication mode: `verify` (default). `passthrough` and `off` need `dangerouslyAllowOptionalClientCert`. */
  readonly mode?: AwsMtlsAlbMode;
}

/**
 * `AwsMtlsOrigin`'s args, as another language passes them: the PKI settings, and where the
 * origin checks the certificate, with its choices as enums. (Restated, not `Omit`ted: the
 * schema analyzer reads no `Omit<…>`.)
 */
export interface AwsMtlsOriginArgs extends MtlsOriginSettings {
  /** Region of the trust store bucket, the custom domain and the listener (e.g. `us-east-1`). */
  readonly region: string;
  /** Name of the trust store bucket gatelock creates (versioned, private, TLS only); default: generated by the provider. */
  readonly truststoreBucket?: string;
  /** An API Gateway custom domain with mutual TLS, its trust store version pinned. */
  readonly apiGateway?: AwsMtlsApiGateway;
  /** An ALB HTTPS listener that verifies the client certificate against an ELB trust store. */
  readonly alb?: AwsMtlsAlb;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedMtls: Record<Exclude<keyof MtlsArgs, keyof AwsMtlsOriginArgs>, never> = {};
void restatedMtls;

/**
 * An mTLS origin on AWS (method 4): the stack's CA bundle in a versioned, private, TLS-only S3
 * bucket, pinned by version by an API Gateway custom domain with mutual TLS and/or an ELB trust
 * store with an HTTPS listener in `verify` mode; the stack's CA issues the gateway's client
 * certificate, which waits for them.
 */
export class AwsMtlsOrigin extends packageBase<MtlsArgs>(Mtls) {
  static readonly packageType = "gatelock:index:AwsMtlsOrigin";
  /** `s3://bucket/key` of the trust store bundle. */
  declare readonly truststoreUri: pulumi.Output<string>;
  /** The bundle object's version every consumer pins. */
  declare readonly truststoreVersion: pulumi.Output<string>;
  /** The trust store bucket's name. */
  declare readonly bucketName: pulumi.Output<string>;
  /** The custom domain (with `apiGateway`), for the DNS record. */
  declare readonly domainName?: pulumi.Output<string>;
  /** Where the custom domain's DNS record points: API Gateway's regional domain name (with `apiGateway`). */
  declare readonly regionalDomainName?: pulumi.Output<string>;
  /** Route 53 hosted zone of `regionalDomainName`, for an alias record (with `apiGateway`). */
  declare readonly regionalHostedZoneId?: pulumi.Output<string>;
  /** ARN of the ELB trust store (with `alb`). */
  declare readonly trustStoreArn?: pulumi.Output<string>;
  /** ARN of the HTTPS listener that verifies the client certificate (with `alb`). */
  declare readonly listenerArn?: pulumi.Output<string>;
  /** The CA and the gateway's certificate: subjects, expiry, generations; never a key. */
  declare readonly pki: MtlsPkiSummary;
  /** The variables the gateway needs (the certificate's name, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** The client certificate the gateway presents, with its key (a secret): pass them to `ZuploEnvironment`'s `certificates`. */
  declare readonly gatewayCertificates: GatewayCertificate[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AwsMtlsOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Mtls);
    publish<AwsMtlsOrigin>(this, {
      truststoreUri: built.truststoreUri,
      truststoreVersion: built.truststoreVersion,
      bucketName: built.bucketName,
      ...(built.domainName ? { domainName: built.domainName } : {}),
      ...(built.regionalDomainName ? { regionalDomainName: built.regionalDomainName } : {}),
      ...(built.regionalHostedZoneId ? { regionalHostedZoneId: built.regionalHostedZoneId } : {}),
      ...(built.trustStoreArn ? { trustStoreArn: built.trustStoreArn } : {}),
      ...(built.listenerArn ? { listenerArn: built.listenerArn } : {}),
      pki: packageMtlsSummary(built.summary),
      gatewayVariables: packageVariables(built.gatewayVariables),
      gatewayCertificates: packageCertificates(built.gatewayCertificates),
      findings: packageFindings(built.findings),
    });
  }
}

/**
 * `AwsTunnelOrigin`'s args, as another language passes them: the tunnel, and the stack file's
 * `aws` block of a tunnel origin. (Restated, not `Omit`ted: the schema analyzer reads no `Omit<…>`.)
 */
export interface AwsTunnelOriginArgs extends TunnelOriginSettings {
  /** Region of the connector and its token's secret (e.g. `us-east-1`). */
  readonly region: string;
  /** The VPC the connector runs in (`vpc-…`): its security group's. */
  readonly vpcId: pulumi.Input<string>;
  /**
   * Private subnets for the connector's tasks (`subnet-…`), with a NAT gateway (or VPC
   * endpoints and a route to the internet for TCP 7844) for egress; no public IP is ever assigned.
   */
  readonly subnets: pulumi.Input<string>[];
  /** An existing ECS cluster's ARN (default: gatelock creates one for the connector). */
  readonly clusterArn?: pulumi.Input<string>;
  /**
   * Where the origin is, for the connector's only egress rule inside the network (e.g.
   * `10.0.3.12/32`; default: the endpoint's address /32, when it is an IP address).
   */
  readonly originCidr?: string;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedTunnel: Record<Exclude<keyof TunnelArgs, keyof AwsTunnelOriginArgs>, never> = {};
void restatedTunnel;

/**
 * A tunnel origin's connector on AWS (method 5): `zuplo/tunnel` as an ECS Fargate service in
 * private subnets, without a public IP, behind a security group with no ingress and egress only
 * to the tunnel's edge, the AWS endpoints it starts from, and the origin. The tunnel's token
 * (a `GatewayTunnel`'s) lives in Secrets Manager and reaches the container pinned to its version:
 * a rotated token rolls the service.
 */
export class AwsTunnelOrigin extends packageBase<TunnelArgs>(Tunnel) {
  static readonly packageType = "gatelock:index:AwsTunnelOrigin";
  /** ARN of the token's secret. */
  declare readonly tokenSecretArn: pulumi.Output<string>;
  /** ARN of the task definition revision the service runs (a new one per token). */
  declare readonly taskDefinitionArn: pulumi.Output<string>;
  /** ARN of the ECS service. */
  declare readonly serviceArn: pulumi.Output<string>;
  /** The connector's security group. */
  declare readonly securityGroupId: pulumi.Output<string>;
  /** What the tunnel's services configuration needs for this origin: pass it to `GatewayTunnelServices`' `services`. */
  declare readonly tunnelService: pulumi.Output<TunnelService>;
  /** The variables the gateway needs (the origin's `service://` URL): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AwsTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Tunnel);
    publish<AwsTunnelOrigin>(this, {
      tokenSecretArn: built.tokenSecretArn,
      taskDefinitionArn: built.taskDefinitionArn,
      serviceArn: built.serviceArn,
      securityGroupId: built.securityGroupId,
      tunnelService: packageTunnelService(this, built.tunnelService),
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
