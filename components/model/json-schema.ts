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
    $id: "gatelock-stack.schema.json",
    title: "gatelock stack file (stacks/Pulumi.<env>.yaml)",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: {
          "gatelock:gateway": embedded(z.toJSONSchema(GatewayConfig, io)),
          "gatelock:origins": embedded(z.toJSONSchema(z.array(OriginConfig), io)),
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

/** A subschema must not carry its own `$schema` (only a schema resource's root may). */
function embedded(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _drop, ...rest } = schema;
  return rest;
}
