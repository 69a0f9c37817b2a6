import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppManifestUtils } from "@microsoft/app-manifest";
import { describe, expect, it } from "vitest";
import { buildAppPackage, TEMPLATE_FILE, type AppPackageInput } from "./app-package";
import { iconsWith, makePng, pngSize, unzip } from "./test-support";

const good: AppPackageInput = {
  appId: randomUUID(),
  baseUrl: "https://sync.contoso.com",
  clientId: randomUUID(),
  version: "1.2.3",
};

/** The template, with a change applied to a fresh copy. */
function templateWith(change: (t: Record<string, any>) => void): Record<string, any> {
  const template = JSON.parse(readFileSync(TEMPLATE_FILE, "utf8")) as Record<string, any>;
  change(template);
  return template;
}

const white = (): [number, number, number, number] => [255, 255, 255, 255];
const clear = (): [number, number, number, number] => [0, 0, 0, 0];

describe("buildAppPackage", () => {
  it("builds a package that passes the v1.30 schema and every check, with the files at the zip's root", async () => {
    const { zip, manifest, problems } = await buildAppPackage(good);
    expect(problems).toEqual([]);
    const files = await unzip(zip!);
    expect([...files.keys()].sort()).toEqual(["color.png", "manifest.json", "outline.png"]);
    const packaged = JSON.parse(files.get("manifest.json")!.toString("utf8"));
    expect(packaged).toEqual(manifest);
    expect(JSON.stringify(packaged)).not.toContain("${{");
    expect(packaged).toMatchObject({
      manifestVersion: "1.30",
      $schema: "https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json",
      id: good.appId,
      version: "1.2.3",
      validDomains: ["sync.contoso.com"],
      webApplicationInfo: { id: good.clientId, resource: `api://sync.contoso.com/${good.clientId}` },
      // The Outlook add-in part declares the least permission level Outlook offers.
      authorization: {
        permissions: { resourceSpecific: [{ name: "MailboxItem.Restricted.User", type: "Delegated" }] },
      },
    });
    expect(
      packaged.staticTabs.map((t: { entityId: string; contentUrl: string }) => [t.entityId, t.contentUrl]),
    ).toEqual([
      ["status", "https://sync.contoso.com/status?host=tab"],
      ["admin", "https://sync.contoso.com/?host=tab"],
    ]);
    const extension = packaged.extensions[0];
    expect(extension.requirements.capabilities).toEqual([{ name: "Mailbox", minVersion: "1.3" }]);
    expect(extension.runtimes[0].code.page).toBe("https://sync.contoso.com/status?host=outlook");
    expect(extension.runtimes[0].actions[0].type).toBe("openPage");
    expect(extension.ribbons[0].contexts).toEqual(["mailRead"]);
    const button = extension.ribbons[0].tabs[0].groups[0].controls[0];
    expect(button.actionId).toBe(extension.runtimes[0].actions[0].id);
    expect(button.icons.map((i: { size: number; url: string }) => `${i.size} ${i.url}`)).toEqual([
      "16 https://sync.contoso.com/icons/icon-16.png",
      "32 https://sync.contoso.com/icons/icon-32.png",
      "80 https://sync.contoso.com/icons/icon-80.png",
    ]);
    expect(pngSize(files.get("color.png")!)).toEqual({ width: 192, height: 192 });
    expect(pngSize(files.get("outline.png")!)).toEqual({ width: 32, height: 32 });
  });

  it("passes @microsoft/app-manifest's own read-and-validate (its typed converter and the $schema it names)", async () => {
    const { zip } = await buildAppPackage(good);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "msa-manifest-")), "manifest.json");
    writeFileSync(file, (await unzip(zip!)).get("manifest.json")!);
    const [, errors] = await AppManifestUtils.readAndValidateTeamsManifest(file);
    expect(errors).toEqual([]);
  });

  it("promises the Application ID URI ENTRA_APP_ID_URI names (api://<client id>, where a tenant refuses hosts)", async () => {
    const { manifest, problems } = await buildAppPackage({ ...good, appIdUri: `api://${good.clientId}` });
    expect(problems).toEqual([]);
    expect(manifest.webApplicationInfo).toEqual({ id: good.clientId, resource: `api://${good.clientId}` });
  });

  it("refuses an Application ID URI that doesn't end with the client id", async () => {
    const { zip, problems } = await buildAppPackage({ ...good, appIdUri: `api://${randomUUID()}` });
    expect(zip).toBeUndefined();
    expect(problems).toContain(`webApplicationInfo.resource: must end with the client id ${good.clientId}`);
  });

  it("gives the same bytes for the same inputs", async () => {
    const [a, b] = await Promise.all([buildAppPackage(good), buildAppPackage(good)]);
    expect(a.zip!.equals(b.zip!)).toBe(true);
  });

  it.each<[string, Partial<AppPackageInput>, RegExp]>([
    ["an app id that is not a GUID", { appId: "12345" }, /^id: "12345" is not a GUID$/],
    [
      "a client id that is not a GUID",
      { clientId: "my-app" },
      /^webApplicationInfo\.id: "my-app" is not a GUID$/,
    ],
    [
      "an http BASE_URL",
      { baseUrl: "http://sync.contoso.com" },
      /^staticTabs\[0\]\.contentUrl: http:\/\/sync\.contoso\.com\/status\?host=tab must use https$/,
    ],
    [
      "a version that is not major.minor.patch",
      { version: "1.2" },
      /^version: "1\.2" must be major\.minor\.patch/,
    ],
  ])("refuses %s", async (_label, change, expected) => {
    const { zip, problems } = await buildAppPackage({ ...good, ...change });
    expect(zip).toBeUndefined();
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it("reports an http BASE_URL once up front, then every URL it spoiled, ribbon icons included", async () => {
    const { problems } = await buildAppPackage({ ...good, baseUrl: "http://sync.contoso.com" });
    expect(problems[0]).toMatch(/^BASE_URL: "http:\/\/sync\.contoso\.com" must be an https URL/);
    expect(problems).toContain(
      "extensions[0].runtimes[0].code.page: http://sync.contoso.com/status?host=outlook must use https",
    );
    expect(problems).toContain(
      "extensions[0].ribbons[0].tabs[0].groups[0].controls[0].icons[2].url: http://sync.contoso.com/icons/icon-80.png must use https",
    );
  });

  it.each<[string, (t: Record<string, any>) => void, string | RegExp]>([
    [
      "a tab outside validDomains",
      (t) => (t.staticTabs[1].contentUrl = "https://evil.example.com/admin"),
      "staticTabs[1].contentUrl: evil.example.com is not in validDomains (sync.contoso.com)",
    ],
    [
      "a task pane page outside validDomains",
      (t) => (t.extensions[0].runtimes[0].code.page = "https://cdn.example.net/pane"),
      "extensions[0].runtimes[0].code.page: cdn.example.net is not in validDomains (sync.contoso.com)",
    ],
    [
      "a leftover placeholder",
      (t) => (t.name.full = "${{PRODUCT_NAME}}"),
      "name.full: placeholder ${{PRODUCT_NAME}} was not filled (set PRODUCT_NAME)",
    ],
    [
      "a relative ribbon icon URL",
      (t) => (t.extensions[0].ribbons[0].tabs[0].groups[0].controls[0].icons[0].url = "icons/icon-16.png"),
      'extensions[0].ribbons[0].tabs[0].groups[0].controls[0].icons[0].url: "icons/icon-16.png" must be an absolute https URL',
    ],
    [
      "a ribbon button without an 80 px icon",
      (t) => t.extensions[0].ribbons[0].tabs[0].groups[0].controls[0].icons.pop(),
      /controls\[0\]\.icons: needs icons at 80 px too/,
    ],
    [
      "a ribbon icon the app doesn't serve",
      (t) =>
        (t.extensions[0].ribbons[0].tabs[0].groups[0].icons[2].url = "${{BASE_URL}}/icons/missing-80.png"),
      "extensions[0].ribbons[0].tabs[0].groups[0].icons[2].url: /icons/missing-80.png is not served by the app (no such file in manifest/icons)",
    ],
    [
      "an SSO resource for another host",
      (t) => (t.webApplicationInfo.resource = "api://other.example.com/${{CLIENT_ID}}"),
      "webApplicationInfo.resource: host other.example.com is not in validDomains",
    ],
    [
      "a property the schema doesn't know",
      (t) => (t.colour = "red"),
      'schema: (root) must NOT have additional properties {"additionalProperty":"colour"}',
    ],
    [
      "a short name over 30 characters",
      (t) => (t.name.short = "Mailbox Sync for the whole organization"),
      "schema: /name/short must NOT have more than 30 characters",
    ],
    [
      "a ribbon on a surface Outlook doesn't have",
      (t) => (t.extensions[0].ribbons[0].contexts = ["mailPreview"]),
      /^schema: \/extensions\/0\/ribbons\/0\/contexts\/0 must be equal to one of the allowed values/,
    ],
    [
      "a manifest version with no bundled schema",
      (t) => (t.manifestVersion = "9.99"),
      'manifestVersion: no bundled schema for "9.99" in @microsoft/app-manifest; use 1.30',
    ],
    [
      "a $schema that doesn't match manifestVersion",
      (t) =>
        (t.$schema = "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"),
      /^\$schema: must be https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/v1\.30\//,
    ],
    [
      "an Outlook add-in without a permission level",
      (t) => delete t.authorization,
      /^authorization\.permissions\.resourceSpecific: the Outlook add-in must declare its permission level; add \{"name": "MailboxItem\.Restricted\.User", "type": "Delegated"\}/,
    ],
    [
      "an add-in permission that isn't delegated",
      (t) => (t.authorization.permissions.resourceSpecific[0].type = "Application"),
      /MailboxItem\.Restricted\.User must have type "Delegated"|schema: \/authorization/,
    ],
    [
      "two tabs with one entity id",
      (t) => (t.staticTabs[1].entityId = "status"),
      'staticTabs[1].entityId: "status" is used by another tab',
    ],
  ])("refuses %s", async (_label, change, expected) => {
    const { zip, problems } = await buildAppPackage(good, { template: templateWith(change) });
    expect(zip).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([typeof expected === "string" ? expected : expect.stringMatching(expected)]),
    );
  });

  it.each<[string, Record<string, Buffer>, string | RegExp]>([
    [
      "a colour icon of the wrong size",
      { "color.png": makePng(100, 100, white) },
      "icons.color: color.png is 100×100; it must be 192×192",
    ],
    [
      "an outline icon of the wrong size",
      { "outline.png": makePng(48, 48, (x) => (x < 10 ? white() : clear())) },
      "icons.outline: outline.png is 48×48; it must be 32×32",
    ],
    [
      "an outline icon with coloured pixels",
      {
        "outline.png": makePng(32, 32, (x, y) =>
          x === 5 && y === 7 ? [255, 0, 0, 255] : x < 10 ? white() : clear(),
        ),
      },
      /^icons\.outline: outline\.png has 1 pixel\(s\) that are neither white nor transparent \(first at x=5, y=7\)/,
    ],
    [
      "an outline icon on an opaque background",
      { "outline.png": makePng(32, 32, (x) => (x < 10 ? white() : [0, 0, 0, 255])) },
      /^icons\.outline: outline\.png has 704 pixel\(s\) that are neither white nor transparent/,
    ],
    [
      "an empty outline icon",
      { "outline.png": makePng(32, 32, clear) },
      "icons.outline: outline.png is fully transparent; it must show the mark in white",
    ],
    [
      "a colour icon that is not a PNG",
      { "color.png": Buffer.from("GIF89a not a png") },
      "icons.color: color.png is not a readable PNG",
    ],
    [
      "a ribbon icon whose pixels don't match its declared size",
      { "icon-80.png": makePng(64, 64, white) },
      "extensions[0].ribbons[0].tabs[0].groups[0].icons[2]: /icons/icon-80.png is 64×64 but declared as 80 px",
    ],
  ])("refuses %s", async (_label, icons, expected) => {
    const { zip, problems } = await buildAppPackage(good, { iconsDir: iconsWith(icons) });
    expect(zip).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([typeof expected === "string" ? expected : expect.stringMatching(expected)]),
    );
  });

  it("accepts anti-aliased white edges in the outline icon (partly transparent white)", async () => {
    const { problems } = await buildAppPackage(good, {
      iconsDir: iconsWith({
        "outline.png": makePng(32, 32, (x) => (x < 10 ? [255, 255, 255, x * 25] : clear())),
      }),
    });
    expect(problems).toEqual([]);
  });
});

