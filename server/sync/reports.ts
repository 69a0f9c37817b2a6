import { randomUUID } from "node:crypto";
import type { SyncReportBody, SyncSession } from "../../contract/sync";
import { notFound } from "../errors";
import type { Db } from "../store/db";
import { nowIso } from "../store/db";
import { SyncSessionRepository } from "../store/sync-sessions-repo";
import { ProblemRepository } from "../store/problems-repo";
import { classifySyncErrors } from "../domain/failure-cause";
import { RollupRepository } from "../store/rollups-repo";
import type { ServiceKeyIdentity } from "./service-keys";

/** Consecutive failed sessions of one mailbox after which its profile is alerted. */
export const SYNC_FAILURE_ALERT_AFTER = 3;

/** Finds an enrolled mailbox by address for a key (a key bound to a profile sees only that profile). */
export async function findMailboxForKey(db: Db, key: ServiceKeyIdentity, address: string) {
  let q = db.selectFrom("users").selectAll().where("addressLower", "=", address.toLowerCase());
  if (key.profileId) q = q.where("profileId", "=", key.profileId);
  const user = await q.executeTakeFirst();
  if (!user) throw notFound(`${address} is not enrolled in any profile this key may use.`);
  return user;
}

/**
 * Stores a sync session's outcome; the user gains `lastSyncAt` and the session's errors. Returns the
 * session and whether the mailbox has now failed `SYNC_FAILURE_ALERT_AFTER` times in a row.
 */
export async function recordSyncReport(
  db: Db,
  key: ServiceKeyIdentity,
  address: string,
  report: SyncReportBody,
): Promise<{ session: SyncSession; profileId: string; failingStreak: number }> {
  return db.transaction().execute(async (trx) => {
    const user = await findMailboxForKey(trx, key, address);
    const finishedAt = new Date(report.finishedAt).toISOString();
    const session = {
      id: randomUUID(),
      userId: user.id,
      serviceKeyId: key.id,
      startedAt: new Date(report.startedAt).toISOString(),
      finishedAt,
      itemsIn: report.itemsIn,
      itemsOut: report.itemsOut,
      ok: report.errors.length === 0 ? 1 : 0,
      errors: JSON.stringify(report.errors),
      receivedAt: nowIso(),
    };
    await trx.insertInto("syncSessions").values(session).execute();
    // A late report of an older session must not move "last synced" backwards.
    if (!user.lastSyncAt || user.lastSyncAt <= finishedAt) {
      await trx
        .updateTable("users")
        .set({
          lastSyncAt: finishedAt,
          syncErrors: report.errors.length ? JSON.stringify(report.errors) : null,
        })
        .where("id", "=", user.id)
        .execute();
      await new ProblemRepository(trx).setSyncCause(user.id, classifySyncErrors(report.errors), finishedAt);
    }
    await new RollupRepository(trx).addSyncReport(user.profileId, session.receivedAt, session.ok === 0);
    const recent = await trx
      .selectFrom("syncSessions")
      .select("ok")
      .where("userId", "=", user.id)
      .orderBy("finishedAt", "desc")
      .limit(SYNC_FAILURE_ALERT_AFTER)
      .execute();
    let failingStreak = 0;
    for (const r of recent) {
      if (r.ok === 1) break;
      failingStreak += 1;
    }
    return {
      session: {
        id: session.id,
        startedAt: session.startedAt,
        finishedAt,
        itemsIn: session.itemsIn,
        itemsOut: session.itemsOut,
        ok: session.ok === 1,
        errors: report.errors,
      },
      profileId: user.profileId,
      failingStreak,
    };
  });
}

/** The latest sync sessions of a user, newest first (for the panel's user drawer and the status view). */
export function recentSyncSessions(db: Db, userId: string, limit = 10): Promise<SyncSession[]> {
  return new SyncSessionRepository(db).recent(userId, limit);
}
