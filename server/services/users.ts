import { randomUUID } from "node:crypto";
import {
  MAX_IMPORT_LINES,
  type AddUsersResult,
  type BulkUsersResult,
  type ListUsersQuery,
  type User,
  type UserDetail,
} from "../../contract/users";
import type { Principal } from "../auth/principal";
import { AppError, conflict, forbidden, notFound, validationFailed } from "../errors";
import { presentCheck, presentUser } from "../presenters/user";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import type { NewUser, UserRef, UserRow } from "../store/users-repo";
import { recordAudit } from "./audit";
import { systemClock, type Clock } from "../domain/clock";
import { isStalled, serviceReporting, stalledCutoff } from "../domain/stalled";
import type { ProfileService } from "./profiles";
import { countNonBlankLines, parseUserPaste } from "./user-import";

const CHECK_HISTORY_SIZE = 20;
const SYNC_SESSIONS_SIZE = 10;
const IDS_IN_ERROR = 20;

/** A page of users and the cursor of the next one (null at the end). */
export interface UserPage {
  data: User[];
  nextCursor: string | null;
}

type BulkAction = "pause" | "resume" | "remove" | "move";

/** An opaque keyset cursor: the last address of a page, base64url. */
export const encodeCursor = (addressLower: string) => Buffer.from(addressLower, "utf8").toString("base64url");
function decodeCursor(cursor: string): string {
  const value = Buffer.from(cursor, "base64url").toString("utf8");
  if (!value || value.includes("\uFFFD")) {
    throw validationFailed("cursor: must be the nextCursor of an earlier page");
  }
  return value;
}

/**
 * Users (mailboxes to sync): listing and search, bulk add from a paste, move, remove, pause and resume,
 * each authorized against the caller's profiles and audited in the same transaction.
 */
export class UserService {
  constructor(
    private readonly store: StoreAccess,
    private readonly profiles: ProfileService,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The stalled rule for rows of one profile (the profile's half read once). */
  private async stalledRule(profileId: string): Promise<(row: UserRow) => boolean> {
    const profile = await this.store.repos.stalled.stallProfile(profileId);
    const now = this.clock.now();
    return (row) => profile !== null && isStalled(row, profile, now);
  }

  /** One page of a profile's users, sorted by lower-cased address. */
  async list(principal: Principal, profileId: string, query: ListUsersQuery): Promise<UserPage> {
    const now = this.clock.now();
    const listPage = (cutoff?: string) =>
      this.store.repos.users.list(profileId, {
        state: query.state,
        cause: query.cause,
        stalledCutoff: cutoff,
        prefix: query.q ? query.q.normalize("NFC").toLowerCase() : undefined,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        limit: query.limit + 1,
      });
    // The three reads don't depend on each other unless the page is of stalled mailboxes, so they go out
    // together: one round trip's wait instead of three on PostgreSQL. Nothing is returned before the
    // authorization has passed.
    const [, stall, listed] = await Promise.all([
      this.profiles.authorize(principal, profileId),
      this.store.repos.stalled.stallProfile(profileId),
      query.stalled ? undefined : listPage(),
    ]);
    const stalled = (row: UserRow) => stall !== null && isStalled(row, stall, now);
    if (query.stalled && (!stall || !stall.syncEnabled || !serviceReporting(stall, now))) {
      // The profile's half of the rule fails: none of its mailboxes is stalled.
      return { data: [], nextCursor: null };
    }
    const rows = listed ?? (await listPage(stalledCutoff(now, stall!.stalledAfterHours)));
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      data: page.map((row) => presentUser(row, stalled(row))),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.addressLower) : null,
    };
  }

