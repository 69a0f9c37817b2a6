import type { MeStatus, MeStatusEnrolled, NotEnrolledReason } from "../../contract/me";
import { parseJson } from "../store/json";
import type { AccessType, MailboxError, UserState } from "../../contract/common";
import type { SyncError } from "../../contract/users";
import { allowedTenants } from "../auth/entra";
import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import { Coalescer } from "../store/coalesce";
import type { MailboxStatusRow, MeStatusRepository } from "../store/me-status-repo";
import type { StoreAccess } from "../store/unit-of-work";
import { recordAudit } from "./audit";
import { SettingsService } from "./settings";

/** How long the monitor interval is cached: /me/status is polled by every side pane. */
const SETTINGS_CACHE_MS = 30_000;
/**
 * `/me/status` lookups are coalesced (server/store/coalesce.ts): the people asking in one event-loop
 * turn, or while LOOKUPS_IN_FLIGHT queries run, share one query. A query's fixed cost (PostgreSQL's
 * round trip; SQLite's read transaction and statement run) is far larger than one more row's: at 50
 * connections this cut the server's CPU per request from 258 to 147 µs on PostgreSQL and from 162 to
 * 135 µs on SQLite (`npm run bench -- me-status-load`, Nov 2026). On SQLite queries never overlap.
 */
const LOOKUPS_IN_FLIGHT = 2;
const LOOKUPS_PER_QUERY = 100;

const NOT_ENROLLED_MESSAGES: Record<NotEnrolledReason, string> = {
  "not-found":
    "Your mailbox is not set up for sync. If you expected it to be, ask your admin to add your address to a profile.",
  guest:
    "You are signed in as a guest of this organization. Sync status is only shown to members; sign in with your own work account.",
  "tenant-not-allowed": "Your organization is not allowed to use this app. Ask your admin.",
  "no-upn":
    "Your sign-in did not include a user principal name, so your mailbox can't be matched. Ask your admin.",
  "linked-to-another-account":
    "This mailbox is already linked to another account. Ask your admin to check it.",
  "local-admin": "You are signed in as a local admin; a local admin has no mailbox to sync.",
};

const NEXT_STEP: Record<UserState, string> = {
  active: "Nothing to do: your mailbox is connected and syncing.",
  error:
    "Nothing needed from you: your mailbox can't be reached right now and your admin needs to fix the problem below. If it lasts, tell them the code below.",
  paused: "An admin paused sync for your mailbox. Ask your admin to resume it when you need it again.",
  pending: "Your mailbox is being activated. Check back in a few minutes.",
  "not-activated":
    "Your mailbox has been added but not activated yet. Your admin will activate it; nothing to do for now.",
};

/** Errors that resolve by themselves: what the person reads instead (nothing is needed from them). */
const RESOLVES_BY_ITSELF: Record<string, string> = {
  ErrorMailboxMoveInProgress:
    "Nothing needed from you: your mailbox is being moved to another server. This resolves by itself; sync picks up again when the move ends.",
  ErrorServerBusy:
    "Nothing needed from you: Exchange is busy and asked the sync to slow down. This resolves by itself; the next check tries again.",
  TooManyRequests:
    "Nothing needed from you: Exchange is busy and asked the sync to slow down. This resolves by itself; the next check tries again.",
  ApplicationThrottled:
    "Nothing needed from you: Exchange is busy and asked the sync to slow down. This resolves by itself; the next check tries again.",
  ErrorMailboxStoreUnavailable:
    "Nothing needed from you: your mailbox's database is briefly unavailable in Exchange. This resolves by itself; the next check tries again.",
  ErrorTooManyObjectsOpened:
    "Nothing needed from you: Exchange is busy. This resolves by itself; the next check tries again.",
  ServerUnavailable:
    "Nothing needed from you: Exchange could not be reached for a moment. This usually resolves by itself; the next check tries again.",
  Timeout:
    "Nothing needed from you: Exchange did not answer in time. This usually resolves by itself; the next check tries again.",
  ConnectionDropped:
    "Nothing needed from you: the connection to Exchange dropped. This usually resolves by itself; the next check tries again.",
};

/** The rare errors only the person can fix: what to do. */
const YOURS_TO_FIX: Record<string, string> = {
  ErrorQuotaExceeded:
    "Your mailbox is full: delete or archive some mail (in Outlook: File > Tools > Mailbox Cleanup). Sync picks up again by itself after that.",
};

/**
 * The end user's own sync status (`GET /me/status`). The caller's mailbox is found by `oid`; it is linked
 * the first time a member (not a guest) of an allowed tenant presents a `upn` equal to its address.
 * `email` and `preferred_username` are never used: people can change them, and they are not verified.
 */
export class MeStatusService {
  private interval: { minutes: number; until: number } | undefined;
  private readonly settings: SettingsService;
  private readonly tenants: string[];
  private readonly byObjectId: Coalescer<string, MailboxStatusRow>;

  constructor(
    private readonly store: StoreAccess,
    config: Config,
  ) {
    this.settings = new SettingsService(store, config);
    this.tenants = allowedTenants(config.entra);
    const repo = store.repos.meStatus;
    this.byObjectId = new Coalescer(
      async (oids) => new Map((await repo.findByObjectIds(oids)).map((row) => [row.entraObjectId!, row])),
      {
        maxInFlight: repo.queriesOverlap ? LOOKUPS_IN_FLIGHT : 1,
        maxBatch: LOOKUPS_PER_QUERY,
        gatherTurn: true,
      },
    );
  }

