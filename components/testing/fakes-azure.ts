/**
 * Faithful fakes of azure resources used by federated identity (and later methods), keyed by
 * Pulumi type token. Shared-secret fakes live in fakes.ts.
 *
 * Outputs have the real formats (ARM IDs, GUIDs, the tenant of the subscription), an
 * unchanged identity keeps its client and principal IDs across runs, and federated identity
 * credentials are refused the way Entra refuses them: an invalid name, not exactly one
 * audience, a wildcard, an issuer or subject over 600 characters, a repeated issuer and
 * subject, or a 21st credential on one identity.
 */
import { randomUUID } from "node:crypto";
import type { Fake } from "./fake-kit";
import { alnum, reveal, str } from "./fake-kit";

const IDENTITY_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";
const MANAGED_IDENTITY_API = "2023-01-31";

/** Credentials registered per identity in one run, keyed by the run's options object. */
const credentialsByRun = new WeakMap<object, Map<string, Set<string>>>();

/**
 * What Azure would have refused in this process, as `<type> <name>: <status> <message>`.
 * Like `UNFAKED`, tests insist it stays empty. (Throwing from a mock would surface as an
 * unhandled rejection inside Pulumi's runtime instead of a failed run.)
 */
export const AZURE_REJECTED: string[] = [];

function reject(type: string, name: string, status: number, message: string): void {
  AZURE_REJECTED.push(`${type} ${name}: ${status} ${message}`);
}

function identityId(subscription: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/${IDENTITY_TYPE}/${name}`;
}

export const AZURE_FAKES: Record<string, Fake> = {
  "azure-native:managedidentity:UserAssignedIdentity": ({ inputs, name }, { options, prior, invent }) => {
    // azure-native auto-names a resource without `resourceName`: logical name plus a random suffix.
    const resourceName = inputs.resourceName !== undefined ? str(inputs.resourceName) : invent(() => `${name}${alnum(8).toLowerCase()}`, `${name}<random>`);
    const resourceGroup = str(inputs.resourceGroupName);
    const id = identityId(options.azureSubscriptionId, resourceGroup, resourceName);
    // The same identity (same ID) keeps its service principal; a new one gets new GUIDs.
    const same = prior && prior.id === id;
    return {
      id,
      state: {
        ...inputs,
        name: resourceName,
        type: IDENTITY_TYPE,
        location: inputs.location ?? "westeurope",
        tenantId: options.azureTenantId,
        clientId: same ? prior.state.clientId : invent(randomUUID, `<client ID of ${resourceName}>`),
        principalId: same ? prior.state.principalId : invent(randomUUID, `<principal ID of ${resourceName}>`),
        azureApiVersion: MANAGED_IDENTITY_API,
      },
    };
  },

  "azure-native:managedidentity:FederatedIdentityCredential": ({ inputs, name, type }, { options, invent }) => {
    const i = reveal(inputs) as Record<string, unknown>;
    const identity = String(i.resourceName);
    const resourceGroup = String(i.resourceGroupName);
    const credential = i.federatedIdentityCredentialResourceName !== undefined ? String(i.federatedIdentityCredentialResourceName) : invent(() => `${name}${alnum(8).toLowerCase()}`, `${name}<random>`);
    const issuer = String(i.issuer);
    const subject = String(i.subject);
    const audiences = (i.audiences ?? []) as unknown[];
    const refuse = (status: number, message: string) => reject(type, name, status, message);
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/.test(credential)) refuse(400, `Federated Identity Credential name '${credential}' is invalid.`);
    if (audiences.length !== 1) refuse(400, "Federated identity credentials must have exactly one audience.");
    if ([issuer, subject, String(audiences[0])].some((v) => /[*?]/.test(v))) refuse(400, "Wildcard characters aren't supported in federated identity credential properties.");
    if (issuer.length > 600 || subject.length > 600) refuse(400, "Issuer and subject are limited to 600 characters.");

    let run = credentialsByRun.get(options);
    if (!run) credentialsByRun.set(options, (run = new Map()));
    const key = identityId(options.azureSubscriptionId, resourceGroup, identity).toLowerCase();
    const pairs = run.get(key) ?? new Set<string>();
    if (pairs.has(`${issuer}\n${subject}`)) refuse(400, "Issuer and subject combination already exists for this Managed Identity.");
    if (pairs.size >= 20) refuse(400, "The maximum number of federated identity credentials (20) for this identity has been reached.");
    pairs.add(`${issuer}\n${subject}`);
    run.set(key, pairs);

    return {
      id: `${identityId(options.azureSubscriptionId, resourceGroup, identity)}/federatedIdentityCredentials/${credential}`,
      state: {
        ...inputs,
        name: credential,
        type: `${IDENTITY_TYPE}/federatedIdentityCredentials`,
        azureApiVersion: MANAGED_IDENTITY_API,
      },
    };
  },
};
