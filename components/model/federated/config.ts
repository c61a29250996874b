import { z } from "zod";
import { httpsOrLoopbackUrl, originName } from "../primitives";
import { AwsFederatedConfig } from "./aws";
import { AzureFederatedConfig } from "./azure";
import { GcpFederatedConfig } from "./gcp";
import { FederatedTrustConfig } from "./trust";

export const FederatedOriginConfig = z
  .strictObject({
    name: originName,
    method: z.literal("federated"),
    cloud: z.enum(["aws", "gcp", "azure", "other"]).describe("`other`: an origin not behind cloud IAM (Kubernetes, on-premises) that verifies the token itself with gatelock/origin."),
    url: httpsOrLoopbackUrl.optional().describe("The origin's base URL, as the gateway forwards to it."),
    federated: FederatedTrustConfig,
    aws: AwsFederatedConfig.optional(),
    gcp: GcpFederatedConfig.optional(),
    azure: AzureFederatedConfig.optional(),
  })
  .describe("An origin whose cloud trusts the gateway's own tokens: no long-lived secret anywhere.");
