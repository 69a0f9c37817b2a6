import type { UserState } from "../../contract/common";
import type { Db } from "./db-types";

/** What a check writes into the user row. */
export interface UserCheckUpdate {
  state?: UserState;
  stateBefore?: UserState | null;
  mailboxKind?: string | null;
  lastCheckedAt: string;
  lastError: string | null;
  updatedAt: string;
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

  updateUser(userId: string, update: UserCheckUpdate): Promise<unknown> {
    return this.updateUsers([userId], update);
  }

  /** The same update for several users, in one statement per 500. */
  async updateUsers(userIds: readonly string[], update: UserCheckUpdate): Promise<void> {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      await this.db
        .updateTable("users")
        .set(update)
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
