import type { SyncSession } from "../../contract/sync";
import type { Db } from "./db-types";
import type { UserRow } from "./users-repo";

/** A reported session as it is stored (its errors written as JSON here). */
export interface NewSyncSession {
  id: string;
  userId: string;
  serviceKeyId: string;
  startedAt: string;
  finishedAt: string;
  itemsIn: number;
  itemsOut: number;
  ok: boolean;
  errors: SyncSession["errors"];
  receivedAt: string;
}

/** SQL of the sync service's reports: the mailbox a report is for, its session, the user's last sync. */
export class SyncReportRepository {
  constructor(private readonly db: Db) {}

  /** An enrolled mailbox by address; `profileId` limits it to one profile (a key bound to a profile). */
  findMailbox(address: string, profileId: string | null): Promise<UserRow | undefined> {
    let q = this.db.selectFrom("users").selectAll().where("addressLower", "=", address.toLowerCase());
    if (profileId) q = q.where("profileId", "=", profileId);
    return q.executeTakeFirst();
  }

  async insertSession(session: NewSyncSession): Promise<void> {
    await this.db
      .insertInto("syncSessions")
      .values({ ...session, ok: session.ok ? 1 : 0, errors: JSON.stringify(session.errors) })
      .execute();
  }

  /** The user's last sync and its errors (none: cleared). */
  async setLastSync(userId: string, finishedAt: string, errors: SyncSession["errors"]): Promise<void> {
    await this.db
      .updateTable("users")
      .set({ lastSyncAt: finishedAt, syncErrors: errors.length ? JSON.stringify(errors) : null })
      .where("id", "=", userId)
      .execute();
  }

  /** How many of the user's latest sessions (at most `max`) failed in a row, newest first. */
  async failingStreak(userId: string, max: number): Promise<number> {
    const recent = await this.db
      .selectFrom("syncSessions")
      .select("ok")
      .where("userId", "=", userId)
      .orderBy("finishedAt", "desc")
      .limit(max)
      .execute();
    let streak = 0;
    for (const r of recent) {
      if (r.ok === 1) break;
      streak += 1;
    }
    return streak;
  }
}
