import type { ProfileAdmins, ProfileAdminsBody } from "../../contract/me";
import type { Principal } from "../auth/principal";
import { forbidden } from "../errors";
import type { StoreAccess } from "../store/unit-of-work";
import { recordAudit } from "./audit";
import type { ProfileService } from "./profiles";

/**
 * Profile admins: people (by UPN, case-insensitive) who may manage one profile. Platform admins assign
 * them; each change is audited with the list before and after.
 */
export class ProfileAdminService {
  constructor(
    private readonly store: StoreAccess,
    private readonly profiles: ProfileService,
  ) {}

  async list(principal: Principal, profileId: string): Promise<ProfileAdmins> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can see who administers a profile.");
    await this.profiles.authorize(principal, profileId);
    return { userPrincipalNames: await this.store.repos.profiles.admins(profileId) };
  }

  /** Replaces the whole list. */
  async replace(principal: Principal, profileId: string, body: ProfileAdminsBody): Promise<ProfileAdmins> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can assign profile admins.");
    const next = [...new Set(body.userPrincipalNames.map((u) => u.toLowerCase()))].sort();
    await this.store.transaction(async (tx) => {
      await this.profiles.authorizeIn(tx, principal, profileId);
      const repo = tx.profiles;
      const before = await repo.admins(profileId);
      if (before.join("\n") === next.join("\n")) return;
      await repo.setAdmins(profileId, next);
      await recordAudit(tx, {
        actor: principal,
        action: "profile.admins_change",
        profileId,
        before: { userPrincipalNames: before },
        after: { userPrincipalNames: next },
      });
    });
    return { userPrincipalNames: next };
  }
}
