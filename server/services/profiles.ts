import type { AccessType } from "../../contract/common";
import { EWS_RETIREMENT_DATE, isExchangeOnlineEws } from "../../contract/ews-deadline";
import type { CreateProfileBody, Profile, UpdateProfileBody } from "../../contract/profiles";
import type { Principal } from "../auth/principal";
import { conflict, forbidden, notFound } from "../errors";
import { presentProfile } from "../presenters/profile";
import type { ProfileRow } from "../store/profiles-repo";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
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
  constructor(private readonly store: StoreAccess) {}

  /** The ids a principal may manage: undefined means all (platform admin). */
  visibleIds(principal: Principal): Promise<string[] | undefined> {
    return this.visibleIdsIn(this.store.repos, principal);
  }

  /** visibleIds() on the caller's unit of work (inside its transaction). */
  async visibleIdsIn(tx: UnitOfWork, principal: Principal): Promise<string[] | undefined> {
    if (principal.platformAdmin) return undefined;
    return principal.upn ? tx.profiles.idsAdministeredBy(principal.upn) : [];
  }

  /**
   * Loads a profile the principal may manage, or throws 404 (unknown) / 403 (not theirs).
   * Inside a transaction use authorizeIn: on SQLite the store has one connection, and a query outside
   * the transaction would wait for it forever.
   * @example const profile = await profiles.authorize(principal, req.params.id);
   */
  authorize(principal: Principal, profileId: string): Promise<ProfileRow> {
    return this.authorizeIn(this.store.repos, principal, profileId);
  }

  /** authorize() on the caller's unit of work (inside its transaction). */
  async authorizeIn(tx: UnitOfWork, principal: Principal, profileId: string): Promise<ProfileRow> {
    const row = await tx.profiles.find(profileId);
    if (!row) throw notFound("Profile not found. It may have been deleted.");
    const ids = await this.visibleIdsIn(tx, principal);
    if (ids && !ids.includes(profileId)) throw forbidden("You are not an admin of this profile.");
    return row;
  }

  private async accessTypes(
    ids?: string[],
  ): Promise<Map<string, { type: AccessType; ewsEndsOn: string | null }>> {
    if (ids?.length === 0) return new Map();
    const rows = await this.store.repos.mailboxAccess.typesAndSettings(ids);
    return new Map(
      rows.map((r) => [
        r.profileId,
        { type: r.type as AccessType, ewsEndsOn: ewsEndsOn(r.type, r.settings) },
      ]),
    );
  }

  async list(principal: Principal): Promise<Profile[]> {
    const ids = await this.visibleIds(principal);
    const repo = this.store.repos.profiles;
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
    const [counts, types] = await Promise.all([
      this.store.repos.profiles.countsByState([id]),
      this.accessTypes([id]),
    ]);
    return presentProfile(row, counts.get(id), types.get(id)?.type ?? null, types.get(id)?.ewsEndsOn);
  }

  async create(principal: Principal, input: CreateProfileBody): Promise<Profile> {
    if (!principal.platformAdmin) throw forbidden("Only platform admins can create profiles.");
    const row = await this.store.transaction(async (tx) => {
      const repo = tx.profiles;
      if (await repo.findByName(input.name)) {
        throw conflict(`A profile named "${input.name}" already exists.`);
      }
      const created = await repo.create(input);
      await recordAudit(tx, {
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
    await this.store.transaction(async (tx) => {
      const before = await this.authorizeIn(tx, principal, id);
      const repo = tx.profiles;
      if (
        patch.name !== undefined &&
        patch.name.toLowerCase() !== before.nameLower &&
        (await repo.findByName(patch.name))
      ) {
        throw conflict(`A profile named "${patch.name}" already exists.`);
      }
      if (patch.syncEnabled !== undefined && (patch.syncEnabled ? 1 : 0) !== before.syncEnabled) {
        // The roster is polled by updatedAt: pausing a profile must show on every one of its mailboxes.
        await tx.users.touchProfile(id);
      }
      await repo.update(id, {
        name: patch.name,
        description: patch.description,
        syncEnabled: patch.syncEnabled === undefined ? undefined : patch.syncEnabled ? 1 : 0,
        maxConcurrentConnections: patch.maxConcurrentConnections,
        stalledAfterHours: patch.stalledAfterHours,
        stalledAlertPercent: patch.stalledAlertPercent,
      });
      await recordAudit(tx, {
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
    await this.store.transaction(async (tx) => {
      const row = await this.authorizeIn(tx, principal, id);
      const counts = (await tx.profiles.countsByState([id])).get(id);
      if (counts && counts.active > 0) {
        throw conflict(
          `This profile still has ${counts.active} active user${counts.active === 1 ? "" : "s"}. Pause or move them first.`,
          { active: counts.active },
        );
      }
      const running = await tx.jobs.findOpen(id);
      if (running) {
        throw conflict("A job is still running for this profile. Cancel it first.", { jobId: running.id });
      }
      // Tell the sync service (through the roster) that these mailboxes are gone.
      await tx.users.tombstoneProfile(id);
      await tx.profiles.remove(id);
      await recordAudit(tx, {
        actor: principal,
        action: "profile.delete",
        profileId: id,
        before: { name: row.name },
      });
    });
  }

  /** Creates the Default profile on first start. */
  async ensureDefault(actor: Principal): Promise<void> {
    const existing = await this.store.repos.profiles.list();
    if (existing.length === 0) {
      await this.create(actor, { name: "Default", description: "Created at first start." });
    }
  }
}
