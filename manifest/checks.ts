/**
 * What the JSON schema can't say about an app package: icon sizes and transparency, GUID ids, URLs that
 * are https and inside `validDomains`, ribbon icons that exist at the sizes Office asks for, and no
 * `${{...}}` placeholder left unfilled. Each problem is one line: where, and what to do.
 */
import pngjs from "pngjs";

const { PNG } = pngjs;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
/** The permission level the Outlook add-in part asks for: the least Outlook offers. */
export const OUTLOOK_ADDIN_PERMISSION = "MailboxItem.Restricted.User";
/** Outlook add-in permission levels in the unified manifest (restricted, read item, read/write item, mailbox). */
const MAILBOX_PERMISSIONS = new Set([
  "MailboxItem.Restricted.User",
  "MailboxItem.Read.User",
  "MailboxItem.ReadWrite.User",
  "Mailbox.ReadWrite.User",
]);
/** Office scales ribbon icons from these; the DESIGN asks for all three on every button and group. */
export const RIBBON_ICON_SIZES = [16, 32, 80] as const;

/** What the checks need besides the manifest itself. */
export interface PackageFiles {
  /** Files that go into the zip next to manifest.json (color.png, outline.png), by name. */
  files: ReadonlyMap<string, Buffer>;
  /**
   * The bytes behind an icon URL the app serves itself (ribbon icons at /icons); null when the URL is the
   * app's own but no such file exists; undefined when the URL is served by someone else.
   */
  servedFile: (url: string) => Buffer | null | undefined;
}

type Json = unknown;

/** Every string in the manifest with its JSON path, e.g. `staticTabs[0].contentUrl`. */
function* strings(value: Json, at = ""): Generator<[string, string]> {
  if (typeof value === "string") yield [at, value];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, `${at}[${i}]`);
  else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) yield* strings(item, at ? `${at}.${key}` : key);
  }
}

/** Every `icons` array under `extensions` (groups, controls, menu items), with its path. */
function* ribbonIconSets(
  value: Json,
  at: string,
): Generator<[string, Array<{ size?: unknown; url?: unknown }>]> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* ribbonIconSets(item, `${at}[${i}]`);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key === "icons" && Array.isArray(item)) {
        yield [`${at}.icons`, item as Array<{ size?: unknown; url?: unknown }>];
      } else yield* ribbonIconSets(item, `${at}.${key}`);
    }
  }
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Whether a URL's host is covered by a `validDomains` entry (exact host, host:port, or `*.suffix`). */
export function inValidDomains(url: URL, validDomains: readonly string[]): boolean {
  return validDomains.some((entry) => {
    const domain = entry.toLowerCase();
    if (domain.startsWith("*.")) return url.hostname.endsWith(domain.slice(1));
    return domain === url.host || domain === url.hostname;
  });
}

interface DecodedPng {
  width: number;
  height: number;
  data: Buffer;
}

function decodePng(bytes: Buffer): DecodedPng | undefined {
  try {
    return PNG.sync.read(bytes);
  } catch {
    return undefined;
  }
}

function checkColorIcon(name: string, bytes: Buffer | undefined, problems: string[]): void {
  if (!bytes) return void problems.push(`icons.color: ${name} is missing from the package`);
  const png = decodePng(bytes);
  if (!png) return void problems.push(`icons.color: ${name} is not a readable PNG`);
  if (png.width !== 192 || png.height !== 192) {
    problems.push(`icons.color: ${name} is ${png.width}×${png.height}; it must be 192×192`);
  }
}

