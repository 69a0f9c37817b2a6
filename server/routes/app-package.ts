import { Router } from "express";
import {
  buildAppPackage,
  missingPackageSettings,
  packageVersion,
  type AppPackage,
} from "../../manifest/app-package";
import { requirePlatformAdmin } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { AppError } from "../errors";

/**
 * /api/v1/app-package: the sideload zip for Teams, Outlook and Microsoft 365 (platform admins only).
 * Built with the same code as `npm run package`, from this server's APP_ID, BASE_URL and ENTRA_CLIENT_ID.
 */
export function appPackageRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  // Configuration and icons don't change while the server runs: build (and validate) once.
  let built: Promise<AppPackage> | undefined;

  router.get("/", requirePlatformAdmin, async (_req, res) => {
    const missing = missingPackageSettings(ctx.config);
    if (missing.length > 0) {
      throw new AppError(
        409,
        "app_package_not_configured",
        "The app package needs APP_ID and ENTRA_CLIENT_ID in the server's configuration.",
        missing,
      );
    }
    built ??= buildAppPackage({
      appId: ctx.config.appId!,
      baseUrl: ctx.config.baseUrl,
      clientId: ctx.config.entra.clientId!,
      appIdUri: ctx.config.entra.appIdUri,
      version: packageVersion(),
    });
    const { zip, problems } = await built.catch((error: unknown) => {
      built = undefined; // an unexpected failure (a file unreadable) may pass next time
      throw error;
    });
    if (!zip) {
      throw new AppError(
        409,
        "app_package_invalid",
        "The app package built from this server's configuration is not valid; fix the settings listed in details.",
        problems,
      );
    }
    res.setHeader("Content-Type", "application/zip");
    res.setHeader("Content-Disposition", 'attachment; filename="appPackage.zip"');
    res.setHeader("Cache-Control", "no-store");
    res.send(zip);
  });

  return router;
}