  /**
   * Adds the valid lines of a paste to a profile as `not-activated`, all in one transaction. Lines whose
   * address exists in any profile, or repeats an earlier line, are reported as duplicates.
   */
  async addFromPaste(principal: Principal, profileId: string, text: string): Promise<AddUsersResult> {
    const lineCount = countNonBlankLines(text.replace(/^\uFEFF/, ""));
    // A header line doesn't count; anything beyond it is refused before parsing, so nothing is added.
    if (lineCount > MAX_IMPORT_LINES + 1) throw tooManyLines(lineCount);
    const parsed = parseUserPaste(text);
    if (parsed.dataLines > MAX_IMPORT_LINES) throw tooManyLines(parsed.dataLines);

    return this.store.transaction(async (tx) => {
      await this.profiles.authorizeIn(tx, principal, profileId);
      const repo = tx.users;
      const existing = await repo.existingAddresses([
        ...new Set(parsed.entries.map((e) => e.address.toLowerCase())),
      ]);
      const seen = new Set<string>();
      const duplicates: AddUsersResult["duplicates"] = [];
      const fresh: NewUser[] = [];
      for (const entry of parsed.entries) {
        const lower = entry.address.toLowerCase();
        if (existing.has(lower) || seen.has(lower)) {
          duplicates.push({ line: entry.line, address: entry.address });
          continue;
        }
        seen.add(lower);
        fresh.push({ id: randomUUID(), profileId, address: entry.address, displayName: entry.displayName });
      }
      try {
        await repo.insertMany(fresh);
      } catch (err) {
        throw uniqueViolation(err)
          ? conflict(
              "Some of these addresses were added by someone else at the same moment. Paste again to see which.",
            )
          : err;
      }
      if (fresh.length > 0) {
        await recordAudit(tx, {
          actor: principal,
          action: "users.import",
          profileId,
          after: { added: fresh.length, duplicates: duplicates.length, invalid: parsed.invalid.length },
        });
      }
      return { added: fresh.length, duplicates, invalid: parsed.invalid };
    });
  }

  /** A user and their latest checks. */
  async get(principal: Principal, id: string): Promise<UserDetail> {
    const repo = this.store.repos.users;
    const row = await repo.find(id);
    if (!row) throw notFound("User not found. They may have been removed.");
    await this.profiles.authorize(principal, row.profileId);
    const [history, syncSessions, stalled] = await Promise.all([
      repo.checkHistory(id, CHECK_HISTORY_SIZE),
      this.store.repos.syncSessions.recent(id, SYNC_SESSIONS_SIZE),
      this.stalledRule(row.profileId),
    ]);
    return { ...presentUser(row, stalled(row)), checkHistory: history.map(presentCheck), syncSessions };
  }

  pause = (principal: Principal, userIds: string[]) => this.bulk(principal, "pause", userIds);
  resume = (principal: Principal, userIds: string[]) => this.bulk(principal, "resume", userIds);
  remove = (principal: Principal, userIds: string[]) => this.bulk(principal, "remove", userIds);

  /** Moves users to another profile the caller manages; they must be activated again there. */
  move = (principal: Principal, userIds: string[], profileId: string) =>
    this.bulk(principal, "move", userIds, profileId);

  /**
   * Runs a bulk action after checking every id: unknown ids → 404, users of a profile the caller doesn't
   * manage → 403, users in a running activation (`pending`) → 409. Any refusal changes nothing.
   */
  private async bulk(
    principal: Principal,
    action: BulkAction,
    userIds: string[],
    targetProfileId?: string,
  ): Promise<BulkUsersResult> {
    return this.store.transaction(async (tx) => {
      const repo = tx.users;
      const refs = await this.authorizeUsers(principal, userIds, tx);
      if (targetProfileId !== undefined) await this.profiles.authorizeIn(tx, principal, targetProfileId);
      const pending = refs.filter((r) => r.state === "pending");
      if (pending.length > 0) {
        throw conflict(
          `${pending.length} of these users ${pending.length === 1 ? "is" : "are"} in a running activation. Wait for it to finish or cancel it first.`,
          { userIds: pending.slice(0, IDS_IN_ERROR).map((r) => r.id), count: pending.length },
        );
      }
      const ids = refs.map((r) => r.id);
      const targets =
        targetProfileId === undefined ? refs : refs.filter((r) => r.profileId !== targetProfileId);
      let count: number;
      switch (action) {
        case "pause":
          count = await repo.pause(ids);
          break;
        case "resume":
          count = await repo.resume(ids);
          break;
        case "remove":
          count = await repo.remove(ids);
          break;
        case "move":
          count = await repo.moveTo(
            targets.map((r) => r.id),
            targetProfileId!,
          );
          break;
      }
      await this.auditBulk(
        tx,
        principal,
        action,
        targetProfileId === undefined ? refs : targets,
        count,
        targetProfileId,
      );
      return { count };
    });
  }

