import { sql } from "kysely";
import type { UserState } from "../../contract/common";
import type { FailureCause } from "../../contract/problems";
import type { Db } from "./db-types";

/** What a check writes into the user row. */
export interface UserCheckUpdate {
  state?: UserState;
  stateBefore?: UserState | null;
  mailboxKind?: string | null;
  lastCheckedAt: string;
  /** Set when the result makes the mailbox active (it was not). */
  activeSince?: string;
  lastError: string | null;
  updatedAt: string;
  /** The check's failure (its cause, and the primary address for an alias), or null when it passed. */
  failure: { cause: FailureCause; primaryAddress: string | null } | null;
}

/** One check_history row. */
export interface CheckHistoryRow {
  userId: string;
  checkedAt: string;
  ok: number;
  code: string | null;
  message: string | null;
  ms: number;
  jobId: string | null;
}

/** Rows (or ids) per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/** Check results: history rows and the checked user's fields. */
export class CheckRepository {
  constructor(private readonly db: Db) {}

  insertHistory(row: CheckHistoryRow): Promise<unknown> {
    return this.insertHistoryRows([row]);
  }

  /** Many history rows, in one statement per 500. */
  async insertHistoryRows(rows: readonly CheckHistoryRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db
        .insertInto("checkHistory")
        .values(rows.slice(i, i + CHUNK))
        .execute();
    }
  }

  /**
   * Writes a check's outcome. A failure sets the cause (its first-seen time kept while the cause stays the
   * same); a pass hands the cause back to the latest sync report's (`sync_cause`), if any.
   */
  updateUser(userId: string, update: UserCheckUpdate): Promise<unknown> {
    return this.updateUsers([userId], update);
  }

  /** The same update for several users, in one statement per 500 (the failure's fields per row). */
  async updateUsers(userIds: readonly string[], update: UserCheckUpdate): Promise<void> {
    const { failure, ...fields } = update;
    const now = update.lastCheckedAt;
    const failureFields = failure
      ? {
          failureCause: failure.cause,
          failureSince: sql<string>`case when failure_cause = ${failure.cause} and failure_since is not null then failure_since else ${now} end`,
          failureSeenAt: now,
          primaryAddress: failure.primaryAddress,
        }
      : {
          failureCause: sql<string | null>`sync_cause`,
          failureSince: sql<
            string | null
          >`case when sync_cause is null then null when failure_cause = sync_cause then failure_since else last_sync_at end`,
          failureSeenAt: sql<string | null>`case when sync_cause is null then null else last_sync_at end`,
          primaryAddress: null,
        };
    for (let i = 0; i < userIds.length; i += CHUNK) {
      await this.db
        .updateTable("users")
        .set({ ...fields, ...failureFields })
        .where("id", "in", userIds.slice(i, i + CHUNK))
        .execute();
    }
  }

  /** The profile's users with these ids (ids of other profiles or unknown ones are absent). */
  usersOf(profileId: string, ids: readonly string[]) {
    return this.db
      .selectFrom("users")
      .select(["id", "address", "state", "stateBefore", "mailboxKind"])
      .where("profileId", "=", profileId)
      .where("id", "in", ids.length ? [...ids] : ["\u0000"])
      .execute();
  }
}
