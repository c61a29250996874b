/**
 * JSON Schema for `stacks/Pulumi.<env>.yaml`, generated from the same zod schema that
 * validates config at run time, so editors and gatelock never disagree.
 */
import { z } from "zod";
import { GatewayConfig, OriginConfig } from "./config";

export function stackJsonSchema(): Record<string, unknown> {
  const io = { io: "input" as const, unrepresentable: "any" as const };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/gatelock/gatelock/schema/gatelock-stack.schema.json",
    title: "gatelock stack file (stacks/Pulumi.<env>.yaml)",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: {
          "gatelock:gateway": z.toJSONSchema(GatewayConfig, io),
          "gatelock:origins": z.toJSONSchema(z.array(OriginConfig), io),
          "gatelock:zuploApiKey": {
            description: "Zuplo Developer API key; set with `pulumi config set --secret gatelock:zuploApiKey`.",
            type: "object",
            properties: { secure: { type: "string" } },
            required: ["secure"],
          },
        },
        required: ["gatelock:gateway", "gatelock:origins"],
        additionalProperties: true,
      },
    },
    required: ["config"],
    additionalProperties: true,
  };
}