function checkOutlineIcon(name: string, bytes: Buffer | undefined, problems: string[]): void {
  if (!bytes) return void problems.push(`icons.outline: ${name} is missing from the package`);
  const png = decodePng(bytes);
  if (!png) return void problems.push(`icons.outline: ${name} is not a readable PNG`);
  if (png.width !== 32 || png.height !== 32) {
    problems.push(`icons.outline: ${name} is ${png.width}×${png.height}; it must be 32×32`);
  }
  let coloured = 0;
  let visible = 0;
  let firstColoured: [number, number] | undefined;
  for (let i = 0; i < png.width * png.height; i++) {
    const [r, g, b, a] = png.data.subarray(i * 4, i * 4 + 4);
    if (a === 0) continue;
    visible++;
    if (r !== 255 || g !== 255 || b !== 255) {
      coloured++;
      firstColoured ??= [i % png.width, Math.floor(i / png.width)];
    }
  }
  if (coloured > 0) {
    problems.push(
      `icons.outline: ${name} has ${coloured} pixel(s) that are neither white nor transparent (first at x=${firstColoured![0]}, y=${firstColoured![1]}); draw it white on a transparent background`,
    );
  }
  if (visible === 0) {
    problems.push(`icons.outline: ${name} is fully transparent; it must show the mark in white`);
  }
}

/**
 * The checks a schema can't express. Returns one line per problem (empty when the package is good).
 * @example checkPackage(manifest, { files, servedFile }) // ["id: \"abc\" is not a GUID"]
 */
