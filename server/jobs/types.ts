import type { JobKind } from "../../contract/jobs";
import type { CheckResult } from "../domain/access-outcome";
import type { UnitOfWork } from "../store/unit-of-work";

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
 * checker over plain SOAP. `applyResult` runs inside the item's transaction (`tx`, its unit of work).
 */
export interface CheckPort {
  checkerFor(profileId: string): Promise<MailboxChecker>;
  /** Move to Graph's job kinds (dry run, recheck after apply); absent where nothing wires them. */
  migrations?: MigrationJobPort;
  applyResult(
    tx: UnitOfWork,
    user: CheckedUser,
    result: CheckResult,
    opts: { mode: CheckMode; jobId?: string },
  ): Promise<void>;
  /**
   * Several results at once, as `applyResult` would write them one by one (set-based: a few statements
   * for a whole batch). The runner's result writer uses it when present.
   */
  applyResults?(
    tx: UnitOfWork,
    items: readonly { user: CheckedUser; result: CheckResult }[],
    opts: { mode: CheckMode; jobId?: string },
  ): Promise<void>;
}

/** The job as a kind's hooks see it. */
export interface JobRef {
  id: string;
  profileId: string;
}

/** What Move to Graph's job kinds need from the migration service (server/services/profile-migrations.ts). */
export interface MigrationJobPort {
  /** Checks mailboxes with the migration's candidate Graph access (throws AppError when it can't be opened). */
  dryRunChecker(jobId: string): Promise<MailboxChecker>;
  /** Stores a dry-run result (inside the item's transaction); the user's state is not touched. */
  writeDryRunResult(tx: UnitOfWork, jobId: string, user: CheckedUser, result: CheckResult): Promise<void>;
  /** Applies a recheck result to the user (recheck rules) and records it with the migration. */
  writeRecheckResult(tx: UnitOfWork, jobId: string, user: CheckedUser, result: CheckResult): Promise<void>;
}

/** Users a new job works on, and what happens to them when it starts or ends early. One file per kind. */
export interface JobKindDefinition {
  kind: JobKind;
  mode: CheckMode;
  /** The users to check, in order. Runs inside the creating transaction. */
  selectUsers(tx: UnitOfWork, profileId: string, userIds?: string[]): Promise<string[]>;
  /** Marks the selected users (activation: `pending`, remembering the state before). */
  onCreate?(tx: UnitOfWork, jobId: string): Promise<void>;
  /** Undoes `onCreate` for users without a result when the job is cancelled or fails. */
  onAbort?(tx: UnitOfWork, jobId: string): Promise<void>;
  /** A checker other than the profile's access (the dry run tries a candidate access). */
  checker?(port: CheckPort, job: JobRef): Promise<MailboxChecker>;
  /** Writes a result instead of `CheckPort.applyResult` (inside the item's transaction). */
  writeResult?(
    port: CheckPort,
    tx: UnitOfWork,
    job: JobRef,
    user: CheckedUser,
    result: CheckResult,
  ): Promise<void>;
}
