import type { ProfileAdmins, ProfileAdminsBody } from "../../contract/me";
import type { Principal } from "../auth/principal";
import { forbidden } from "../errors";
import type { Db } from "../store/db";
import { ProfileRepository } from "../store/profiles-repo";
import { recordAudit } from "./audit";
import type { ProfileService } from "./profiles";

/**
 * Profile admins: people (by UPN, case-insensitive) who may manage one profile. Platform admins assign
 * them; each change is audited with the list before and after.
 */
export class ProfileAdminService {
  constructor(
    private readonly db: Db,
    private readonly profiles: ProfileService,
  ) {}

  async list(principal: Principal, profileId: string): Promise<ProfileAdmins> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can see who administers a profile.");
    await this.profiles.authorize(principal, profileId);
    return { userPrincipalNames: await new ProfileRepository(this.db).admins(profileId) };
  }

  /** Replaces the whole list. */
  async replace(principal: Principal, profileId: string, body: ProfileAdminsBody): Promise<ProfileAdmins> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can assign profile admins.");
    const next = [...new Set(body.userPrincipalNames.map((u) => u.toLowerCase()))].sort();
    await this.db.transaction().execute(async (trx) => {
      await this.profiles.authorizeIn(trx, principal, profileId);
      const repo = new ProfileRepository(trx);
      const before = await repo.admins(profileId);
      if (before.join("\n") === next.join("\n")) return;
      await repo.setAdmins(profileId, next);
      await recordAudit(trx, {
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
