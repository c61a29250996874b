/**
 * Faithful fakes of aws resources used by federated identity (and later methods), keyed by
 * Pulumi type token. Shared-secret fakes live in fakes.ts.
 *
 * Outputs have the real formats (IAM ARNs, role unique IDs, Lambda statement IDs), and the
 * fakes refuse what AWS refuses: a second OIDC provider for the same URL in an account
 * (`EntityAlreadyExists`), more than 100 client IDs or one over 255 characters, a role name
 * used twice, a maximum session duration outside 3600-43200, a malformed or oversized policy
 * document, and a Lambda permission whose statement ID is taken or whose URL condition does
 * not fit its action.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Fake, FakeContext } from "./fake-kit";
import { reveal, str } from "./fake-kit";

/** What exists in the (fake) account during one run, keyed by the run's options object. */
const accounts = new WeakMap<object, { providers: Set<string>; roles: Set<string>; statements: Set<string> }>();

function account(options: object) {
  let a = accounts.get(options);
  if (!a) accounts.set(options, (a = { providers: new Set(), roles: new Set(), statements: new Set() }));
  return a;
}

/** The error the AWS provider surfaces, e.g. `EntityAlreadyExists: …`. */
class AwsApiError extends Error {
  constructor(code: string, message: string) {
    super(`aws: ${code}: ${message}`);
  }
}

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
function uniqueId(prefix: string): string {
  return prefix + Array.from({ length: 17 }, () => UPPER_ALNUM[randomInt(UPPER_ALNUM.length)]).join("");
}

/** Terraform's `id.PrefixedUniqueId`: prefix + a 26-digit timestamp-and-counter suffix. */
let counter = 0;
function prefixedUniqueId(prefix: string, ctx: Pick<FakeContext, "options" | "invent">): string {
  const t = ctx.options.now().toISOString().replace(/\D/g, "").slice(0, 17);
  return `${prefix}${ctx.invent(() => `${t}${String(++counter).padStart(9, "0")}`, "<unique ID>")}`;
}

function policyDocument(value: unknown, what: string, maxChars: number): void {
  const text = str(value);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AwsApiError("MalformedPolicyDocument", `${what} is not valid JSON`);
  }
  const d = doc as { Version?: string; Statement?: unknown };
  if (d.Version !== "2012-10-17" || !Array.isArray(d.Statement) || d.Statement.length === 0) {
    throw new AwsApiError("MalformedPolicyDocument", `${what} needs Version 2012-10-17 and at least one statement`);
  }
  const size = text.replace(/\s/g, "").length;
  if (size > maxChars) throw new AwsApiError("LimitExceeded", `${what} is ${size} characters; the limit is ${maxChars}`);
}

