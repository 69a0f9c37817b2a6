import { z } from "zod";
import { Id, MailboxError, MailboxKind, UserState } from "./common";
import { SyncSession } from "./sync";
import { FailureCause } from "./problems";

/** Most users a list page, a paste or a bulk action takes at once. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_IMPORT_LINES = 10_000;
export const MAX_BULK_USERS = 10_000;

/** One problem the sync service reported for a mailbox in its latest session. */
export const SyncError = z.looseObject({ code: z.string(), message: z.string() });
export type SyncError = z.infer<typeof SyncError>;

/** A mailbox to sync, as every response shows it. */
export const User = z.object({
  id: Id,
  address: z.string(),
  displayName: z.string(),
  profileId: Id,
  state: UserState,
  mailboxKind: MailboxKind.nullable(),
  lastCheckedAt: z.string().nullable(),
  lastError: MailboxError.nullable(),
  lastSyncAt: z.string().nullable(),
  syncErrors: z.array(SyncError).nullable(),
  /**
   * Active and allowed to sync, yet no sync report for longer than the profile's threshold while the
   * profile's sync service reports for others (a flag beside the state, not a state).
   */
  stalled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof User>;

/** One past check of a mailbox (newest first in responses). */
export const CheckHistoryEntry = z.object({
  checkedAt: z.string(),
  ok: z.boolean(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  ms: z.number().int(),
  jobId: z.string().nullable(),
});
export type CheckHistoryEntry = z.infer<typeof CheckHistoryEntry>;

export const UserDetail = User.extend({
  checkHistory: z.array(CheckHistoryEntry),
  syncSessions: z.array(SyncSession),
});
export type UserDetail = z.infer<typeof UserDetail>;

/** `GET /profiles/:id/users`: state and cause filters, prefix search (address or display-name word), keyset cursor. */
export const ListUsersQuery = z.object({
  state: UserState.optional(),
  /** The users of a problem group (failing for this cause, not paused or pending). */
  cause: FailureCause.optional(),
  /** `true`: only stalled mailboxes (see `User.stalled`). */
  stalled: z.enum(["true"], { message: 'must be "true" (leave it out for every user)' }).optional(),
  q: z.string().trim().max(320).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z
    .string()
    .max(1000)
    .regex(/^[A-Za-z0-9_-]+$/, "must be the nextCursor of an earlier page")
    .optional(),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

/** `POST /profiles/:id/users`: pasted lines or CSV (optional header `address,displayName`). */
export const AddUsersBody = z.strictObject({
  text: z.string().min(1, "paste at least one address"),
});
export type AddUsersBody = z.infer<typeof AddUsersBody>;

export const AddUsersResult = z.object({
  added: z.number().int(),
  duplicates: z.array(z.object({ line: z.number().int(), address: z.string() })),
  invalid: z.array(z.object({ line: z.number().int(), input: z.string(), reason: z.string() })),
});
export type AddUsersResult = z.infer<typeof AddUsersResult>;

const UserIds = z
  .array(Id)
  .min(1, "send at least one user id")
  .max(MAX_BULK_USERS, `at most ${MAX_BULK_USERS.toLocaleString("en-US")} users at once`);

export const UserIdsBody = z.strictObject({ userIds: UserIds });
export type UserIdsBody = z.infer<typeof UserIdsBody>;

export const MoveUsersBody = z.strictObject({ userIds: UserIds, profileId: Id });
export type MoveUsersBody = z.infer<typeof MoveUsersBody>;

/** Answer of move, remove, pause and resume: how many users changed. */
export const BulkUsersResult = z.object({ count: z.number().int() });
export type BulkUsersResult = z.infer<typeof BulkUsersResult>;

export const ExportUsersQuery = z.object({ profileId: Id.optional() });
export type ExportUsersQuery = z.infer<typeof ExportUsersQuery>;
