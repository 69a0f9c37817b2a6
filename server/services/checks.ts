import type { CheckUserResult } from "../../contract/connectivity";
import type { UserState } from "../../contract/common";
import type { CheckResult } from "../domain/access-outcome";
import type { Principal } from "../auth/principal";
import { validationFailed } from "../errors";
import { isThrottled } from "../domain/throttled";
import { isoNow as nowIso } from "../domain/clock";
import type { UserCheckUpdate } from "../store/checks-repo";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import type { MailboxAccessService } from "./mailbox-access";
import type { ProfileService } from "./profiles";
import type { CheckedUser, MigrationJobPort } from "../jobs/types";
import { noMetrics, type Metrics } from "../metrics/metrics";
import { checkEvent, nextState, transition, type CheckMode } from "../domain/user-lifecycle";
import { classifyFailure } from "../domain/failure-cause";

export { nextState, type CheckMode } from "../domain/user-lifecycle";

/** One mailbox checker bound to a profile's opened configuration. */
export type Checker = (address: string, signal?: AbortSignal) => Promise<CheckResult>;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** What a check result changes in its user's row (DESIGN.md "States"). */
function userUpdate(user: CheckedUser, result: CheckResult, mode: CheckMode, now: string): UserCheckUpdate {
  const update: UserCheckUpdate = {
    lastCheckedAt: now,
    lastError:
      result.ok || !result.error
        ? null
        : JSON.stringify({
            code: result.error.code,
            message: result.error.message,
            remediation: result.error.remediation,
          }),
    updatedAt: now,
    failure:
      result.ok || !result.error
        ? null
        : {
            cause: result.error.cause ?? classifyFailure(result.error),
            primaryAddress: result.error.primaryAddress ?? null,
          },
  };
  const next = transition(checkEvent(mode, result.ok), {
    state: user.state as UserState,
    stateBefore: user.stateBefore as UserState | null,
  });
  if (next) {
    update.state = next.state;
    update.stateBefore = next.stateBefore;
    // Stalled sync counts from the moment a mailbox became active (server/domain/stalled.ts).
    if (next.state === "active" && user.state !== "active") update.activeSince = now;
  }
  // null means "couldn't tell this time" (room lists unreadable): keep a kind learned earlier.
  if (result.ok && result.mailboxKind) update.mailboxKind = result.mailboxKind;
  return update;
}

/**
 * Checks mailboxes through the profile's access type and writes the results. The jobs call
 * `checkerFor` + `applyResult` inside their own transactions; `checkNow` serves the API.
 */
export class CheckService {
  /** Move to Graph's job kinds (set where the migration service is wired: server/context.ts). */
  migrations?: MigrationJobPort;
  /** Counts every check by access type and outcome (set in server/context.ts). */
  metrics: Metrics = noMetrics;

  constructor(
    private readonly store: StoreAccess,
    private readonly mailboxAccess: MailboxAccessService,
    private readonly profiles?: ProfileService,
  ) {}

  /** Loads and opens the profile's access config once; returns a checker (throws AppError precondition_failed if not configured). */
  async checkerFor(profileId: string): Promise<Checker> {
    const { type, config } = await this.mailboxAccess.require(profileId);
    const metrics = this.metrics;
    return async (address, signal) => {
      try {
        const result = await type.check(config, address, signal);
        // The access type tells an app's RBAC refusal from a service account's impersonation scope.
        if (!result.ok && result.error && !result.error.cause) {
          result.error.cause = classifyFailure({ ...result.error, accessType: type.id });
        }
        if (metrics.enabled) {
          const error = result.ok ? undefined : result.error;
          metrics.checked(
            type.id,
            result.ok ? "ok" : error && isThrottled(error) ? "throttled" : "failed",
            error?.code,
          );
        }
        return result;
      } catch (error) {
        metrics.checked(type.id, "failed", "Unknown");
        // A module must not throw for what the server answered; anything else is a bug, kept transient.
        return {
          ok: false,
          ms: 0,
          error: {
            code: "Unknown",
            message: `Unexpected error: ${(error as Error).message}`,
            remediation: "Retry; if it persists, check the server logs.",
            transient: true,
          },
        };
      }
    };
  }

