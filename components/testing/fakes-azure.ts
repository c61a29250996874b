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
import { randomBytes, randomUUID } from "node:crypto";
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


// --- Container Apps (the tunnel connector) ------------------------------------------------

const CONTAINER_APP_API = "2025-02-02-preview";
/** Container App names: 2-32 lower-case letters, digits and single dashes, a letter first. */
const CONTAINER_APP_NAME = /^(?!.*--)[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
/** Container Apps secret names. */
const CONTAINER_APP_SECRET = /^[a-z0-9](?:[a-z0-9-]{0,251}[a-z0-9])?$/;
const ENVIRONMENT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.App\/managedEnvironments\/[^/]+$/i;
const KEY_VAULT_SECRET_URL = /^https:\/\/[a-z0-9-]+\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)\/secrets\/[A-Za-z0-9-]+(?:\/[0-9a-f]{32})?\/?$/i;

interface ContainerAppInput {
  containerAppName?: string;
  resourceGroupName?: string;
  environmentId?: string;
  managedEnvironmentId?: string;
  identity?: { type?: string; userAssignedIdentities?: string[] };
  configuration?: {
    ingress?: { external?: boolean; targetPort?: number };
    activeRevisionsMode?: string;
    secrets?: Array<{ name?: string; value?: string; keyVaultUrl?: string; identity?: string }>;
  };
  template?: {
    revisionSuffix?: string;
    containers?: Array<{ name?: string; image?: string; env?: Array<{ name?: string; value?: string; secretRef?: string }> }>;
    scale?: { minReplicas?: number; maxReplicas?: number };
  };
}

/** Why Azure would refuse this Container App, or undefined. */
function containerAppProblem(a: ContainerAppInput, name: string): string | undefined {
  if (!CONTAINER_APP_NAME.test(name)) return `ContainerAppInvalidName: '${name}' must be 2-32 lower-case letters, digits and single '-', start with a letter and end with a letter or digit.`;
  const env = a.environmentId ?? a.managedEnvironmentId;
  if (!env || !ENVIRONMENT_ID.test(env)) return `InvalidParameter: environmentId must be the resource ID of a Microsoft.App/managedEnvironments, got ${JSON.stringify(env)}.`;
  const identities = new Set((a.identity?.userAssignedIdentities ?? []).map((x) => x.toLowerCase()));
  const type = a.identity?.type ?? "None";
  const system = /SystemAssigned/i.test(type);
  if (/UserAssigned/i.test(type) !== identities.size > 0) return "InvalidIdentity: userAssignedIdentities are given exactly when the identity type includes UserAssigned.";
  const secrets = new Set<string>();
  for (const s of a.configuration?.secrets ?? []) {
    if (!s.name || !CONTAINER_APP_SECRET.test(s.name)) return `ContainerAppSecretInvalid: secret name ${JSON.stringify(s.name)} must be lower-case alphanumeric characters or '-'.`;
    if (secrets.has(s.name)) return `ContainerAppSecretInvalid: duplicate secret ${s.name}.`;
    secrets.add(s.name);
    if ((s.value !== undefined) === (s.keyVaultUrl !== undefined)) return `ContainerAppSecretInvalid: secret ${s.name} needs exactly one of value and keyVaultUrl.`;
    if (s.keyVaultUrl !== undefined) {
      if (!KEY_VAULT_SECRET_URL.test(s.keyVaultUrl)) return `ContainerAppSecretInvalid: secret ${s.name}: keyVaultUrl must be a Key Vault secret URL, got ${JSON.stringify(s.keyVaultUrl)}.`;
      const id = s.identity ?? "";
      if (id.toLowerCase() === "system" ? !system : !identities.has(id.toLowerCase())) return `ContainerAppSecretInvalid: secret ${s.name}: identity ${JSON.stringify(id)} is not assigned to the app.`;
    }
  }
  const containers = a.template?.containers ?? [];
  if (containers.length === 0) return "ContainerAppInvalidTemplate: at least one container is required.";
  for (const c of containers) {
    if (!c.name || !c.image) return "ContainerAppInvalidTemplate: every container needs a name and an image.";
    const seen = new Set<string>();
    for (const e of c.env ?? []) {
      if (!e.name) return `ContainerAppInvalidEnvVar: container ${c.name}: an environment variable without a name.`;
      if (seen.has(e.name)) return `ContainerAppInvalidEnvVar: container ${c.name}: duplicate variable ${e.name}.`;
      seen.add(e.name);
      if (e.value !== undefined && e.secretRef !== undefined) return `ContainerAppInvalidEnvVar: ${e.name} takes a value or a secretRef, not both.`;
      if (e.secretRef !== undefined && !secrets.has(e.secretRef)) return `ContainerAppSecretRefNotFound: secretRef '${e.secretRef}' of ${e.name} names no secret of the app.`;
    }
  }
  const min = a.template?.scale?.minReplicas ?? 0;
  const max = a.template?.scale?.maxReplicas ?? 10;
  if (!Number.isInteger(min) || min < 0 || !Number.isInteger(max) || max < 1 || max > 1000 || min > max) return `ContainerAppInvalidScale: minReplicas ${min} and maxReplicas ${max} must satisfy 0 <= min <= max, 1 <= max <= 1000.`;
  return undefined;
}

