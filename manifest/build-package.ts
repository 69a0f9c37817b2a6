/**
 * `npm run package`: fills the manifest from the environment (or `.env`): APP_ID, BASE_URL,
 * ENTRA_CLIENT_ID and package.json's version; validates it offline; writes dist/appPackage.zip.
 * On any problem it prints them one per line and exits 1, writing nothing.
 * `npm run package -- --out <file>` writes elsewhere.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../server/config";
import { APP_PACKAGE_FILE, buildAppPackage, missingPackageSettings, packageVersion } from "./app-package";

async function main(): Promise<number> {
  const { values: args } = parseArgs({ options: { out: { type: "string" } } });
  const outputFile = path.resolve(args.out ?? APP_PACKAGE_FILE);
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
  const missing = missingPackageSettings(config);
  if (missing.length > 0) {
    for (const problem of missing) console.error(problem);
    return 1;
  }
  const { zip, manifest, problems } = await buildAppPackage({
    appId: config.appId!,
    baseUrl: config.baseUrl,
    clientId: config.entra.clientId!,
    appIdUri: config.entra.appIdUri,
    version: packageVersion(),
  });
  if (!zip) {
    console.error(`The app package has ${problems.length} problem(s); nothing was written:`);
    for (const problem of problems) console.error(problem);
    return 1;
  }
  mkdirSync(path.dirname(outputFile), { recursive: true });
  writeFileSync(outputFile, zip);
  console.log(
    `Wrote ${path.relative(process.cwd(), outputFile)} (${zip.length} bytes) for ${config.baseUrl}: valid against the v${String(manifest.manifestVersion)} schema and the package checks.`,
  );
  console.log(
    "Upload it in the Microsoft 365 admin center (Settings > Integrated apps > Upload custom apps), the Teams admin center (Manage apps > Upload), or Teams (Apps > Manage your apps > Upload a custom app).",
  );
  return 0;
}

process.exitCode = await main();