  /**
   * Writes one result: a check_history row, and the user's state/lastCheckedAt/lastError/mailboxKind per
   * DESIGN.md's states (activate: → active|error; recheck: active/error re-evaluated; check-now on
   * not-activated: only lastCheckedAt/lastError). Pass the transaction so the job item and the user are
   * written together.
   */
  applyResult(
    tx: UnitOfWork,
    user: CheckedUser,
    result: CheckResult,
    opts: { mode: CheckMode; jobId?: string },
  ): Promise<void> {
    return this.applyResults(tx, [{ user, result }], opts);
  }

  /**
   * Writes several results as `applyResult` does, set-based: one insert of their history rows and one
   * update per distinct change of the users (a bulk job's results mostly make the same change, so one
   * or two statements for a batch instead of two per result; on PostgreSQL each statement is a round trip).
   */
  async applyResults(
    tx: UnitOfWork,
    items: readonly { user: CheckedUser; result: CheckResult }[],
    opts: { mode: CheckMode; jobId?: string },
  ): Promise<void> {
    if (items.length === 0) return;
    const repo = tx.checks;
    const now = nowIso();
    await repo.insertHistoryRows(
      items.map(({ user, result }) => ({
        userId: user.id,
        checkedAt: now,
        ok: result.ok ? 1 : 0,
        code: result.error?.code ?? null,
        message: result.error?.message ?? null,
        ms: Math.max(0, Math.round(result.ms)),
        jobId: opts.jobId ?? null,
      })),
    );
    const groups = new Map<string, { update: UserCheckUpdate; userIds: string[] }>();
    for (const { user, result } of items) {
      const update = userUpdate(user, result, opts.mode, now);
      const key = JSON.stringify(update);
      const group = groups.get(key);
      if (group) group.userIds.push(user.id);
      else groups.set(key, { update, userIds: [user.id] });
    }
    for (const { update, userIds } of groups.values()) await repo.updateUsers(userIds, update);
  }

  /** POST /profiles/:id/checks: checks up to 50 of the profile's users now, concurrently within the profile's limit. */
  async checkNow(principal: Principal, profileId: string, userIds: string[]): Promise<CheckUserResult[]> {
    const profile = this.profiles ? await this.profiles.authorize(principal, profileId) : undefined;
    const users = await this.store.repos.checks.usersOf(profileId, userIds);
    const found = new Set(users.map((u) => u.id));
    const missing = [...new Set(userIds)].filter((id) => !found.has(id));
    if (missing.length) {
      throw validationFailed(
        `${missing.length} of the users are not in this profile.`,
        missing.slice(0, 50).map((id) => ({ path: "userIds", message: `unknown user ${id}`, id })),
      );
    }
    const check = await this.checkerFor(profileId);
    const concurrency = Math.min(10, profile?.maxConcurrentConnections ?? 10);
    return mapLimit(users, concurrency, async (user) => {
      const result = await check(user.address, AbortSignal.timeout(60_000));
      // Busy is Exchange's load, not the mailbox's health: nothing is written, the caller is told when to
      // try again (the rule of the jobs: throttling never ends a user in error).
      const throttled = !result.ok && result.error !== undefined && isThrottled(result.error);
      if (!throttled) {
        await this.store.transaction(async (tx) => {
          await this.applyResult(tx, user, result, { mode: "check-now" });
          await tx.rollups.addChecks(profileId, nowIso(), 1, result.ok ? 0 : 1);
        });
      }
      return {
        userId: user.id,
        address: user.address,
        ok: result.ok,
        ms: result.ms,
        state: throttled ? user.state : (nextState("check-now", user.state, result.ok) ?? user.state),
        mailboxKind: (result.ok ? result.mailboxKind : null) ?? user.mailboxKind ?? null,
        error: result.error
          ? {
              code: result.error.code,
              message: result.error.message,
              remediation: result.error.remediation,
              transient: result.error.transient,
            }
          : null,
        ...(throttled ? { backOffMs: Math.round(result.error?.backOffMs ?? 1_000) } : {}),
      };
    });
  }
}
