import { randomUUID } from "node:crypto";
import type { SyncReportBody, SyncSession } from "../../contract/sync";
import { notFound } from "../errors";
import { isoNow } from "../domain/clock";
import { classifySyncErrors } from "../domain/failure-cause";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import type { ServiceKeyIdentity } from "./service-keys";

/** Consecutive failed sessions of one mailbox after which its profile is alerted. */
export const SYNC_FAILURE_ALERT_AFTER = 3;

/** Finds an enrolled mailbox by address for a key (a key bound to a profile sees only that profile). */
export async function findMailboxForKey(repos: UnitOfWork, key: ServiceKeyIdentity, address: string) {
  const user = await repos.syncReports.findMailbox(address, key.profileId);
  if (!user) throw notFound(`${address} is not enrolled in any profile this key may use.`);
  return user;
}

/**
 * Stores a sync session's outcome; the user gains `lastSyncAt` and the session's errors. Returns the
 * session and whether the mailbox has now failed `SYNC_FAILURE_ALERT_AFTER` times in a row.
 */
export async function recordSyncReport(
  store: StoreAccess,
  key: ServiceKeyIdentity,
  address: string,
  report: SyncReportBody,
): Promise<{ session: SyncSession; profileId: string; failingStreak: number }> {
  return store.transaction(async (tx) => {
    const user = await findMailboxForKey(tx, key, address);
    const finishedAt = new Date(report.finishedAt).toISOString();
    const session = {
      id: randomUUID(),
      userId: user.id,
      serviceKeyId: key.id,
      startedAt: new Date(report.startedAt).toISOString(),
      finishedAt,
      itemsIn: report.itemsIn,
      itemsOut: report.itemsOut,
      ok: report.errors.length === 0,
      errors: report.errors,
      receivedAt: isoNow(),
    };
    await tx.syncReports.insertSession(session);
    // A late report of an older session must not move "last synced" backwards.
    if (!user.lastSyncAt || user.lastSyncAt <= finishedAt) {
      await tx.syncReports.setLastSync(user.id, finishedAt, report.errors);
      await tx.problems.setSyncCause(user.id, classifySyncErrors(report.errors), finishedAt);
    }
    await tx.rollups.addSyncReport(user.profileId, session.receivedAt, !session.ok);
    const failingStreak = await tx.syncReports.failingStreak(user.id, SYNC_FAILURE_ALERT_AFTER);
    return {
      session: {
        id: session.id,
        startedAt: session.startedAt,
        finishedAt,
        itemsIn: session.itemsIn,
        itemsOut: session.itemsOut,
        ok: session.ok,
        errors: report.errors,
      },
      profileId: user.profileId,
      failingStreak,
    };
  });
}