  /** The caller's own status, never anyone else's: there is no parameter to ask for another person. */
  async status(principal: Principal): Promise<MeStatus> {
    if (principal.kind !== "entra" || !principal.oid) return this.notEnrolled("local-admin");
    const linked = await this.byObjectId.get(principal.oid);
    if (linked) return this.present(linked, this.cachedInterval() ?? (await this.monitorIntervalMinutes()));
    return this.linkOnFirstSignIn(principal, this.store.repos.meStatus);
  }

  private async linkOnFirstSignIn(principal: Principal, repo: MeStatusRepository): Promise<MeStatus> {
    if (principal.guest) return this.notEnrolled("guest");
    if (!principal.tid || !this.tenants.includes(principal.tid.toLowerCase())) {
      return this.notEnrolled("tenant-not-allowed");
    }
    if (!principal.upn) return this.notEnrolled("no-upn");
    const candidate = await repo.findByAddress(principal.upn);
    if (!candidate) return this.notEnrolled("not-found");
    if (candidate.entraObjectId && candidate.entraObjectId !== principal.oid) {
      return this.notEnrolled("linked-to-another-account");
    }
    const linked = await this.store.transaction(async (tx) => {
      const done = await tx.meStatus.link(candidate.id, principal.oid!);
      if (done) {
        await recordAudit(tx, {
          actor: principal,
          action: "user.link_entra",
          profileId: candidate.profileId,
          target: candidate.address,
          after: { entraObjectId: principal.oid },
        });
      }
      return done;
    });
    // Another request may have linked it a moment ago: read again rather than guess.
    const row = linked
      ? { ...candidate, entraObjectId: principal.oid! }
      : await repo.findByObjectId(principal.oid!);
    return row
      ? this.present(row, await this.monitorIntervalMinutes())
      : this.notEnrolled("linked-to-another-account");
  }

  private notEnrolled(reason: NotEnrolledReason): MeStatus {
    return { enrolled: false, reason, message: NOT_ENROLLED_MESSAGES[reason] };
  }

  /** `monitorMinutes`: the monitor's interval (synchronous: polled, this path awaits only its lookup). */
  private present(row: MailboxStatusRow, monitorMinutes: number): MeStatusEnrolled {
    const state = row.state as UserState;
    const syncEnabled = row.profileSyncEnabled === 1;
    const lastError = parseJson<MailboxError>(row.lastError);
    const adminAlerted = row.profileAlert !== null;
    let whatToDoNext = NEXT_STEP[state] ?? NEXT_STEP["not-activated"];
    let yourAction: MeStatusEnrolled["yourAction"] = "none";
    const code = lastError?.code ?? "";
    if (!syncEnabled && state !== "paused") {
      whatToDoNext = "Sync is paused for everyone in your group (profile). Ask your admin when it resumes.";
    } else if (state === "error" && YOURS_TO_FIX[code]) {
      whatToDoNext = YOURS_TO_FIX[code];
      yourAction = "act";
    } else if (state === "error" && RESOLVES_BY_ITSELF[code]) {
      whatToDoNext = RESOLVES_BY_ITSELF[code];
      yourAction = "wait";
    } else if (state === "error" && adminAlerted) {
      // The panel says separately that the admins were alerted (adminAlerted).
      whatToDoNext =
        "Nothing needed from you: your mailbox can't be reached right now and your admin needs to fix the problem below.";
    } else if (state === "pending") {
      yourAction = "wait";
    }
    return {
      enrolled: true,
      address: row.address,
      displayName: row.displayName,
      profileName: row.profileName,
      profileSyncEnabled: syncEnabled,
      accessType: (row.accessType as AccessType | null) ?? null,
      state,
      lastCheckedAt: row.lastCheckedAt,
      nextCheckAt: this.nextCheckAt(row, state, syncEnabled, monitorMinutes),
      lastError: state === "active" ? null : lastError,
      lastSyncAt: row.lastSyncAt,
      syncErrors: parseJson<SyncError[]>(row.syncErrors),
      whatToDoNext,
      adminAlerted,
      yourAction,
    };
  }

  private nextCheckAt(
    row: MailboxStatusRow,
    state: UserState,
    syncEnabled: boolean,
    minutes: number,
  ): string | null {
    if (!syncEnabled || (state !== "active" && state !== "error")) return null;
    if (minutes <= 0) return null;
    const from = row.lastCheckedAt ? Date.parse(row.lastCheckedAt) : Date.now();
    return new Date(Math.max(from + minutes * 60_000, Date.now())).toISOString();
  }

  /** The monitor's interval while cached, else undefined. */
  private cachedInterval(): number | undefined {
    return this.interval && this.interval.until > Date.now() ? this.interval.minutes : undefined;
  }

  private async monitorIntervalMinutes(): Promise<number> {
    const cached = this.cachedInterval();
    if (cached !== undefined) return cached;
    const minutes = (await this.settings.effective()).monitorIntervalMinutes;
    this.interval = { minutes, until: Date.now() + SETTINGS_CACHE_MS };
    return minutes;
  }
}
