import { Router } from "express";
import type { AuthConfig } from "../../contract/me";
import { apiScope, isMicrosoftAuthority } from "../auth/entra";
import { principalOf, requireAuth } from "../auth/middleware";
import type { Config } from "../config";
import type { AppContext } from "../context";

/** What the panel needs to sign people in with Entra ID; null when only local admins exist. */
export function authConfigOf(config: Config): AuthConfig {
  const { clientId, authority, tenantId, allowedTenants } = config.entra;
  if (!clientId) return { entra: null };
  const microsoft = isMicrosoftAuthority(authority);
  // One tenant: sign in there; several: "organizations" lets members of each sign in, the server checks the tenant.
  const tenant = tenantId ?? (allowedTenants.length === 1 ? allowedTenants[0] : "organizations");
  return {
    entra: {
      clientId,
      authority: microsoft ? `${authority}/${tenant}` : authority,
      knownAuthorities: [new URL(authority).host],
      scope: apiScope(clientId, config.baseUrl),
      protocolMode: microsoft ? "AAD" : "OIDC",
    },
  };
}

/** /api/v1/me/status (the caller's own mailbox) and /api/v1/auth/config (public sign-in settings). */
export function meRouter(ctx: AppContext): Router {
  const router = Router();
  const authConfig = authConfigOf(ctx.config);
  const { meStatus } = ctx.services;

  router.get("/auth/config", (_req, res) => {
    res.setHeader("Cache-Control", "public, max-age=300");
    res.json({ data: authConfig });
  });

  router.get("/me/status", requireAuth, async (req, res) => {
    res.setHeader("Cache-Control", "private, no-store");
    res.json({ data: await meStatus.status(principalOf(req)) });
  });

  return router;
}
