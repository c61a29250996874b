/**
 * Faithful fakes of gcp resources used by federated identity (and later methods), keyed by
 * Pulumi type token. Shared-secret fakes live in fakes.ts.
 *
 * Outputs have the formats the Google provider returns: resource names carry the project
 * *number* (`projects/418203751982/locations/global/workloadIdentityPools/<id>`), IDs carry
 * the project ID as Terraform does, service accounts get `<id>@<project>.iam.gserviceaccount.com`
 * and `serviceAccount:<email>`. Inputs the API would reject (bad IDs, a reserved `gcp-`
 * prefix, a mapping without `google.subject`, over-long conditions) fail the resource, as
 * `pulumi up` would.
 */
import { randomBytes } from "node:crypto";
import { alnum, digits, type Fake, type FakeContext, reveal, str } from "./fake-kit";

const POOL_OR_PROVIDER_ID = /^(?!gcp-)[a-z0-9-]{4,32}$/;
const SERVICE_ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;
const ATTRIBUTE_KEY = /^(google\.subject|google\.groups|attribute\.[a-z0-9_]{1,100})$/;

function reject(type: string, message: string): never {
  throw new Error(`${type}: ${message} (Error 400: the API would reject this request)`);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
function sameInputs(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(reveal(a))) === JSON.stringify(canonical(reveal(b)));
}

function etag(invent: FakeContext["invent"]): string {
  return invent(() => `BwX${alnum(9)}=`, "<etag>");
}

