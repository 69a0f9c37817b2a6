import type { AccessType } from "../../contract/common";
import { EWS_RETIREMENT_DATE, isExchangeOnlineEws } from "../../contract/ews-deadline";
import type { CreateProfileBody, Profile, UpdateProfileBody } from "../../contract/profiles";
import type { Principal } from "../auth/principal";
import { conflict, forbidden, notFound } from "../errors";
import { presentProfile } from "../presenters/profile";
import { nowIso, type Db, type Tx } from "../store/db";
import { ProfileRepository, type ProfileRow } from "../store/profiles-repo";
import { recordAudit } from "./audit";

const EWS_TYPES = new Set(["ews-basic-impersonation", "ews-oauth-impersonation", "ews-app-only"]);

/** When EWS ends for a profile on an EWS type against Exchange Online (no URL stored = Exchange Online's default), else null. */
export function ewsEndsOn(type: string, settings: string): string | null {
  if (!EWS_TYPES.has(type)) return null;
  let ewsUrl: unknown;
  try {
    ewsUrl = (JSON.parse(settings) as { ewsUrl?: unknown }).ewsUrl;
  } catch {
    return null;
  }
  return typeof ewsUrl !== "string" || isExchangeOnlineEws(ewsUrl) ? EWS_RETIREMENT_DATE : null;
}

/**
 * Profiles: who may see them, their rules (unique names, no delete while users are active) and audit.
 */
export class ProfileService {
  constructor(private readonly db: Db) {}

  private repo(db: Db = this.db) {
    return new ProfileRepository(db);
  }

  /** The ids a principal may manage: undefined means all (platform admin). */
  visibleIds(principal: Principal): Promise<string[] | undefined> {
    return this.visibleIdsWith(this.db, principal);
  }

  /** visibleIds() inside the caller's transaction. */
  visibleIdsIn(tx: Tx, principal: Principal): Promise<string[] | undefined> {
    return this.visibleIdsWith(tx, principal);
  }

  private async visibleIdsWith(db: Db, principal: Principal): Promise<string[] | undefined> {
    if (principal.platformAdmin) return undefined;
    return principal.upn ? this.repo(db).idsAdministeredBy(principal.upn) : [];
  }

  /**
   * Loads a profile the principal may manage, or throws 404 (unknown) / 403 (not theirs).
   * Inside a transaction use authorizeIn: on SQLite the store has one connection, and a query outside
   * the transaction would wait for it forever.
   * @example const profile = await profiles.authorize(principal, req.params.id);
   */
  authorize(principal: Principal, profileId: string): Promise<ProfileRow> {
    return this.authorizeWith(this.db, principal, profileId);
  }

  /** authorize() inside the caller's transaction. */
  authorizeIn(tx: Tx, principal: Principal, profileId: string): Promise<ProfileRow> {
    return this.authorizeWith(tx, principal, profileId);
  }

  private async authorizeWith(db: Db, principal: Principal, profileId: string): Promise<ProfileRow> {
    const row = await this.repo(db).find(profileId);
    if (!row) throw notFound("Profile not found. It may have been deleted.");
    const ids = await this.visibleIdsWith(db, principal);
    if (ids && !ids.includes(profileId)) throw forbidden("You are not an admin of this profile.");
    return row;
  }

  private async accessTypes(
    ids?: string[],
  ): Promise<Map<string, { type: AccessType; ewsEndsOn: string | null }>> {
    if (ids?.length === 0) return new Map();
    let q = this.db.selectFrom("mailboxAccess").select(["profileId", "type", "settings"]);
    if (ids) q = q.where("profileId", "in", ids);
    const rows = await q.execute();
    return new Map(
      rows.map((r) => [
        r.profileId,
        { type: r.type as AccessType, ewsEndsOn: ewsEndsOn(r.type, r.settings) },
      ]),
    );
  }

  async list(principal: Principal): Promise<Profile[]> {
    const ids = await this.visibleIds(principal);
    const repo = this.repo();
    const [rows, counts, types] = await Promise.all([
      repo.list(ids),
      repo.countsByState(ids),
      this.accessTypes(ids),
    ]);
    return rows.map((row) =>
      presentProfile(row, counts.get(row.id), types.get(row.id)?.type ?? null, types.get(row.id)?.ewsEndsOn),
    );
  }

