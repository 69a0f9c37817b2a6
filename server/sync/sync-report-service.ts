import type { RosterMailbox, SyncReportBody, SyncSession } from "../../contract/sync";
import type { Logger } from "../logger";
import type { SettingsService } from "../services/settings";
import type { StoreAccess } from "../store/unit-of-work";
import { recordSyncReport } from "./reports";
import { listRoster } from "./roster";
import type { ServiceKeyIdentity } from "./service-keys";
import { evaluateSyncAlert } from "./sync-alerts";

/** A roster page's query, as the sync service sends it (`RosterQuery`). */
export interface RosterPageQuery {
  limit: number;
  updatedSince?: string;
  cursor?: string;
}

/**
 * What the sync service reads and reports through /api/v1/sync (routes/sync.ts): the roster a key may
 * see, and its sessions' outcomes (stored, then the profile's sync alert raised or cleared).
 * @example const page = await syncReports.roster(key, { limit: 500 });
 */
export class SyncReportService {
  constructor(
    private readonly store: StoreAccess,
    private readonly settings: SettingsService,
    private readonly log: Logger,
    /** The public URL the roster's gateway URLs are built on (BASE_URL). */
    private readonly baseUrl: string,
  ) {}

  /** A page of the roster: the key's profile's mailboxes, or every profile's for an unbound key. */
  roster(
    key: ServiceKeyIdentity,
    query: RosterPageQuery,
  ): Promise<{ data: RosterMailbox[]; nextCursor: string | null }> {
    return listRoster(this.store, { profileId: key.profileId, ...query, baseUrl: this.baseUrl });
  }

  /**
   * Stores a session of `address` (one transaction), then raises the profile's alert after
   * repeated failures or clears it once no mailbox has errors left. Answers the stored session.
   */
  async report(key: ServiceKeyIdentity, address: string, body: SyncReportBody): Promise<SyncSession> {
    const result = await recordSyncReport(this.store, key, address, body);
    await evaluateSyncAlert(
      { store: this.store, settings: this.settings, log: this.log },
      {
        profileId: result.profileId,
        address,
        failingStreak: result.failingStreak,
        lastError: body.errors[0]?.message,
      },
    );
    return result.session;
  }
}
