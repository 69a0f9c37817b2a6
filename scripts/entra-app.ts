/**
 * `npm run entra:app`: prints the Microsoft Graph PowerShell script that creates or updates this
 * server's Entra app registration, and writes it with the equivalent Graph request bodies to
 * `dist/entra/` (or `--out <dir>`):
 *   register-entra-app.ps1        the script (PowerShell 7, Microsoft.Graph.Applications)
 *   application-create.json       POST /applications, for a new registration
 *   application-update.json       PATCH /applications/{id}: with `--existing <file>` (the JSON of
 *                                 GET /applications/{id}), merged into it; else for the new one
 *   application-preauthorize.json PATCH /applications/{id} after the update: the host clients
 * Values come from the configuration: BASE_URL, ENTRA_CLIENT_ID (update instead of create),
 * ENTRA_APP_ID_URI. `--environment USGov|USGovDoD|China` for sovereign clouds.
 * Permission ids in the JSON bodies are placeholders `<id of VALUE>`: take them from
 * GET /servicePrincipals(appId='<resource>')?$select=oauth2PermissionScopes (the script looks them up itself).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../server/config";
import {
  createApplicationBody,
  ENTRA_ENVIRONMENTS,
  identifierUri,
  preAuthorizeBody,
  updateApplicationBody,
  type EntraEnvironment,
  type GraphApplication,
} from "../server/install/entra-app";
import { entraAppPowerShell } from "../server/install/entra-app-powershell";
import { projectPath } from "../server/paths";

const placeholderId = (_resource: string, value: string) => `<id of ${value}>`;

function main(): number {
  const { values: args } = parseArgs({
    options: {
      out: { type: "string" },
      existing: { type: "string" },
      environment: { type: "string" },
      quiet: { type: "boolean" },
    },
  });
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(problem);
      return 1;
    }
    throw error;
  }
  const environment = (args.environment ?? "Global") as EntraEnvironment;
  if (!(environment in ENTRA_ENVIRONMENTS)) {
    console.error(`--environment: one of ${Object.keys(ENTRA_ENVIRONMENTS).join(", ")}`);
    return 1;
  }
  if (!config.baseUrl.startsWith("https://")) {
    console.error(
      `BASE_URL: "${config.baseUrl}" must be the public https URL of this server (Entra and the hosts need https).`,
    );
    return 1;
  }
  const clientId = config.entra.clientId;
  const form =
    clientId && config.entra.appIdUri === identifierUri(config.baseUrl, clientId, "client-id")
      ? "client-id"
      : "host";
  const input = { baseUrl: config.baseUrl, identifierUriForm: form } as const;
  const ids = { scopeId: randomUUID(), roleId: randomUUID() };

  const script = entraAppPowerShell({ ...input, clientId, environment });
  const create = createApplicationBody(input, ids, placeholderId);
  let existing: GraphApplication & { appId: string };
  if (args.existing) {
    try {
      existing = JSON.parse(readFileSync(args.existing, "utf8")) as GraphApplication & { appId: string };
    } catch (error) {
      console.error(`--existing: ${args.existing} is not readable JSON (${(error as Error).message})`);
      return 1;
    }
    if (typeof existing.appId !== "string") {
      console.error(`--existing: ${args.existing} has no appId; save the answer of GET /applications/{id}`);
      return 1;
    }
  } else {
    existing = { ...create, appId: clientId ?? "<client id>" };
  }
  const update = updateApplicationBody(existing, input, ids, placeholderId);
  const preAuthorize = preAuthorizeBody({ ...existing, ...update });

  const outDir = path.resolve(args.out ?? projectPath("dist/entra"));
  mkdirSync(outDir, { recursive: true });
  const files: Array<[string, string]> = [
    ["register-entra-app.ps1", script],
    ["application-create.json", `${JSON.stringify(create, null, 2)}\n`],
    ["application-update.json", `${JSON.stringify(update, null, 2)}\n`],
    ["application-preauthorize.json", `${JSON.stringify(preAuthorize, null, 2)}\n`],
  ];
  for (const [name, text] of files) writeFileSync(path.join(outDir, name), text);
  if (!args.quiet) console.log(script);
  console.error(
    `Wrote ${files.map(([name]) => name).join(", ")} to ${path.relative(process.cwd(), outDir) || "."} for ${config.baseUrl}.`,
  );
  console.error(
    "Run register-entra-app.ps1 in PowerShell 7 as an Application Administrator; it prints the ENTRA_* lines and the admin-consent URL.",
  );
  return 0;
}

process.exitCode = main();
