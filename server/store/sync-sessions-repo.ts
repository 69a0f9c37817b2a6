import type { SyncSession } from "../../contract/sync";
import type { Db } from "./db-types";
import { parseJson } from "./json";

/** Sync sessions the sync service reported, per mailbox. */
export class SyncSessionRepository {
  constructor(private readonly db: Db) {}

  /** The latest sync sessions of a user, newest first (for the panel's user drawer and the status view). */
  async recent(userId: string, limit = 10): Promise<SyncSession[]> {
    const rows = await this.db
      .selectFrom("syncSessions")
      .selectAll()
      .where("userId", "=", userId)
      .orderBy("finishedAt", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      itemsIn: r.itemsIn,
      itemsOut: r.itemsOut,
      ok: r.ok === 1,
      errors: parseJson<SyncSession["errors"]>(r.errors) ?? [],
    }));
  }
}
