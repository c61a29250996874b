/**
 * What the gateway needs for a federated origin on AWS (pure): the variable names (values
 * come from the translator) and the Zuplo configuration to add.
 *
 * Zuplo's Upstream AWS Federated Auth policy (runtime 7.6.4, beta) gets the gateway's own ID
 * token for `audience`, exchanges it with STS `AssumeRoleWithWebIdentity` for the role, and
 * registers the credentials for `AwsLambdaHandler` and `AwsClient.fromContext(context)`. It
 * does not sign requests to other upstreams itself, and `urlForwardHandler` sends them
 * unsigned, which `AWS_IAM` authorization refuses: so a route that forwards to the origin
 * gets gatelock's own handler module instead (`AWS_FORWARD_HANDLER_MODULE`), which signs
 * with those credentials.
 *
 * Caveat: the `policyType` and export name follow Zuplo's naming pattern and the runtime's
 * class name (`UpstreamAwsFederatedAuthInboundPolicy`); Zuplo's docs page for this policy was
 * not fully retrieved, so check them against it (docs/federated/aws.md).
 */
import type { FederatedOrigin } from "../../model/model";
import { type KeyedVariables, originUrlVariable, urlVariableSpec } from "../variable-spec";
import type { OriginGatewayConfig } from "../zuplo-policies";

export const AWS_FEDERATED_POLICY_TYPE = "upstream-aws-federated-auth-inbound";
export const AWS_FEDERATED_POLICY_EXPORT = "UpstreamAwsFederatedAuthInboundPolicy";

function prefix(originName: string): string {
  return originName.toUpperCase().replace(/-/g, "_");
}

export function awsRoleArnVariable(originName: string): string {
  return `${prefix(originName)}_AWS_ROLE_ARN`;
}

export function awsRegionVariable(originName: string): string {
  return `${prefix(originName)}_AWS_REGION`;
}

export function awsFederatedPolicyName(originName: string): string {
  return `gatelock-${originName}-aws-federated`;
}

/** Neither value is a secret: the role trusts tokens, not whoever knows its ARN. */
export function awsFederatedVariables(origin: FederatedOrigin): KeyedVariables<"roleArn" | "region"> {
  return {
    roleArn: { name: awsRoleArnVariable(origin.name), isSecret: false, origin: origin.name, description: `IAM role the gateway assumes with its ID token to call ${origin.name}` },
    region: { name: awsRegionVariable(origin.name), isSecret: false, origin: origin.name, description: `AWS region of ${origin.name} (and of the STS endpoint)` },
    ...urlVariableSpec(origin),
  };
}

export function awsFederatedGatewayConfig(origin: FederatedOrigin): OriginGatewayConfig {
  if (origin.target.cloud !== "aws") throw new TypeError(`awsFederatedGatewayConfig needs an origin on aws, got ${origin.target.cloud}`);
  const name = awsFederatedPolicyName(origin.name);
  return {
    origin: origin.name,
    policies: [
      {
        name,
        policyType: AWS_FEDERATED_POLICY_TYPE,
        handler: {
          export: AWS_FEDERATED_POLICY_EXPORT,
          module: "$import(@zuplo/runtime)",
          options: {
            roleArn: `$env(${awsRoleArnVariable(origin.name)})`,
            region: `$env(${awsRegionVariable(origin.name)})`,
            // Always explicit: the policy's default, `sts.amazonaws.com`, is every tenant's.
            audience: origin.trust.audience,
          },
        },
      },
    ],
    inbound: [name],
  };
}

/** Where the route handler module goes in the Zuplo project, and how routes.oas.json imports it. */
export const AWS_FORWARD_MODULE_PATH = "modules/gatelock-aws-forward.ts";
export const AWS_FORWARD_MODULE_IMPORT = "$import(./modules/gatelock-aws-forward)";

/** The `x-zuplo-route.handler` of a route that forwards to an AWS federated origin. */
export interface AwsForwardRouteHandler {
  readonly export: "default";
  readonly module: typeof AWS_FORWARD_MODULE_IMPORT;
  readonly options: {
    readonly baseUrl: string;
    /** The SigV4 service: what the role may invoke, so nothing else would be accepted. */
    readonly service: "execute-api" | "lambda";
    readonly region: string;
  };
}