describe("npm run package", () => {
  const root = path.resolve(import.meta.dirname, "..");
  const out = path.join(mkdtempSync(path.join(tmpdir(), "msa-package-")), "appPackage.zip");
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", "manifest/build-package.ts", "--out", out], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", APP_ID: "", ENTRA_CLIENT_ID: "", BASE_URL: "", ...env },
      encoding: "utf8",
      timeout: 60_000,
    });

  it("prints each problem on its own line and exits 1, writing nothing", () => {
    const result = run({
      APP_ID: randomUUID(),
      ENTRA_CLIENT_ID: "not-a-guid",
      BASE_URL: "https://sync.contoso.com",
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toBe("The app package has 2 problem(s); nothing was written:");
    expect(lines).toContain('webApplicationInfo.id: "not-a-guid" is not a GUID');
  });

  it("says which settings are missing", () => {
    const result = run({});
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^APP_ID: not set/m);
    expect(result.stderr).toMatch(/^ENTRA_CLIENT_ID: not set/m);
  });

  it("writes the zip (dist/appPackage.zip unless --out says otherwise) from the environment", async () => {
    const appId = randomUUID();
    const result = run({
      APP_ID: appId,
      ENTRA_CLIENT_ID: randomUUID(),
      BASE_URL: "https://sync.fabrikam.com/",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const files = await unzip(readFileSync(out));
    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8"));
    expect(manifest.id).toBe(appId);
    expect(manifest.version).toBe(JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version);
    expect(manifest.staticTabs[0].contentUrl).toBe("https://sync.fabrikam.com/status?host=tab");
  });
});