export const GCP_FAKES: Record<string, Fake> = {
  /** terraform-provider-random `random_id`: `byteLength` random bytes; `id` is b64url; kept while the inputs stay the same. */
  "random:index/randomId:RandomId": ({ inputs }, { prior, invent, mark }) => {
    if (prior && sameInputs(prior.inputs, inputs)) return { id: prior.id, state: prior.state };
    const prefix = typeof inputs.prefix === "string" ? inputs.prefix : "";
    // Every rendering of the bytes is invented; the placeholder keeps the known prefix.
    let bytes!: Buffer;
    const hex = invent(() => prefix + (bytes = randomBytes(Number(inputs.byteLength))).toString("hex"), `${prefix}<random>`);
    const rendering = (s: string) => mark(s, `${prefix}<random>`);
    const b64Url = rendering(prefix + bytes.toString("base64url"));
    return {
      id: b64Url,
      state: {
        ...inputs,
        b64Url,
        b64Std: rendering(prefix + bytes.toString("base64")),
        hex,
        dec: rendering(prefix + BigInt(`0x${bytes.toString("hex") || "0"}`).toString(10)),
      },
    };
  },

  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": ({ type, inputs }, { gcpProjectNumber }) => {
    const id = str(inputs.workloadIdentityPoolId);
    if (!POOL_OR_PROVIDER_ID.test(id)) reject(type, `invalid workloadIdentityPoolId ${JSON.stringify(id)}: 4-32 of [a-z0-9-], not starting with gcp-`);
    if (inputs.displayName !== undefined && str(inputs.displayName).length > 32) reject(type, "displayName exceeds 32 characters");
    const project = str(inputs.project);
    return {
      id: `projects/${project}/locations/global/workloadIdentityPools/${id}`,
      state: {
        ...inputs,
        name: `projects/${gcpProjectNumber(project)}/locations/global/workloadIdentityPools/${id}`,
        state: "ACTIVE",
        mode: "FEDERATION_ONLY",
        disabled: inputs.disabled ?? false,
        deletionPolicy: inputs.deletionPolicy ?? "DELETE",
      },
    };
  },

  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": ({ type, inputs }, { gcpProjectNumber }) => {
    const pool = str(inputs.workloadIdentityPoolId);
    const id = str(inputs.workloadIdentityPoolProviderId);
    if (!POOL_OR_PROVIDER_ID.test(pool)) reject(type, `invalid workloadIdentityPoolId ${JSON.stringify(pool)}`);
    if (!POOL_OR_PROVIDER_ID.test(id)) reject(type, `invalid workloadIdentityPoolProviderId ${JSON.stringify(id)}`);
    const oidc = reveal(inputs.oidc) as { issuerUri?: string; allowedAudiences?: string[] } | undefined;
    if (!oidc?.issuerUri || !/^https:\/\//.test(oidc.issuerUri)) reject(type, "oidc.issuerUri must be an https URL");
    if ((oidc.allowedAudiences ?? []).length > 10) reject(type, "at most 10 allowedAudiences");
    const mapping = (reveal(inputs.attributeMapping) ?? {}) as Record<string, string>;
    if (!("google.subject" in mapping)) reject(type, "an OIDC provider's attribute mapping must map google.subject");
    for (const [k, v] of Object.entries(mapping)) {
      if (!ATTRIBUTE_KEY.test(k)) reject(type, `invalid attribute mapping key ${JSON.stringify(k)}`);
      if (v.length > 2048) reject(type, `mapping for ${k} exceeds 2048 characters`);
    }
    if (Object.keys(mapping).filter((k) => k.startsWith("attribute.")).length > 50) reject(type, "more than 50 custom attributes");
    if (inputs.attributeCondition !== undefined && str(inputs.attributeCondition).length > 4096) reject(type, "attributeCondition exceeds 4096 characters");
    const project = str(inputs.project);
    return {
      id: `projects/${project}/locations/global/workloadIdentityPools/${pool}/providers/${id}`,
      state: {
        ...inputs,
        name: `projects/${gcpProjectNumber(project)}/locations/global/workloadIdentityPools/${pool}/providers/${id}`,
        state: "ACTIVE",
        disabled: inputs.disabled ?? false,
        deletionPolicy: inputs.deletionPolicy ?? "DELETE",
        oidc: { ...oidc, allowedAudiences: oidc.allowedAudiences ?? [] },
      },
    };
  },

  "gcp:serviceaccount/account:Account": ({ type, inputs }, { prior, invent }) => {
    const accountId = str(inputs.accountId);
    if (!SERVICE_ACCOUNT_ID.test(accountId)) reject(type, `invalid accountId ${JSON.stringify(accountId)}: 6-30 characters, [a-z][-a-z0-9]*[a-z0-9]`);
    const project = str(inputs.project);
    const email = `${accountId}@${project}.iam.gserviceaccount.com`;
    const name = `projects/${project}/serviceAccounts/${email}`;
    return {
      id: name,
      state: {
        ...inputs,
        email,
        name,
        member: `serviceAccount:${email}`,
        uniqueId: (prior?.state.uniqueId as string) ?? invent(() => digits(21), `<unique ID of ${email}>`),
        disabled: false,
        deletionPolicy: "DELETE",
      },
    };
  },

  /** Terraform IAM member IDs are `<resource>/<role>/<member>`. */
  "gcp:serviceaccount/iAMMember:IAMMember": ({ type, inputs }, { invent }) => {
    const sa = str(inputs.serviceAccountId);
    if (!/^projects\/[^/]+\/serviceAccounts\/[^/]+$/.test(sa)) reject(type, `serviceAccountId must be projects/{project}/serviceAccounts/{email}, got ${JSON.stringify(sa)}`);
    return { id: `${sa}/${str(inputs.role)}/${str(inputs.member)}`, state: { ...inputs, etag: etag(invent) } };
  },

  /** IAP's IAM on a Cloud Run service: `projects/{p}/iap_web/cloud_run-{location}/services/{service}/{role}/{member}`. */
  "gcp:iap/webCloudRunServiceIamMember:WebCloudRunServiceIamMember": ({ type, inputs }, { invent }) => {
    if (inputs.cloudRunServiceName === undefined || inputs.location === undefined) reject(type, "cloudRunServiceName and location are required to find the service");
    if (!/^roles\/iap\./.test(str(inputs.role)) && !/\/roles\//.test(str(inputs.role))) reject(type, `role ${str(inputs.role)} is not supported for this resource`);
    const resource = `projects/${str(inputs.project)}/iap_web/cloud_run-${str(inputs.location)}/services/${str(inputs.cloudRunServiceName)}`;
    return { id: `${resource}/${str(inputs.role)}/${str(inputs.member)}`, state: { ...inputs, etag: etag(invent) } };
  },

  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": ({ type, inputs }, { invent }) => {
    const resource = `projects/${str(inputs.project)}/locations/${str(inputs.location)}/services/${str(inputs.name)}`;
    if (inputs.name === undefined || inputs.location === undefined) reject(type, "name and location are required to find the service");
    return { id: `${resource}/${str(inputs.role)}/${str(inputs.member)}`, state: { ...inputs, etag: etag(invent) } };
  },
};