  async get(principal: Principal, id: string): Promise<Profile> {
    const row = await this.authorize(principal, id);
    const [counts, types] = await Promise.all([this.repo().countsByState([id]), this.accessTypes([id])]);
    return presentProfile(row, counts.get(id), types.get(id)?.type ?? null, types.get(id)?.ewsEndsOn);
  }

  async create(principal: Principal, input: CreateProfileBody): Promise<Profile> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can create profiles.");
    const row = await this.db.transaction().execute(async (trx) => {
      const repo = this.repo(trx);
      if (await repo.findByName(input.name)) {
        throw conflict(`A profile named "${input.name}" already exists.`);
      }
      const created = await repo.create(input);
      await recordAudit(trx, {
        actor: principal,
        action: "profile.create",
        profileId: created.id,
        after: { name: created.name, description: created.description },
      });
      return created;
    });
    return presentProfile(row, undefined, null);
  }

  async update(principal: Principal, id: string, patch: UpdateProfileBody): Promise<Profile> {
    await this.db.transaction().execute(async (trx) => {
      const before = await this.authorizeIn(trx, principal, id);
      const repo = this.repo(trx);
      if (
        patch.name !== undefined &&
        patch.name.toLowerCase() !== before.nameLower &&
        (await repo.findByName(patch.name))
      ) {
        throw conflict(`A profile named "${patch.name}" already exists.`);
      }
      if (patch.syncEnabled !== undefined && (patch.syncEnabled ? 1 : 0) !== before.syncEnabled) {
        // The roster is polled by updatedAt: pausing a profile must show on every one of its mailboxes.
        await trx.updateTable("users").set({ updatedAt: nowIso() }).where("profileId", "=", id).execute();
      }
      await repo.update(id, {
        name: patch.name,
        description: patch.description,
        syncEnabled: patch.syncEnabled === undefined ? undefined : patch.syncEnabled ? 1 : 0,
        maxConcurrentConnections: patch.maxConcurrentConnections,
        stalledAfterHours: patch.stalledAfterHours,
        stalledAlertPercent: patch.stalledAlertPercent,
      });
      await recordAudit(trx, {
        actor: principal,
        action: "profile.update",
        profileId: id,
        before: {
          name: before.name,
          description: before.description,
          syncEnabled: before.syncEnabled === 1,
          maxConcurrentConnections: before.maxConcurrentConnections,
          ...(patch.stalledAfterHours !== undefined ? { stalledAfterHours: before.stalledAfterHours } : {}),
          ...(patch.stalledAlertPercent !== undefined
            ? { stalledAlertPercent: before.stalledAlertPercent }
            : {}),
        },
        after: patch,
      });
    });
    return this.get(principal, id);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can delete profiles.");
    await this.db.transaction().execute(async (trx) => {
      const row = await this.authorizeIn(trx, principal, id);
      const counts = (await this.repo(trx).countsByState([id])).get(id);
      if (counts && counts.active > 0) {
        throw conflict(
          `This profile still has ${counts.active} active user${counts.active === 1 ? "" : "s"}. Pause or move them first.`,
          { active: counts.active },
        );
      }
      const running = await trx
        .selectFrom("jobs")
        .select("id")
        .where("profileId", "=", id)
        .where("state", "in", ["queued", "running", "paused"])
        .executeTakeFirst();
      if (running) {
        throw conflict("A job is still running for this profile. Cancel it first.", { jobId: running.id });
      }
      // Tell the sync service (through the roster) that these mailboxes are gone.
      const removedAt = nowIso();
      await trx
        .insertInto("mailboxTombstones")
        .columns(["addressLower", "profileId", "removedAt"])
        .expression((eb) =>
          eb
            .selectFrom("users")
            .select(["addressLower", "profileId", eb.val(removedAt).as("removedAt")])
            .where("profileId", "=", id),
        )
        .execute();
      await this.repo(trx).remove(id);
      await recordAudit(trx, {
        actor: principal,
        action: "profile.delete",
        profileId: id,
        before: { name: row.name },
      });
    });
  }

  /** Creates the Default profile on first start. */
  async ensureDefault(actor: Principal): Promise<void> {
    const existing = await this.repo().list();
    if (existing.length === 0) {
      await this.create(actor, { name: "Default", description: "Created at first start." });
    }
  }
}
