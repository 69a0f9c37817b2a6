import type { JobKind } from "../../contract/jobs";
import type { CheckResult } from "../domain/access-outcome";
import type { Db } from "../store/db";

/** How a check is applied to a user. */
export type { CheckMode } from "../domain/user-lifecycle";
import type { CheckMode } from "../domain/user-lifecycle";

/** Checks one mailbox; never throws for what the server answered. */
export type MailboxChecker = (address: string, signal?: AbortSignal) => Promise<CheckResult>;

/** The user fields a result is applied to. */
export interface CheckedUser {
  id: string;
  state: string;
  stateBefore: string | null;
}

/**
 * What the runner needs from the EWS side: a checker per profile and the rule that turns a result into
 * the user's new state. `CheckService` (server/services/checks.ts) implements it; tests may pass a
 * checker over plain SOAP. `applyResult` runs inside the item's transaction (`db` is that transaction).
 */
export interface CheckPort {
  checkerFor(profileId: string): Promise<MailboxChecker>;
  applyResult(
    db: Db,
    user: CheckedUser,
    result: CheckResult,
    opts: { mode: CheckMode; jobId?: string },
  ): Promise<void>;
}

/** Users a new job works on, and what happens to them when it starts or ends early. One file per kind. */
export interface JobKindDefinition {
  kind: JobKind;
  mode: CheckMode;
  /** The users to check, in order. Runs inside the creating transaction. */
  selectUsers(db: Db, profileId: string, userIds?: string[]): Promise<string[]>;
  /** Marks the selected users (activation: `pending`, remembering the state before). */
  onCreate?(db: Db, jobId: string): Promise<void>;
  /** Undoes `onCreate` for users without a result when the job is cancelled or fails. */
  onAbort?(db: Db, jobId: string): Promise<void>;
}
