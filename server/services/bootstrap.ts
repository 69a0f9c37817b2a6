import { hashPassword } from "../auth/password";
import { SYSTEM } from "../auth/principal";
import type { Config } from "../config";
import type { ProfileService } from "./profiles";
import type { LocalAdminService } from "./local-admins";

/**
 * First start: the Default profile, and the first local admin from ADMIN_EMAIL/ADMIN_PASSWORD or, when
 * they are absent and no admin exists, a one-time setup URL (returned for the caller to print).
 */
export async function bootstrap({
  services,
  config,
}: {
  services: { profiles: ProfileService; localAdmins: LocalAdminService };
  config: Pick<Config, "adminEmail" | "adminPassword" | "baseUrl">;
}): Promise<{ setupUrl?: string }> {
  await services.profiles.ensureDefault(SYSTEM);
  const admins = services.localAdmins;
  if ((await admins.count()) > 0) return {};
  const { adminEmail, adminPassword } = config;
  if (adminEmail && adminPassword) {
    try {
      await admins.create(SYSTEM, adminEmail, await hashPassword(adminPassword));
    } catch (err) {
      // another instance created it at the same moment
      if ((await admins.count()) === 0) throw err;
    }
    return {};
  }
  return { setupUrl: `${config.baseUrl}/setup?token=${await admins.issueSetupToken()}` };
}