/**
 * The route handler for an AWS federated origin whose URL is known. Both values take
 * `${env.X}`, the form urlForwardHandler's `baseUrl` takes; the module reads them from
 * `environment` itself rather than count on Zuplo's build to substitute them in a custom
 * handler's options.
 */
export function awsForwardHandler(origin: FederatedOrigin): AwsForwardRouteHandler {
  const target = origin.target;
  if (target.cloud !== "aws") throw new TypeError(`awsForwardHandler needs an origin on aws, got ${target.cloud}`);
  return {
    export: "default",
    module: AWS_FORWARD_MODULE_IMPORT,
    options: {
      baseUrl: `\${env.${originUrlVariable(origin.name)}}`,
      service: target.invoke.kind === "apiGateway" ? "execute-api" : "lambda",
      region: `\${env.${awsRegionVariable(origin.name)}}`,
    },
  };
}

/**
 * The route handler module to save as `modules/gatelock-aws-forward.ts` in the Zuplo project.
 * One module serves every AWS origin: each route's handler options name its own.
 */
export const AWS_FORWARD_HANDLER_MODULE = `// gatelock: forward the request to an AWS origin (an API Gateway API with AWS_IAM
// authorization, or a Lambda function URL with AuthType AWS_IAM), signed with SigV4.
// The route's upstream-aws-federated-auth policy only registers the role's credentials on the
// request context; urlForwardHandler would send the request unsigned, and AWS refuses that.
import { environment, HttpProblems, ZuploContext, ZuploRequest } from "@zuplo/runtime";
import { AwsClient } from "@zuplo/runtime/aws";

/** Written by gatelock into the route's \`handler.options\` in config/routes.oas.json. */
interface ForwardOptions {
  /** The origin's base URL; \`\${env.NAME}\` is read from the environment, as urlForwardHandler does. */
  baseUrl: string;
  /** \`execute-api\` (API Gateway) or \`lambda\` (Lambda function URL): the role may call nothing else. */
  service: "execute-api" | "lambda";
  /** The origin's region; \`\${env.NAME}\` is read from the environment too. */
  region: string;
}

// Hop-by-hop headers (RFC 9110, section 7.6.1) belong to the client's connection, not to the
// origin's. The client's Authorization is for the gateway; the origin gets the signature.
// Host and Content-Length are the upstream request's own.
const NOT_FORWARDED = new Set([
  "authorization",
  "connection",
  "content-length",
  "host",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const SERVICES = new Set(["execute-api", "lambda"]);
const REGION = /^[a-z]{2}(-[a-z]+)+-\\d+$/;
const ENV_REFERENCE = /\\$\\{env\\.([A-Za-z_][A-Za-z0-9_]*)\\}/g;

/** \`\${env.NAME}\` → the variable's value; a string naming the problem when one is unset. */
function expand(value: string, option: string): { value: string } | string {
  const unset: string[] = [];
  const expanded = value.replace(ENV_REFERENCE, (_match: string, name: string) => {
    const v = environment[name];
    if (!v) unset.push(name);
    return v ?? "";
  });
  return unset.length ? \`option "\${option}" names unset environment variable(s) \${unset.join(", ")}\` : { value: expanded };
}

function readOptions(raw: unknown): ForwardOptions | string {
  if (raw === null || typeof raw !== "object") return "the route handler has no options (baseUrl, service, region)";
  const o = raw as Record<string, unknown>;
  for (const key of ["baseUrl", "service", "region"]) {
    if (typeof o[key] !== "string" || o[key] === "") return \`option "\${key}" must be a non-empty string\`;
  }
  if (!SERVICES.has(o.service as string)) return \`option "service" must be "execute-api" or "lambda", got \${JSON.stringify(o.service)}\`;
  const baseUrl = expand(o.baseUrl as string, "baseUrl");
  if (typeof baseUrl === "string") return baseUrl;
  const region = expand(o.region as string, "region");
  if (typeof region === "string") return region;
  if (!REGION.test(region.value)) return \`option "region" must be an AWS region such as us-east-1, got \${JSON.stringify(region.value)}\`;
  let url: URL;
  try {
    url = new URL(baseUrl.value);
  } catch {
    return \`option "baseUrl" must be an absolute URL, got \${JSON.stringify(baseUrl.value)}\`;
  }
  // Plain HTTP would put the session token and the signature on the wire; loopback is for tests.
  const loopback = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) return \`option "baseUrl" must be an https URL, got \${url.protocol}\`;
  return { baseUrl: baseUrl.value, service: o.service as ForwardOptions["service"], region: region.value };
}

/** urlForwardHandler's join: exactly one slash between the base URL and the incoming path. */
function join(base: string, path: string): string {
  if (base.endsWith("/") && path.startsWith("/")) return base + path.slice(1);
  if (!base.endsWith("/") && !path.startsWith("/")) return \`\${base}/\${path}\`;
  return base + path;
}

function forwardedHeaders(incoming: Headers): Headers {
  const named = (incoming.get("connection") ?? "").split(",").map((h) => h.trim().toLowerCase());
  const headers = new Headers();
  incoming.forEach((value, name) => {
    // x-amz-* is the signature's namespace: no client sets the date or session token it covers.
    if (!NOT_FORWARDED.has(name) && !named.includes(name) && !name.startsWith("x-amz-")) headers.append(name, value);
  });
  return headers;
}

function reason(e: unknown): string {
  return (e instanceof Error ? \`\${e.name}: \${e.message}\` : String(e)).slice(0, 500);
}

export default async function gatelockAwsForward(request: ZuploRequest, context: ZuploContext): Promise<Response> {
  const options = readOptions(context.route.handler.options);
  if (typeof options === "string") {
    context.log.error(\`gatelock-aws-forward: \${options}\`);
    return HttpProblems.internalServerError(request, context, { detail: "This route's upstream configuration is invalid; see the gateway's logs." });
  }
  let aws: AwsClient;
  try {
    // @zuplo/runtime/aws declares its own copy of ZuploContext, whose ZuploRequest's #private
    // makes the main package's context unassignable to it; it is the same object at run time.
    aws = AwsClient.fromContext(context as unknown as Parameters<typeof AwsClient.fromContext>[0], { service: options.service, region: options.region });
  } catch (e) {
    context.log.error(\`gatelock-aws-forward: no AWS credentials on this route; add its upstream-aws-federated-auth policy to the route's inbound policies (\${reason(e)})\`);
    return HttpProblems.internalServerError(request, context, { detail: "This route's upstream configuration is invalid; see the gateway's logs." });
  }
  const incoming = new URL(request.url);
  const url = join(options.baseUrl, incoming.pathname) + incoming.search;
  // SigV4 signs a hash of the payload, so the body is read whole before it is sent.
  const body = request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer();
  let signed: Awaited<ReturnType<AwsClient["sign"]>>;
  try {
    // Only the signature's own headers are signed (host, x-amz-date, x-amz-security-token):
    // the client's go along unsigned, so a hop that adds or rewrites one cannot break it.
    signed = await aws.sign(url, { method: request.method, body });
  } catch (e) {
    // The credentials come from STS when first needed; its refusal surfaces here.
    context.log.error(\`gatelock-aws-forward: could not get AWS credentials to sign with: \${reason(e)}\`);
    return HttpProblems.badGateway(request, context, { detail: "The gateway could not get credentials for this route's upstream." });
  }
  const headers = forwardedHeaders(request.headers);
  signed.request.headers.forEach((value, name) => headers.set(name, value));
  try {
    // A redirect would carry the signature and session token to wherever it points.
    return await fetch(signed.url, { method: request.method, headers, body, redirect: "manual" });
  } catch (e) {
    context.log.error(\`gatelock-aws-forward: request to \${incoming.pathname} failed: \${reason(e)}\`);
    return HttpProblems.badGateway(request, context, { detail: "The upstream did not answer." });
  }
}
`;
