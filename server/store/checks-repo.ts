import type { UserState } from "../../contract/common";
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
}

/** Check results: history rows and the checked user's fields. */
export class CheckRepository {
  constructor(private readonly db: Db) {}

  insertHistory(row: {
    userId: string;
    checkedAt: string;
    ok: number;
    code: string | null;
    message: string | null;
    ms: number;
    jobId: string | null;
  }): Promise<unknown> {
    return this.db.insertInto("checkHistory").values(row).execute();
  }

  updateUser(userId: string, update: UserCheckUpdate): Promise<unknown> {
    return this.db.updateTable("users").set(update).where("id", "=", userId).execute();
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
