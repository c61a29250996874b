/**
 * What every mTLS origin (method 4) of the package takes besides its cloud's args, and the
 * choices of those args as enums (the schema analyzer reads no union of string literals, nor a
 * read-only array). Not exported from index.ts, which exports only components: the schema
 * reaches these through the args and outputs that use them.
 */
import type { AwsMtlsAlbArgs, AwsMtlsApiGatewayArgs } from "../aws/mtls-origin";
import type { AzureMtlsAppServiceArgs } from "../azure/mtls-origin";
import type { GcpMtlsOriginArgs } from "../gcp/mtls-origin";
import type { MtlsOriginArgsBase } from "../mtls/origin-args";

/** A Zuplo environment type, in which the gateway may present its client certificate. */
export enum MtlsGatewayEnvironment {
  /** `development`: Zuplo's development environment type. */
  Development = "development",
  /** `preview`: Zuplo's preview environment type (Zuplo's store is per project: a preview branch could present this stack's certificate). */
  Preview = "preview",
  /** `production`: Zuplo's production environment type. */
  Production = "production",
}

/** The kind of API Gateway API a custom domain with mutual TLS maps to. */
export enum AwsMtlsApiType {
  /** `http`: an HTTP API (`apigatewayv2`). */
  Http = "http",
  /** `rest`: a REST API (`apigateway`). */
  Rest = "rest",
}

/** How an ALB listener treats the client certificate. */
export enum AwsMtlsAlbMode {
  /** `verify`: the listener verifies it against the trust store and refuses a connection without a valid one. */
  Verify = "verify",
  /** `passthrough`: the listener forwards it unchecked (needs `dangerouslyAllowOptionalClientCert`). */
  Passthrough = "passthrough",
  /** `off`: no client certificate (needs `dangerouslyAllowOptionalClientCert`). */
  Off = "off",
}

/** What a GCP ServerTlsPolicy does with a connection whose client certificate is not valid. */
export enum GcpMtlsClientValidationMode {
  /** `REJECT_INVALID`: reject it. */
  RejectInvalid = "REJECT_INVALID",
  /** `ALLOW_INVALID_OR_MISSING_CLIENT_CERT`: let it through (needs `dangerouslyAllowOptionalClientCert`). */
  AllowInvalidOrMissingClientCert = "ALLOW_INVALID_OR_MISSING_CLIENT_CERT",
}

/** When an App Service or Function App asks for the client certificate. */
export enum AzureAppServiceClientCertMode {
  /** `Required`: every request must present one. */
  Required = "Required",
  /** `Optional`: requests may present one (needs `dangerouslyAllowOptionalClientCert`). */
  Optional = "Optional",
  /** `OptionalInteractiveUser`: only interactive users are asked (needs `dangerouslyAllowOptionalClientCert`). */
  OptionalInteractiveUser = "OptionalInteractiveUser",
}

// Exactly the TypeScript components' choices: a compile error names one missing here (and an
// extra member would be a value the components refuse).
type Choices<U extends string> = Record<U, true>;
const environments: Choices<NonNullable<MtlsOriginArgsBase["gatewayEnvironments"]>[number]> = {
  [MtlsGatewayEnvironment.Development]: true,
  [MtlsGatewayEnvironment.Preview]: true,
  [MtlsGatewayEnvironment.Production]: true,
};
const apiTypes: Choices<NonNullable<AwsMtlsApiGatewayArgs["type"]>> = { [AwsMtlsApiType.Http]: true, [AwsMtlsApiType.Rest]: true };
const albModes: Choices<NonNullable<AwsMtlsAlbArgs["mode"]>> = { [AwsMtlsAlbMode.Verify]: true, [AwsMtlsAlbMode.Passthrough]: true, [AwsMtlsAlbMode.Off]: true };
const validationModes: Choices<NonNullable<GcpMtlsOriginArgs["clientValidationMode"]>> = {
  [GcpMtlsClientValidationMode.RejectInvalid]: true,
  [GcpMtlsClientValidationMode.AllowInvalidOrMissingClientCert]: true,
};
const certModes: Choices<NonNullable<AzureMtlsAppServiceArgs["clientCertMode"]>> = {
  [AzureAppServiceClientCertMode.Required]: true,
  [AzureAppServiceClientCertMode.Optional]: true,
  [AzureAppServiceClientCertMode.OptionalInteractiveUser]: true,
};
void [environments, apiTypes, albModes, validationModes, certModes];

/**
 * The args every mTLS origin of the package takes: the TypeScript components' shared args
 * (the gateway, the origin's URL, the PKI settings), with `gatewayEnvironments` as a list the
 * schema can express.
 */
export interface MtlsOriginSettings extends MtlsOriginArgsBase {
  /** Zuplo environment types in which the gateway may present the certificate (default `production`). */
  readonly gatewayEnvironments?: MtlsGatewayEnvironment[];
}
