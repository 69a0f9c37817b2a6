import type { ProblemAction, ProblemGroup, ProblemUser } from "../../contract/problems";
import type { Clock } from "../domain/clock";
import { DEFAULT_STALLED_AFTER_HOURS } from "../domain/stalled";
import type { ProblemTarget } from "../store/problems-repo";
import type { UserTable } from "../store/schema";
import type { UnitOfWork } from "../store/unit-of-work";
import { MAX_ACTION_USERS, USERS_PER_GROUP, type ProblemScope, type ProblemSource } from "./problems";

/** The Problems group of stalled mailboxes (not a failure cause: a flag beside the state). */
export const STALLED_CAUSE = "stalled";

const HOUR = 3_600_000;
const STALLED_ACTIONS: readonly ProblemAction[] = ["recheck", "pause"];

/** The link to a profile's user list filtered on stalled mailboxes (a client route). */
export const stalledUsersUrl = (profileId: string) =>
  `/profiles/${encodeURIComponent(profileId)}/users?stalled=true`;

/** When a mailbox quiet since `quiet` became stalled under a threshold of `hours`. */
const stalledAt = (quiet: string | null, hours: number): string | null =>
  quiet === null ? null : new Date(Date.parse(quiet) + hours * HOUR).toISOString();

const hoursText = (hours: number) => `${hours} hour${hours === 1 ? "" : "s"}`;

function fixFor(hours: readonly number[]): string {
  const threshold =
    hours.length === 1
      ? hoursText(hours[0])
      : `the profile's stalled threshold (${DEFAULT_STALLED_AFTER_HOURS} hours unless changed in its settings)`;
  return (
    `The sync service reports for other mailboxes of the profile but has sent no report for these for more than ${threshold}, ` +
    "counted from their last report or from when they became active. Check them again: a failure then names the cause " +
    "(and moves them to its group). When the check passes, Exchange lets this server in and the sync service skips them: " +
    "look for these addresses in its logs and make sure its key can read the roster (roster:read). " +
    "The flag clears with each mailbox's next report; pause the mailboxes you do not want synced."
  );
}

function presentStalledUser(row: UserTable, hours: number): ProblemUser {
  const quiet = [row.lastSyncAt, row.activeSince]
    .filter((t): t is string => t !== null)
    .sort()
    .at(-1);
  return {
    id: row.id,
    address: row.address,
    displayName: row.displayName,
    profileId: row.profileId,
    state: row.state,
    code: null,
    message: row.lastSyncAt
      ? `No sync report since ${row.lastSyncAt}.`
      : `No sync report since it became active${row.activeSince ? ` (${row.activeSince})` : ""}.`,
    primaryAddress: null,
    since: stalledAt(quiet ?? null, hours),
    seenAt: row.lastSyncAt,
  };
}

const targetOf = (row: UserTable): ProblemTarget => ({
  id: row.id,
  profileId: row.profileId,
  address: row.address,
  addressLower: row.addressLower,
  state: row.state,
  primaryAddress: null,
});

/**
 * Stalled sync in the Problems view (server/domain/stalled.ts has the rule): one group with the count,
 * when the first and the latest of them became stalled (`firstSeen`, `lastSeen`), the fix, the first
 * users, and "check again" (or pause) for all of them. Read at the injected clock's now, like the overview.
 * @example problems.addSource(new StalledProblemSource(clock));
 */
export class StalledProblemSource implements ProblemSource {
  readonly causes = [STALLED_CAUSE];

  constructor(private readonly clock: Clock) {}

  async groups(store: UnitOfWork, scope: ProblemScope): Promise<ProblemGroup[]> {
    const now = this.clock.now();
    const repo = store.stalled;
    // Side by side (PostgreSQL answers both on two connections): profiles without stalled mailboxes add
    // no users to the list, so it needn't wait for the summary.
    const [summary, users] = await Promise.all([
      repo.summary(scope.profileIds, now),
      repo.list(scope.profileIds, now, { limit: USERS_PER_GROUP }),
    ]);
    if (summary.size === 0) return [];
    const hoursOf = new Map([...summary].map(([id, s]) => [id, s.stalledAfterHours]));
    const first = [...summary.values()]
      .map((s) => stalledAt(s.firstQuiet, s.stalledAfterHours))
      .filter((t): t is string => t !== null)
      .sort();
    const last = [...summary.values()]
      .map((s) => stalledAt(s.lastQuiet, s.stalledAfterHours))
      .filter((t): t is string => t !== null)
      .sort();
    return [
      {
        cause: STALLED_CAUSE,
        title: "Sync stalled",
        count: [...summary.values()].reduce((n, s) => n + s.count, 0),
        firstSeen: first[0] ?? null,
        lastSeen: last.at(-1) ?? null,
        fix: fixFor([...new Set(hoursOf.values())]),
        powershell: null,
        action: "recheck",
        actions: [...STALLED_ACTIONS],
        profiles: [...summary]
          .map(([profileId, s]) => ({
            profileId,
            name: scope.profileNames.get(profileId) ?? profileId,
            count: s.count,
            usersUrl: stalledUsersUrl(profileId),
          }))
          .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
        users: users.map((u) =>
          presentStalledUser(u, hoursOf.get(u.profileId) ?? DEFAULT_STALLED_AFTER_HOURS),
        ),
      },
    ];
  }

  async targets(tx: UnitOfWork, profileIds: readonly string[], cause: string): Promise<ProblemTarget[]> {
    if (cause !== STALLED_CAUSE) return [];
    const rows = await tx.stalled.list(profileIds, this.clock.now(), {
      limit: MAX_ACTION_USERS,
    });
    return rows.map(targetOf);
  }

  actions(cause: string): readonly ProblemAction[] {
    return cause === STALLED_CAUSE ? STALLED_ACTIONS : [];
  }
}
