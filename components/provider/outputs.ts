/**
 * The shapes the package's schema gives what components output, where the TypeScript shapes
 * are beyond Pulumi's schema analyzer (read-only arrays, string-literal unions, resources).
 */
import * as pulumi from "@pulumi/pulumi";
import type { GatewayVariable as PairedVariable, VariableSummary as TsVariableSummary } from "../gateway/environment";
import type { Finding as ModelFinding } from "../model/safety";

/**
 * One variable for the gateway's environment: an origin component outputs its variables in
 * `gatewayVariables`, and `ZuploEnvironment` takes them in `variables`.
 */
export interface GatewayVariable {
  /** Name of the variable in the gateway's environment, e.g. `ORDERS_SHARED_SECRET`. */
  readonly name: string;
  /** Whether the gateway stores it as a secret (a shared secret is; role ARNs and URLs are not). */
  readonly isSecret: boolean;
  /** The origin it belongs to. */
  readonly origin: string;
  /** What it carries, in plain words. */
  readonly description: string;
  /** Its value: a Pulumi secret when `isSecret`. It depends on the resources the gateway needs before using it. */
  readonly value: pulumi.Input<string>;
}

/** What a reviewer should know about a component's args (a warning, named by arg). */
export interface Finding {
  /** `warning` or `error`. */
  readonly severity: string;
  /** Stable code to match on, e.g. `WARN_GENERIC_AUDIENCE`. */
  readonly code: string;
  /** The component and arg it is about, e.g. `orders: readers[0]`. */
  readonly path: string;
  /** What gatelock found. */
  readonly message: string;
  /** How to fix it, when there is a fix. */
  readonly fix?: string;
}

/** A variable `ZuploEnvironment` wrote, and where; never its value. */
export interface VariableSummary {
  /** Name of the variable. */
  readonly name: string;
  /** Whether it is a secret. */
  readonly isSecret: boolean;
  /** The origin it belongs to. */
  readonly origin: string;
  /** What it carries. */
  readonly description: string;
  /** Where it was written: `zuplo-developer-api`, `dotenv:<path>`. */
  readonly sinks: string[];
}

/** The settings an origin's `createTokenVerifier` (from `gatelock/origin`) takes: exactly the trust gatelock pinned. */
export interface OtherVerifierSettings {
  /** Issuer (`iss`) of the gateway's tokens. */
  readonly issuer: string;
  /** Where the issuer's signing keys are. */
  readonly jwksUri: string;
  /** The audience (`aud`) the tokens must carry. */
  readonly audience: string;
  /** The subjects (`sub`) accepted. */
  readonly subjects: string[];
  /** Claims every token must carry, with their exact values. */
  readonly claims: { readonly [claim: string]: string };
}

/**
 * An origin's gateway variables as the package outputs them. The resources a variable waits for
 * (`dependsOn`, which cannot cross into another language) become dependencies of its value, so
 * a `ZuploEnvironment` built from it in any language still waits for them.
 */
export function packageVariables(variables: readonly PairedVariable[]): GatewayVariable[] {
  return variables.map((v) => ({
    name: v.name,
    isSecret: v.isSecret,
    origin: v.origin,
    description: v.description,
    value: valueAfter(v.value, v.dependsOn ?? [], v.isSecret),
  }));
}

function valueAfter(value: pulumi.Input<string>, ready: readonly pulumi.Resource[], secret: boolean): pulumi.Output<string> {
  const out = ready.length === 0 ? pulumi.output(value) : pulumi.all([value, ...ready.map((r) => r.urn)]).apply(([v]) => v);
  return secret ? pulumi.secret(out) : out;
}

export function packageFindings(findings: readonly ModelFinding[]): Finding[] {
  return findings.map((f) => ({ severity: f.severity, code: f.code, path: f.path, message: f.message, ...(f.fix !== undefined ? { fix: f.fix } : {}) }));
}

export function packageSummaries(variables: readonly TsVariableSummary[]): VariableSummary[] {
  return variables.map((v) => ({ name: v.name, isSecret: v.isSecret, origin: v.origin, description: v.description, sinks: [...v.sinks] }));
}
