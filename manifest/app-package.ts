/**
 * Builds the sideload app package (manifest.json, color.png, outline.png at the zip's root) from the
 * template and the icons, validating it offline first. Used by `npm run package` and by
 * `GET /api/v1/app-package`, so both hand out the same, checked zip.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import yazl from "yazl";
import { checkPackage } from "./checks";
import { ICONS_DIR } from "./draw-icons";
import { projectPath } from "../server/paths";
import { validateAgainstSchema } from "./schema";

/** The template the package is filled from. */
export const TEMPLATE_FILE = projectPath("manifest/manifest.template.json");

/** Where `npm run package` writes the zip. */
export const APP_PACKAGE_FILE = projectPath("dist/appPackage.zip");

/** What varies per installation. */
export interface AppPackageInput {
  /** The app's id in Teams (APP_ID), a GUID. */
  appId: string;
  /** Public https URL of the app (BASE_URL), without a trailing slash. */
  baseUrl: string;
  /** The Entra ID app's client id (ENTRA_CLIENT_ID), for SSO. */
  clientId: string;
  /** The package's version (package.json's), major.minor.patch. */
  version: string;
  /** ENTRA_APP_ID_URI when the registration doesn't use the default `api://<host>/<client id>`. */
  appIdUri?: string;
}

/** Overrides for tests and tools: another template or icons folder. */
export interface AppPackageOptions {
  template?: unknown;
  iconsDir?: string;
}

export interface AppPackage {
  /** The zip, only when there is no problem. */
  zip?: Buffer;
  /** The filled manifest (also when it has problems, to show them in context). */
  manifest: Record<string, unknown>;
  /** One line per problem; empty when the package is valid. */
  problems: string[];
}

/** The variables the package needs that the server can run without, as problems when missing. */
export function missingPackageSettings(config: { appId?: string; entra: { clientId?: string } }): string[] {
  const problems: string[] = [];
  if (!config.appId) {
    problems.push(
      'APP_ID: not set; the app package needs a GUID of its own (node -e "console.log(crypto.randomUUID())")',
    );
  }
  if (!config.entra.clientId) {
    problems.push(
      "ENTRA_CLIENT_ID: not set; the package needs the Entra ID app's client id for single sign-on",
    );
  }
  return problems;
}

/** The version in package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(projectPath("package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * The placeholder values: `${{APP_ID}}`, `${{BASE_URL}}`, `${{BASE_HOST}}`, `${{CLIENT_ID}}`,
 * `${{APP_ID_URI}}` (the token audience `webApplicationInfo.resource` promises), `${{VERSION}}`.
 */
export function placeholderValues(input: AppPackageInput): Record<string, string> {
  const baseUrl = input.baseUrl.replace(/\/+$/, "");
  let host = "";
  try {
    host = new URL(baseUrl).host;
  } catch {
    // Left empty: the URL checks then report the bad BASE_URL where it is used.
  }
  return {
    APP_ID: input.appId,
    BASE_URL: baseUrl,
    BASE_HOST: host,
    CLIENT_ID: input.clientId,
    APP_ID_URI: input.appIdUri ?? (host ? `api://${host}/${input.clientId}` : ""),
    VERSION: input.version,
  };
}

/**
 * Replaces known `${{NAME}}` placeholders in every string of the template; unknown ones stay, so the
 * checks can report them.
 */
export function fillTemplate(template: unknown, values: Record<string, string>): unknown {
  if (typeof template === "string") {
    return template.replace(
      /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g,
      (whole, name: string) => values[name] ?? whole,
    );
  }
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, values));
  if (template && typeof template === "object") {
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [key, fillTemplate(value, values)]),
    );
  }
  return template;
}

function readIfExists(file: string): Buffer | undefined {
  return existsSync(file) ? readFileSync(file) : undefined;
}

/** A fixed timestamp keeps the zip byte-identical for identical inputs. */
const ZIP_MTIME = new Date("2026-01-01T00:00:00Z");

function zipFiles(entries: Array<[string, Buffer]>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of entries) zip.addBuffer(bytes, name, { mtime: ZIP_MTIME });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * Fills the template, validates it (official schema + our checks) and zips it when there is no problem.
 * @example const { zip, problems } = await buildAppPackage({ appId, baseUrl: "https://sync.contoso.com", clientId, version: "1.0.0" });
 */
export async function buildAppPackage(
  input: AppPackageInput,
  options: AppPackageOptions = {},
): Promise<AppPackage> {
  const template = options.template ?? (JSON.parse(readFileSync(TEMPLATE_FILE, "utf8")) as unknown);
  const iconsDir = options.iconsDir ?? ICONS_DIR;
  const values = placeholderValues(input);
  const manifest = fillTemplate(template, values) as Record<string, unknown>;

  const icons = (manifest.icons ?? {}) as { color?: unknown; outline?: unknown };
  const files = new Map<string, Buffer>();
  for (const name of [icons.color, icons.outline]) {
    // Icons are package-relative file names; refuse anything that could climb out of the icons folder.
    if (typeof name !== "string" || name.includes("/") || name.includes("\\")) continue;
    const bytes = readIfExists(path.join(iconsDir, name));
    if (bytes) files.set(name, bytes);
  }
  const servedPrefix = `${values.BASE_URL}/icons/`;
  const servedFile = (url: string) => {
    if (!url.startsWith(servedPrefix)) return undefined;
    const name = url.slice(servedPrefix.length);
    return (/^[\w.-]+$/.test(name) && readIfExists(path.join(iconsDir, name))) || null;
  };

  const problems = [
    // Said once up front: every URL below inherits it, and this is the one setting to change.
    ...(values.BASE_URL.startsWith("https://")
      ? []
      : [`BASE_URL: "${values.BASE_URL}" must be an https URL; Teams and Outlook load only https pages`]),
    ...(await validateAgainstSchema(manifest)),
    ...checkPackage(manifest, { files, servedFile }),
  ];
  if (problems.length > 0) return { manifest, problems: [...new Set(problems)] };

  const zip = await zipFiles([
    ["manifest.json", Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)],
    ...files,
  ]);
  return { zip, manifest, problems: [] };
}
