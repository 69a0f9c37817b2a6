import { randomBytes, timingSafeEqual } from "node:crypto";
import { hashToken, LocalAdminRepository } from "../auth/local-admins";
import { hashPassword } from "../auth/password";
import { SYSTEM } from "../auth/principal";
import type { AppContext } from "../context";
import { AppError } from "../errors";
import { recordAudit } from "./audit";

const SETUP_KEY = "setup_token_hash";

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
      const admin = await admins.create(adminEmail, await hashPassword(adminPassword));
      await recordAudit(ctx.store.db, { actor: SYSTEM, action: "admin.create", target: admin.email });
    } catch (err) {
      // another instance created it at the same moment
      if ((await admins.count()) === 0) throw err;
    }
    return {};
  }
  const token = randomBytes(24).toString("base64url");
  const db = ctx.store.db;
  await db.deleteFrom("settings").where("key", "=", SETUP_KEY).execute();
  await db
    .insertInto("settings")
    .values({ key: SETUP_KEY, value: hashToken(token) })
    .execute();
  return { setupUrl: `${ctx.config.baseUrl}/setup?token=${token}` };
}

/** Creates the first local admin with the one-time setup token, which then stops working. */
export async function consumeSetupToken(ctx: AppContext, token: string, email: string, passwordHash: string) {
  return ctx.store.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("settings")
      .select("value")
      .where("key", "=", SETUP_KEY)
      .executeTakeFirst();
    const given = Buffer.from(hashToken(token));
    if (!row || row.value.length !== given.length || !timingSafeEqual(Buffer.from(row.value), given)) {
      throw new AppError(
        403,
        "invalid_setup_token",
        "This setup link is not valid or was already used. Restart the server to print a new one.",
      );
    }
    await trx.deleteFrom("settings").where("key", "=", SETUP_KEY).execute();
    const admin = await new LocalAdminRepository(trx).create(email, passwordHash);
    await recordAudit(trx, { actor: { ...SYSTEM, name: "setup" }, action: "admin.create", target: email });
    return admin;
  });
}
