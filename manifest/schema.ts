/**
 * Validates a manifest against the official JSON schema of its `manifestVersion`, offline: the schemas
 * ship inside `@microsoft/app-manifest` and are loaded from disk, never fetched.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { TeamsManifest } from "@microsoft/app-manifest";

const require = createRequire(import.meta.url);
const SCHEMAS_DIR = path.join(
  path.dirname(require.resolve("@microsoft/app-manifest/package.json")),
  "build/json-schemas/teams",
);

/** The `$schema` URL Microsoft publishes for a manifest version. */
export const schemaUrlFor = (manifestVersion: string) =>
  `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;

const cache = new Map<string, object>();

/** The bundled schema for a manifest version, or undefined when the package doesn't ship it. */
export function bundledSchema(manifestVersion: string): object | undefined {
  if (!/^(\d+\.\d+|devPreview)$/.test(manifestVersion)) return undefined;
  const cached = cache.get(manifestVersion);
  if (cached) return cached;
  const file = path.join(SCHEMAS_DIR, `v${manifestVersion}`, "MicrosoftTeams.schema.json");
  if (!existsSync(file)) return undefined;
  // The published schemas contain "\a" and "\v" escapes that JSON doesn't allow; the package cleans them the same way.
  const schema = JSON.parse(
    readFileSync(file, "utf8").replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b"),
  ) as object;
  cache.set(manifestVersion, schema);
  return schema;
}

/**
 * Problems the official schema finds, one readable line each (empty when valid).
 * @example await validateAgainstSchema(manifest) // ["schema: /name/short must NOT have more than 30 characters"]
 */
export async function validateAgainstSchema(manifest: Record<string, unknown>): Promise<string[]> {
  const version = typeof manifest.manifestVersion === "string" ? manifest.manifestVersion : "";
  const schema = bundledSchema(version);
  if (!schema) {
    return [`manifestVersion: no bundled schema for "${version}" in @microsoft/app-manifest; use 1.30`];
  }
  const problems: string[] = [];
  if (manifest.$schema !== schemaUrlFor(version)) {
    problems.push(`$schema: must be ${schemaUrlFor(version)} to match manifestVersion ${version}`);
  }
  // Loaded on first use: the validator (ajv and the package) is only needed to build the app package.
  const { AppManifestUtils } = await import("@microsoft/app-manifest");
  const errors = await AppManifestUtils.validateAgainstSchema(
    manifest as unknown as TeamsManifest,
    schema as never,
  );
  for (const error of errors) problems.push(`schema: ${formatSchemaError(error)}`);
  return problems;
}

/** Ajv's lines read " must have required property 'x'. Details: {...}"; keep the path and message, drop noise. */
function formatSchemaError(error: string): string {
  const [message = error, details] = error.split(". Details: ");
  const where = message.startsWith(" ") ? `(root)${message}` : message;
  const extra = details && /additionalProperty|allowedValues/.test(details) ? ` ${details}` : "";
  return `${where}${extra}`;
}