export function checkPackage(manifest: Record<string, Json>, { files, servedFile }: PackageFiles): string[] {
  const problems: string[] = [];

  for (const [at, value] of strings(manifest)) {
    for (const match of value.matchAll(PLACEHOLDER)) {
      problems.push(`${at}: placeholder ${match[0]} was not filled (set ${match[1]})`);
    }
  }

  const webApp = (manifest.webApplicationInfo ?? {}) as { id?: Json; resource?: Json };
  for (const [at, value] of [
    ["id", manifest.id],
    ["webApplicationInfo.id", webApp.id],
  ] as const) {
    if (typeof value === "string" && !value.includes("${{") && !GUID.test(value)) {
      problems.push(`${at}: "${value}" is not a GUID`);
    }
  }
  if (
    typeof manifest.version === "string" &&
    !SEMVER.test(manifest.version) &&
    !manifest.version.includes("${{")
  ) {
    problems.push(`version: "${manifest.version}" must be major.minor.patch (e.g. 1.0.0)`);
  }

  const validDomains = Array.isArray(manifest.validDomains)
    ? manifest.validDomains.filter((d): d is string => typeof d === "string")
    : [];
  for (const [i, domain] of validDomains.entries()) {
    if (/[/:]{2}|\//.test(domain)) {
      problems.push(`validDomains[${i}]: "${domain}" must be a host name only (no scheme or path)`);
    }
  }

  // Every absolute URL must be https: Teams and Outlook load nothing else.
  for (const [at, value] of strings(manifest)) {
    if (at === "$schema") continue;
    if (/^http:\/\//i.test(value)) problems.push(`${at}: ${value} must use https`);
  }

  // Pages and icons the hosts load from the app must be inside validDomains.
  const mustBeInDomains = new Set<string>();
  const tabs = Array.isArray(manifest.staticTabs) ? (manifest.staticTabs as Array<Record<string, Json>>) : [];
  for (const [i, tab] of tabs.entries()) {
    for (const key of ["contentUrl", "websiteUrl", "searchUrl"]) {
      if (typeof tab[key] === "string") mustBeInDomains.add(`staticTabs[${i}].${key}`);
    }
  }
  const seenEntityIds = new Set<unknown>();
  for (const [i, tab] of tabs.entries()) {
    if (seenEntityIds.has(tab.entityId)) {
      problems.push(`staticTabs[${i}].entityId: "${String(tab.entityId)}" is used by another tab`);
    }
    seenEntityIds.add(tab.entityId);
  }
  for (const [at] of strings(manifest.extensions, "extensions")) {
    if (/\.runtimes\[\d+\]\.code\.(page|script)$/.test(at) || /\.icons\[\d+\]\.url$/.test(at)) {
      mustBeInDomains.add(at);
    }
  }
  for (const [at, value] of strings(manifest)) {
    if (!mustBeInDomains.has(at) || value.includes("${{")) continue;
    const url = parseUrl(value);
    if (!url) problems.push(`${at}: "${value}" is not an absolute URL`);
    else if (url.protocol === "https:" && !inValidDomains(url, validDomains)) {
      problems.push(`${at}: ${url.host} is not in validDomains (${validDomains.join(", ") || "empty"})`);
    }
  }

  for (const [at, icons] of ribbonIconSets(manifest.extensions, "extensions")) {
    const sizes = new Set(icons.map((icon) => icon.size));
    const missing = RIBBON_ICON_SIZES.filter((size) => !sizes.has(size));
    if (missing.length > 0) {
      problems.push(`${at}: needs icons at ${missing.join(", ")} px too (Office uses 16, 32 and 80)`);
    }
    for (const [i, icon] of icons.entries()) {
      if (typeof icon.url !== "string" || icon.url.includes("${{")) continue;
      const url = parseUrl(icon.url);
      if (!url || url.protocol !== "https:") {
        if (!url) problems.push(`${at}[${i}].url: "${icon.url}" must be an absolute https URL`);
        continue;
      }
      const served = servedFile(icon.url);
      if (served === undefined) continue;
      if (served === null) {
        problems.push(
          `${at}[${i}].url: ${url.pathname} is not served by the app (no such file in manifest/icons)`,
        );
        continue;
      }
      const png = decodePng(served);
      if (!png) problems.push(`${at}[${i}].url: ${url.pathname} is not a readable PNG`);
      else if (png.width !== icon.size || png.height !== icon.size) {
        problems.push(
          `${at}[${i}]: ${url.pathname} is ${png.width}×${png.height} but declared as ${String(icon.size)} px`,
        );
      }
    }
  }

  if (typeof webApp.resource === "string" && !webApp.resource.includes("${{")) {
    // api://<host>/<client id> (Teams SSO's form) or api://<client id> (where a tenant's policy refuses hosts).
    const match = /^api:\/\/(?:([^/]+)\/)?([^/]+)$/.exec(webApp.resource);
    if (!match) {
      problems.push(
        `webApplicationInfo.resource: "${webApp.resource}" must be api://<host>/<client id> or api://<client id>`,
      );
    } else {
      if (match[1] !== undefined && !validDomains.includes(match[1])) {
        problems.push(`webApplicationInfo.resource: host ${match[1]} is not in validDomains`);
      }
      if (match[2] !== webApp.id) {
        problems.push(`webApplicationInfo.resource: must end with the client id ${String(webApp.id)}`);
      }
    }
  }

  if (Array.isArray(manifest.extensions) && manifest.extensions.length > 0) {
    const authorization = (manifest.authorization ?? {}) as { permissions?: { resourceSpecific?: Json } };
    const granted = Array.isArray(authorization.permissions?.resourceSpecific)
      ? (authorization.permissions.resourceSpecific as Array<{ name?: Json; type?: Json }>)
      : [];
    const mailbox = granted.filter((p) => typeof p.name === "string" && MAILBOX_PERMISSIONS.has(p.name));
    if (mailbox.length === 0) {
      problems.push(
        `authorization.permissions.resourceSpecific: the Outlook add-in must declare its permission level; add {"name": "${OUTLOOK_ADDIN_PERMISSION}", "type": "Delegated"} (the least, enough for a status pane)`,
      );
    }
    for (const permission of mailbox) {
      if (permission.type !== "Delegated") {
        problems.push(
          `authorization.permissions.resourceSpecific: ${String(permission.name)} must have type "Delegated"`,
        );
      }
    }
  }

  const icons = (manifest.icons ?? {}) as { color?: Json; outline?: Json };
  if (typeof icons.color === "string") checkColorIcon(icons.color, files.get(icons.color), problems);
  if (typeof icons.outline === "string") checkOutlineIcon(icons.outline, files.get(icons.outline), problems);
  return problems;
}
