import { Router } from "express";
import type { EntraAppRegistration, SetupCheck } from "../../contract/install";
import { allowedTenants, apiScope, applicationIdUri } from "../auth/entra";
import { requirePlatformAdmin } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { entraAppPowerShell } from "../install/entra-app-powershell";
import { identifierUri, redirectUris } from "../install/entra-app";
import { runSetupCheck } from "../install/setup-check";

/**
 * The tenant admin's install path (platform admins): `GET /setup-check` runs the setup check;
 * `GET /entra-app-registration` gives the registration script with this server's values.
 */
export function installRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { config } = ctx;

  router.get("/setup-check", requirePlatformAdmin, async (req, res) => {
    // req.protocol and req.host follow X-Forwarded-* only when TRUST_PROXY trusts the proxy.
    const requestOrigin = `${req.protocol}://${req.host}`;
    const items = await runSetupCheck({ config, requestOrigin });
    const data: SetupCheck = { checkedAt: new Date().toISOString(), items };
    res.setHeader("Cache-Control", "no-store");
    res.json({ data });
  });

  router.get("/entra-app-registration", requirePlatformAdmin, (_req, res) => {
    const { entra, baseUrl } = config;
    const clientId = entra.clientId ?? null;
    const redirects = redirectUris(baseUrl);
    const form =
      clientId && entra.appIdUri === identifierUri(baseUrl, clientId, "client-id") ? "client-id" : "host";
    const data: EntraAppRegistration = {
      powershell: entraAppPowerShell({ baseUrl, clientId: clientId ?? undefined, identifierUriForm: form }),
      values: {
        baseUrl,
        clientId,
        tenantIds: allowedTenants(entra),
        applicationIdUri: clientId ? applicationIdUri(clientId, baseUrl, entra.appIdUri) : null,
        scope: clientId ? apiScope(clientId, baseUrl, entra.appIdUri) : null,
        authority: entra.authority,
        spaRedirectUris: redirects.spa,
        webRedirectUris: redirects.web,
      },
    };
    res.json({ data });
  });

  return router;
}