export const AWS_FAKES: Record<string, Fake> = {
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ({ inputs }, { options, prior, invent }) => {
    const url = str(inputs.url);
    if (!/^https:\/\/[^/?#]+/.test(url)) throw new AwsApiError("ValidationError", "url must begin with https://");
    const hostPath = url.replace(/^https:\/\//, "").replace(/\/+$/, "");
    const clientIds = (reveal(inputs.clientIdLists) ?? []) as string[];
    if (clientIds.length < 1 || clientIds.length > 100) throw new AwsApiError("LimitExceeded", "an OIDC provider takes 1 to 100 client IDs");
    if (clientIds.some((c) => c.length < 1 || c.length > 255)) throw new AwsApiError("ValidationError", "client IDs are 1 to 255 characters");
    const arn = `arn:aws:iam::${options.awsAccountId}:oidc-provider/${hostPath}`;
    const acct = account(options);
    if (acct.providers.has(arn)) throw new AwsApiError("EntityAlreadyExists", `Provider with url ${url} already exists.`);
    acct.providers.add(arn);
    // Without thumbprints, IAM fetches the top intermediate CA's thumbprint itself.
    const thumbprintLists = inputs.thumbprintLists ?? (prior?.state.thumbprintLists as string[] | undefined) ?? [invent(() => randomBytes(20).toString("hex"), "<thumbprint>")];
    return { id: arn, state: { ...inputs, arn, thumbprintLists, tagsAll: inputs.tags ?? {} } };
  },

  "aws:iam/role:Role": ({ inputs, name: logical }, { options, prior, invent, mark }) => {
    // Pulumi auto-names a role without `name`: logical name plus a random suffix.
    const name = inputs.name !== undefined ? str(inputs.name) : `${logical}-${invent(() => randomBytes(4).toString("hex").slice(0, 7), "<random>")}`;
    if (!/^[\w+=,.@-]{1,64}$/.test(name)) throw new AwsApiError("ValidationError", "role name must be 1-64 characters of [\\w+=,.@-]");
    const path = inputs.path !== undefined ? str(inputs.path) : "/";
    const maxSessionDuration = inputs.maxSessionDuration !== undefined ? Number(reveal(inputs.maxSessionDuration)) : 3600;
    if (maxSessionDuration < 3600 || maxSessionDuration > 43200) throw new AwsApiError("ValidationError", "MaxSessionDuration must be between 3600 and 43200");
    // The default quota for a role trust policy is 2,048 characters.
    policyDocument(inputs.assumeRolePolicy, "assumeRolePolicy", 2048);
    const acct = account(options);
    if (acct.roles.has(name)) throw new AwsApiError("EntityAlreadyExists", `Role with name ${name} already exists.`);
    acct.roles.add(name);
    const arn = `arn:aws:iam::${options.awsAccountId}:role${path}${name}`;
    const same = prior && prior.id === name;
    return {
      id: name,
      state: {
        ...inputs,
        name,
        path,
        arn,
        maxSessionDuration,
        uniqueId: same ? prior.state.uniqueId : invent(() => uniqueId("AROA"), `<unique ID of role ${name}>`),
        createDate: same ? prior.state.createDate : mark(options.now().toISOString(), "<deploy time>"),
        tagsAll: inputs.tags ?? {},
      },
    };
  },

  "aws:iam/rolePolicy:RolePolicy": ({ inputs }) => {
    policyDocument(inputs.policy, "policy", 10240);
    const role = str(inputs.role);
    const name = str(inputs.name);
    return { id: `${role}:${name}`, state: { ...inputs, role, name } };
  },

  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ({ inputs }, ctx) => {
    const policyArn = str(inputs.policyArn);
    if (!/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\//.test(policyArn)) throw new AwsApiError("InvalidInput", `ARN ${policyArn} is not valid.`);
    return { id: prefixedUniqueId(`${str(inputs.role)}-`, ctx), state: { ...inputs } };
  },

  "aws:lambda/permission:Permission": ({ inputs }, ctx) => {
    const { options } = ctx;
    const action = str(inputs.action);
    if (!/^(lambda:[A-Za-z*]+|\*)$/.test(action)) throw new AwsApiError("ValidationException", `invalid action ${action}`);
    if (inputs.functionUrlAuthType !== undefined && action !== "lambda:InvokeFunctionUrl") {
      throw new AwsApiError("InvalidParameterValueException", "FunctionUrlAuthType applies only to lambda:InvokeFunctionUrl");
    }
    if (inputs.invokedViaFunctionUrl !== undefined && action !== "lambda:InvokeFunction") {
      throw new AwsApiError("InvalidParameterValueException", "InvokedViaFunctionUrl applies only to lambda:InvokeFunction");
    }
    if (inputs.functionUrlAuthType !== undefined && !["AWS_IAM", "NONE"].includes(str(inputs.functionUrlAuthType))) {
      throw new AwsApiError("ValidationException", "FunctionUrlAuthType must be AWS_IAM or NONE");
    }
    const statementId = inputs.statementId !== undefined ? str(inputs.statementId) : prefixedUniqueId("terraform-", ctx);
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(statementId)) throw new AwsApiError("ValidationException", "statement ID must be 1-100 characters of [A-Za-z0-9-_.]");
    const fn = str(inputs.function);
    const region = inputs.region !== undefined ? str(inputs.region) : options.awsRegion;
    const key = `${region}/${fn}:${inputs.qualifier !== undefined ? str(inputs.qualifier) : ""}/${statementId}`;
    const acct = account(options);
    if (acct.statements.has(key)) throw new AwsApiError("ResourceConflictException", `The statement id (${statementId}) provided already exists.`);
    acct.statements.add(key);
    return { id: statementId, state: { ...inputs, statementId, region } };
  },
};
