import { randomBytes, timingSafeEqual } from "node:crypto";
import { hashToken } from "../auth/local-admins";
import { SYSTEM, type Principal } from "../auth/principal";
import { DUMMY_HASH, hashPassword, verifyPassword } from "../auth/password";
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from "../errors";
import type { StoreAccess } from "../store/unit-of-work";
import type { LocalAdmin } from "../store/local-admins-repo";
import { recordAudit } from "./audit";

/**
 * Local admins (email + password): sign-in and sessions, the first admin from the setup link, who may add
 * or remove one and change a password; each change is written in one transaction with its audit event.
 */
export class LocalAdminService {
  constructor(private readonly store: StoreAccess) {}

  /**
   * Signs a local admin in (401 for a wrong e-mail or password, in the same time either way). The
   * session is always new: a token presented before sign-in is ended, never promoted (fixation).
   */
  async signIn(
    email: string,
    password: string,
    previousToken: string | undefined,
  ): Promise<{ admin: LocalAdmin; token: string }> {
    const admins = this.store.repos.localAdmins;
    const admin = await admins.findByEmail(email);
    const ok = await verifyPassword(password, admin?.passwordHash ?? (await DUMMY_HASH));
    if (!admin || !ok) throw unauthorized("The e-mail or password is wrong.");
    if (previousToken) await admins.endSession(previousToken);
    return { admin, token: await admins.createSession(admin.id) };
  }

  /** The local admin whose live session `token` is, and the session's id hash; undefined when none. */
  findSession(token: string): Promise<{ admin: LocalAdmin; idHash: string } | undefined> {
    return this.store.repos.localAdmins.findSession(token);
  }

  /** How many local admins there are (first start: none yet). */
  count(): Promise<number> {
    return this.store.repos.localAdmins.count();
  }

  /**
   * A new one-time setup token for the first admin (first start without ADMIN_EMAIL/ADMIN_PASSWORD); only
   * its hash is kept, and it replaces any earlier one.
   */
  async issueSetupToken(): Promise<string> {
    const token = randomBytes(24).toString("base64url");
    await this.store.transaction((tx) => tx.settings.setSetupTokenHash(hashToken(token)));
    return token;
  }

  /** Ends the session of `token` (signing out). */
  signOut(token: string): Promise<void> {
    return this.store.repos.localAdmins.endSession(token);
  }

  /** Ends the caller's other sessions (local admins only); answers how many. */
  endOtherSessions(actor: Principal): Promise<number> {
    if (actor.kind !== "local") throw forbidden("Only local admins have sessions here.");
    return this.store.repos.localAdmins.endOtherSessions(actor.id, actor.sessionHash);
  }

  /**
   * Creates the first local admin with the one-time setup token, which then stops working (one
   * transaction with its audit event), and signs them in.
   */
  async setUp(
    token: string,
    email: string,
    passwordHash: string,
  ): Promise<{ admin: LocalAdmin; token: string }> {
    const admin = await this.store.transaction(async (tx) => {
      const stored = await tx.settings.setupTokenHash();
      const given = Buffer.from(hashToken(token));
      if (!stored || stored.length !== given.length || !timingSafeEqual(Buffer.from(stored), given)) {
        throw new AppError(
          403,
          "invalid_setup_token",
          "This setup link is not valid or was already used. Restart the server to print a new one.",
        );
      }
      await tx.settings.setSetupTokenHash(undefined);
      const created = await tx.localAdmins.create(email, passwordHash);
      await recordAudit(tx, { actor: { ...SYSTEM, name: "setup" }, action: "admin.create", target: email });
      return created;
    });
    return { admin, token: await this.store.repos.localAdmins.createSession(admin.id) };
  }

  /** Every local admin, by email. */
  list(): Promise<LocalAdmin[]> {
    return this.store.transaction((tx) => tx.localAdmins.list());
  }

  /** Adds a local admin with an already hashed password (409 when the email is taken). */
  create(actor: Principal, email: string, passwordHash: string): Promise<LocalAdmin> {
    return this.store.transaction(async (tx) => {
      if (await tx.localAdmins.findByEmail(email)) throw conflict(`${email} is already an admin.`);
      const admin = await tx.localAdmins.create(email, passwordHash);
      await recordAudit(tx, { actor, action: "admin.create", target: admin.email });
      return admin;
    });
  }

  /** Removes a local admin; never oneself, never the last one. */
  remove(actor: Principal, id: string): Promise<void> {
    if (actor.kind === "local" && actor.id === id) {
      throw conflict("You can't remove yourself. Ask another admin.");
    }
    return this.store.transaction(async (tx) => {
      const target = await tx.localAdmins.findById(id);
      if (!target) throw notFound("Admin not found.");
      if ((await tx.localAdmins.count()) <= 1) {
        throw conflict("This is the last local admin; add another one first.");
      }
      await tx.localAdmins.remove(id);
      await recordAudit(tx, { actor, action: "admin.remove", target: target.email });
    });
  }

  /** Changes the caller's own password after checking the current one; ends their other sessions. */
  async changePassword(actor: Principal, current: string, next: string): Promise<void> {
    if (actor.kind !== "local") throw forbidden("Your password is managed by Microsoft Entra ID.");
    const admin = await this.store.transaction((tx) => tx.localAdmins.findById(actor.id));
    if (!admin || !(await verifyPassword(current, admin.passwordHash))) {
      throw badRequest("wrong_password", "The current password is wrong.");
    }
    const hash = await hashPassword(next);
    await this.store.transaction(async (tx) => {
      await tx.localAdmins.setPassword(actor.id, hash);
      await tx.localAdmins.endOtherSessions(actor.id, actor.sessionHash);
      await recordAudit(tx, { actor, action: "admin.password_change", target: admin.email });
    });
  }
}