  /** Loads the users behind the ids, refusing the whole request when one is unknown or not the caller's. */
  private async authorizeUsers(principal: Principal, userIds: string[], tx: UnitOfWork): Promise<UserRef[]> {
    const refs = await tx.users.refs(userIds);
    if (refs.length !== new Set(userIds).size) {
      const known = new Set(refs.map((r) => r.id));
      const missing = [...new Set(userIds)].filter((id) => !known.has(id));
      throw new AppError(
        404,
        "not_found",
        `${missing.length} of these users ${missing.length === 1 ? "does" : "do"} not exist (removed meanwhile?). Nothing was changed.`,
        {
          userIds: missing.slice(0, IDS_IN_ERROR),
          count: missing.length,
        },
      );
    }
    const visible = await this.profiles.visibleIdsIn(tx, principal);
    if (visible) {
      const allowed = new Set(visible);
      const outside = refs.filter((r) => !allowed.has(r.profileId));
      if (outside.length > 0) {
        throw forbidden(
          `${outside.length} of these users belong to profiles you don't manage. Nothing was changed.`,
        );
      }
    }
    return refs;
  }

  /** One audit event per profile touched, with the count and a few addresses (not all of them). */
  private async auditBulk(
    tx: UnitOfWork,
    principal: Principal,
    action: BulkAction,
    refs: UserRef[],
    count: number,
    targetProfileId?: string,
  ) {
    if (count === 0) return;
    const byProfile = new Map<string, UserRef[]>();
    for (const ref of refs) byProfile.set(ref.profileId, [...(byProfile.get(ref.profileId) ?? []), ref]);
    for (const [profileId, group] of byProfile) {
      await recordAudit(tx, {
        actor: principal,
        action: `users.${action}`,
        profileId,
        after: {
          count: group.length,
          addresses: group.slice(0, 10).map((r) => r.address),
          ...(targetProfileId ? { toProfileId: targetProfileId } : {}),
        },
      });
    }
  }

  /**
   * Walks the users of the given profile (or every profile the caller manages) in address order, a
   * batch at a time, so an export of 100,000 users never holds them all in memory.
   */
  async *exportRows(principal: Principal, profileId?: string): AsyncGenerator<User[]> {
    let ids: string[] | undefined;
    if (profileId) {
      await this.profiles.authorize(principal, profileId);
      ids = [profileId];
    } else {
      ids = await this.profiles.visibleIds(principal);
    }
    let after: string | undefined;
    for (;;) {
      const rows = await this.store.repos.users.exportPage(ids, after, 1000);
      if (rows.length === 0) return;
      yield rows.map((row) => presentUser(row));
      after = rows.at(-1)!.addressLower;
    }
  }
}

function tooManyLines(count: number): AppError {
  return new AppError(
    400,
    "too_many_lines",
    `The paste has ${count.toLocaleString("en-US")} lines; at most ${MAX_IMPORT_LINES.toLocaleString("en-US")} can be added at once. Split it and paste the rest separately. Nothing was added.`,
    { lines: count, max: MAX_IMPORT_LINES },
  );
}

/** True for a unique-constraint violation on either database. */
function uniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}
