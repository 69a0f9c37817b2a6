import { randomBytes } from "node:crypto";
import { hashToken } from "../auth/local-admins";
import { hashPassword } from "../auth/password";
import { SYSTEM } from "../auth/principal";
import type { AppContext } from "../context";

/**
 * First start: the Default profile, and the first local admin from ADMIN_EMAIL/ADMIN_PASSWORD or, when
 * they are absent and no admin exists, a one-time setup URL (returned for the caller to print).
 */
export async function bootstrap(ctx: AppContext): Promise<{ setupUrl?: string }> {
  await ctx.services.profiles.ensureDefault(SYSTEM);
  const { admins } = ctx.services;
  if ((await admins.count()) > 0) return {};
  const { adminEmail, adminPassword } = ctx.config;
  if (adminEmail && adminPassword) {
    try {
      await ctx.services.localAdmins.create(SYSTEM, adminEmail, await hashPassword(adminPassword));
    } catch (err) {
      // another instance created it at the same moment
      if ((await admins.count()) === 0) throw err;
    }
    return {};
  }
  const token = randomBytes(24).toString("base64url");
  await ctx.store.transaction((tx) => tx.settings.setSetupTokenHash(hashToken(token)));
  return { setupUrl: `${ctx.config.baseUrl}/setup?token=${token}` };
}