/** The revision-scoped part of an app: what makes a new revision when it changes. */
function revisionScope(a: ContainerAppInput): string {
  return JSON.stringify(canonicalJson(a.template ?? {}));
}

function canonicalJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonicalJson);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonicalJson((v as Record<string, unknown>)[k])]));
  return v;
}

const CONTAINER_APP_FAKES: Record<string, Fake> = {
  /**
   * Secrets are app-scoped: changing one makes no revision (running replicas keep what they
   * read at start); a template change makes a new one, `<app>--<suffix>`. Without ingress the
   * app has no FQDN; with no `minReplicas` it scales to zero. Secret values are never returned.
   */
  "azure-native:app:ContainerApp": ({ inputs, name: logical, type }, { options, prior, invent }) => {
    const a = reveal(inputs) as ContainerAppInput;
    const name = a.containerAppName ?? invent(() => `${logical}${alnum(8).toLowerCase()}`.slice(0, 32), `${logical}<random>`);
    const problem = containerAppProblem(a, name);
    if (problem) throw new Error(`${type} ${logical}: 400 ${problem}`);
    const resourceGroup = str(inputs.resourceGroupName);
    const id = `/subscriptions/${options.azureSubscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.App/containerApps/${name}`;
    const same = prior !== undefined && prior.id === id;
    const priorInputs = same ? (reveal(prior!.inputs) as ContainerAppInput) : undefined;
    const newRevision = !priorInputs || revisionScope(priorInputs) !== revisionScope(a);
    let revision = same ? String(prior!.state.latestRevisionName) : "";
    if (newRevision) {
      const suffix = a.template?.revisionSuffix ?? invent(() => alnum(7).toLowerCase(), "<revision suffix>");
      if (same && `${name}--${suffix}` === revision) throw new Error(`${type} ${logical}: 400 ContainerAppRevisionAlreadyExists: revision ${revision} exists; a new template needs a new revisionSuffix.`);
      revision = `${name}--${suffix}`;
    }
    const secrets = (a.configuration?.secrets ?? []).map(({ value: _value, ...visible }) => visible);
    const ingress = a.configuration?.ingress;
    const domain = same ? String(prior!.state.defaultDomain ?? "") : `${invent(() => `${alnum(12).toLowerCase()}`, "<environment domain>")}.westeurope.azurecontainerapps.io`;
    return {
      id,
      state: {
        ...inputs,
        name,
        type: "Microsoft.App/containerApps",
        location: inputs.location ?? "westeurope",
        provisioningState: "Succeeded",
        runningStatus: "Running",
        environmentId: a.environmentId ?? a.managedEnvironmentId,
        configuration: { ...a.configuration, activeRevisionsMode: a.configuration?.activeRevisionsMode ?? "Single", secrets },
        template: { ...a.template, scale: { minReplicas: a.template?.scale?.minReplicas ?? 0, maxReplicas: a.template?.scale?.maxReplicas ?? 10 } },
        latestRevisionName: revision,
        latestReadyRevisionName: revision,
        latestRevisionFqdn: ingress ? `${revision}.${domain}` : "",
        defaultDomain: domain,
        outboundIpAddresses: same ? prior!.state.outboundIpAddresses : [invent(() => `20.${1 + (randomBytes(1)[0]! % 250)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`, "<outbound IP>")],
        ...(a.identity ? { identity: { type: a.identity.type, userAssignedIdentities: Object.fromEntries((a.identity.userAssignedIdentities ?? []).map((i) => [i, {}])) } } : {}),
        azureApiVersion: CONTAINER_APP_API,
      },
    };
  },
};

export const AZURE_FAKES: Record<string, Fake> = {
  ...CONTAINER_APP_FAKES,
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
