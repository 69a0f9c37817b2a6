import type { MailboxError, MailboxKind } from "../../contract/common";
import { parseJson } from "../store/json";
import type { CheckHistoryEntry, SyncError, User } from "../../contract/users";
import type { CheckHistoryRow, UserRow } from "../store/users-repo";

/** The fields a user response carries, and nothing else; `stalled` is the stalled rule's verdict for the row. */
export function presentUser(row: UserRow, stalled = false): User {
  return {
    id: row.id,
    address: row.address,
    displayName: row.displayName,
    profileId: row.profileId,
    state: row.state,
    mailboxKind: row.mailboxKind as MailboxKind | null,
    lastCheckedAt: row.lastCheckedAt,
    lastError: parseJson<MailboxError>(row.lastError),
    lastSyncAt: row.lastSyncAt,
    syncErrors: parseJson<SyncError[]>(row.syncErrors),
    stalled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** One past check of a mailbox. */
export function presentCheck(row: CheckHistoryRow): CheckHistoryEntry {
  return {
    checkedAt: row.checkedAt,
    ok: row.ok === 1,
    code: row.code,
    message: row.message,
    ms: row.ms,
    jobId: row.jobId,
  };
}
