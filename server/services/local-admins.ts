import type { Principal } from "../auth/principal";
import { hashPassword, verifyPassword } from "../auth/password";
import { badRequest, conflict, forbidden, notFound } from "../errors";
import type { StoreAccess } from "../store/unit-of-work";
import type { LocalAdmin } from "../store/local-admins-repo";
import { recordAudit } from "./audit";

/**
 * Local admins (email + password): who may add or remove one and change a password; each change is
 * written in one transaction with its audit event.
 */
export class LocalAdminService {
  constructor(private readonly store: StoreAccess) {}

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
