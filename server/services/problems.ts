import {
  failureCauses,
  failureCauseTitles,
  type FailureCause,
  type ProblemAction,
  type ProblemActionResult,
  type ProblemGroup,
  type ProblemUser,
  type Problems,
} from "../../contract/problems";
import type { MailboxError, UserState } from "../../contract/common";
import type { SyncError } from "../../contract/users";
import type { Principal } from "../auth/principal";
import { AppError, conflict, notFound } from "../errors";
import { CAUSE_ADVICE } from "../domain/failure-cause";
import { accessEnvironment, adviceFor } from "../domain/access-advice";
import { parseJson } from "../store/json";
import type { ProblemTarget, ProblemUserRow } from "../store/problems-repo";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import { jobSignals } from "../jobs/signals";
import { recordAudit } from "./audit";
import type { JobService } from "./jobs";
import type { ProfileService } from "./profiles";
import type { UserService } from "./users";

/** Users listed per group (the rest are in the user list, filtered by cause). */
export const USERS_PER_GROUP = 10;
/** Most users one bulk action takes (the user services' limit). */
export const MAX_ACTION_USERS = 10_000;

/** What a source gets to build its groups. */
export interface ProblemScope {
  /** The profiles looked at (undefined = every profile: a platform admin's all-profiles view). */
  profileIds: readonly string[] | undefined;
  profileNames: ReadonlyMap<string, string>;
  /** Set for a single profile's view: its access settings fill the PowerShell's placeholders. */
  profileId?: string;
}

/**
 * One source of problem groups. The failure causes are the first; others (the stalled mailboxes of the
 * Overview, for one) add theirs with `ProblemService.addSource` and their users for the bulk actions.
 */
export interface ProblemSource {
  /** The groups (causes) this source answers for. */
  readonly causes: readonly string[];
  groups(store: UnitOfWork, scope: ProblemScope): Promise<ProblemGroup[]>;
  /** The users of one of its groups in these profiles (inside the action's transaction). */
  targets(tx: UnitOfWork, profileIds: readonly string[], cause: string): Promise<ProblemTarget[]>;
  /** The actions one of its groups allows. */
  actions(cause: string): readonly ProblemAction[];
}

/** The link to a profile's user list filtered by a group (a client route). */
export const usersUrl = (profileId: string, cause: string) =>
  `/profiles/${encodeURIComponent(profileId)}/users?cause=${encodeURIComponent(cause)}`;

function presentProblemUser(row: ProblemUserRow): ProblemUser {
  const error = parseJson<MailboxError>(row.lastError);
  const sync = parseJson<SyncError[]>(row.syncErrors)?.[0];
  return {
    id: row.id,
    address: row.address,
    displayName: row.displayName,
    profileId: row.profileId,
    state: row.state as UserState,
    code: error?.code ?? sync?.code ?? null,
    message: error?.message ?? sync?.message ?? null,
    primaryAddress: row.primaryAddress,
    since: row.failureSince,
    seenAt: row.failureSeenAt,
  };
}

/** Fills the advice's placeholders with what the profile's access settings name. */
function fillPlaceholders(text: string, settings: Record<string, unknown> | undefined): string {
  if (!settings) return text;
  const str = (k: string) => (typeof settings[k] === "string" ? settings[k] : undefined);
  const account = str("accountLogon") ?? str("accountUpn") ?? str("expectedUpn");
  const app = str("clientId");
  const sp = str("servicePrincipalObjectId");
  let out = text;
  if (account) out = out.replaceAll("<service account>", account);
  if (app) out = out.replaceAll("<app id>", app);
  if (sp) out = out.replaceAll("<enterprise app object id>", sp);
  return out;
}

/** The failure causes stored on users (`users.failure_cause`), grouped by one GROUP BY. */
export class FailureCauseSource implements ProblemSource {
  readonly causes = failureCauses;

  async groups(store: UnitOfWork, scope: ProblemScope): Promise<ProblemGroup[]> {
    const repo = store.problems;
    const counts = await repo.counts(scope.profileIds);
    if (counts.length === 0) return [];
    const byCause = new Map<string, typeof counts>();
    for (const c of counts) {
      const list = byCause.get(c.cause);
      if (list) list.push(c);
      else byCause.set(c.cause, [c]);
    }
    const [users, access] = await Promise.all([
      repo.firstUsers(scope.profileIds, [...byCause.keys()], USERS_PER_GROUP),
      store.mailboxAccess.typesAndSettings(scope.profileIds),
    ]);
    const accessOf = new Map(access.map((a) => [a.profileId, a]));
    const groups: ProblemGroup[] = [];
    for (const [cause, rows] of byCause) {
      const known = (failureCauses as readonly string[]).includes(cause);
      // The PowerShell of the group's access environment when its profiles share one; the placeholders
      // filled from the profile's settings when the group spans one profile.
      const environments = new Set(
        rows.map((r) => {
          const a = accessOf.get(r.profileId);
          return a ? accessEnvironment(a.type, a.settings) : null;
        }),
      );
      const advice = adviceFor(
        (known ? cause : "other") as FailureCause,
        environments.size === 1 ? [...environments][0]! : null,
      );
      const only = rows.length === 1 ? accessOf.get(rows[0].profileId) : undefined;
      const settings = only ? (parseJson<Record<string, unknown>>(only.settings) ?? undefined) : undefined;
      const first = rows.map((r) => r.firstSeen).filter((v): v is string => v !== null);
      const last = rows.map((r) => r.lastSeen).filter((v): v is string => v !== null);
      groups.push({
        cause,
        title: known ? failureCauseTitles[cause as FailureCause] : cause,
        count: rows.reduce((n, r) => n + r.count, 0),
        firstSeen: first.length ? first.reduce((a, b) => (a < b ? a : b)) : null,
        lastSeen: last.length ? last.reduce((a, b) => (a > b ? a : b)) : null,
        fix: advice.fix,
        powershell: advice.powershell ? fillPlaceholders(advice.powershell, settings) : null,
        action: advice.action,
        actions: [...advice.actions],
        profiles: rows
          .map((r) => ({
            profileId: r.profileId,
            name: scope.profileNames.get(r.profileId) ?? r.profileId,
            count: r.count,
            usersUrl: usersUrl(r.profileId, cause),
          }))
          .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
        users: users.filter((u) => u.failureCause === cause).map(presentProblemUser),
      });
    }
    return groups;
  }

  targets(tx: UnitOfWork, profileIds: readonly string[], cause: string): Promise<ProblemTarget[]> {
    return tx.problems.targets(profileIds, cause);
  }

  actions(cause: string): readonly ProblemAction[] {
    return (failureCauses as readonly string[]).includes(cause)
      ? CAUSE_ADVICE[cause as FailureCause].actions
      : [];
  }
}

/**
 * Problems: a profile's failures (or those of every profile the caller administers) grouped by cause,
 * each with its fix, and one bulk action per group: check again (a recheck-users job per profile), pause,
 * remove (the user services, audited there), or replace aliases by their primary address (one
 * transaction, audited, tombstones for the old addresses).
 */
export class ProblemService {
  private readonly sources: ProblemSource[] = [new FailureCauseSource()];

  constructor(
    private readonly store: StoreAccess,
    private readonly profiles: ProfileService,
    private readonly users: UserService,
    private readonly jobs: JobService,
  ) {}

  /** Adds a source of groups (e.g. the stalled mailboxes); its groups join the list, largest first. */
  addSource(source: ProblemSource): void {
    this.sources.push(source);
  }

  /** GET /profiles/:id/problems */
  async forProfile(principal: Principal, profileId: string): Promise<Problems> {
    const profile = await this.profiles.authorize(principal, profileId);
    return this.build({
      profileIds: [profileId],
      profileNames: new Map([[profileId, profile.name]]),
      profileId,
    });
  }

  /** GET /problems: every profile the caller administers. */
  async forAll(principal: Principal): Promise<Problems> {
    const ids = await this.profiles.visibleIds(principal);
    const rows = await this.store.repos.profiles.list(ids);
    return this.build({ profileIds: ids, profileNames: new Map(rows.map((r) => [r.id, r.name])) });
  }

  private async build(scope: ProblemScope): Promise<Problems> {
    const lists = await Promise.all(this.sources.map((s) => s.groups(this.store.repos, scope)));
    const groups = lists.flat().sort((a, b) => b.count - a.count || a.title.localeCompare(b.title));
    return { total: groups.reduce((n, g) => n + g.count, 0), groups };
  }

  private sourceOf(cause: string): ProblemSource {
    const source = this.sources.find((s) => s.causes.includes(cause));
    if (!source) throw notFound(`No problem group "${cause}".`);
    return source;
  }

  /**
   * POST /profiles/:id/problems/:cause/actions (profileId) or /problems/:cause/actions (every profile
   * the caller administers).
   */
  async act(
    principal: Principal,
    profileId: string | undefined,
    cause: string,
    action: ProblemAction,
  ): Promise<ProblemActionResult> {
    const source = this.sourceOf(cause);
    if (!source.actions(cause).includes(action)) {
      throw new AppError(
        400,
        "action_not_allowed",
        `"${action}" does not fit the group "${cause}"; it allows ${source.actions(cause).join(", ")}.`,
        { allowed: source.actions(cause) },
      );
    }
    const profileIds = profileId
      ? [(await this.profiles.authorize(principal, profileId)).id]
      : ((await this.profiles.visibleIds(principal)) ??
        (await this.store.repos.profiles.list()).map((p) => p.id));
    const empty: ProblemActionResult = { action, count: 0, jobs: [], skipped: [], replaced: [] };
    switch (action) {
      case "recheck":
        return this.recheck(principal, source, profileIds, cause, empty);
      case "replace-alias":
        return this.replaceAliases(principal, source, profileIds, cause, empty);
      case "pause":
      case "remove": {
        const targets = await this.store.transaction((tx) => source.targets(tx, profileIds, cause));
        if (targets.length === 0) return empty;
        const ids = targets.slice(0, MAX_ACTION_USERS).map((t) => t.id);
        const { count } = await (action === "pause"
          ? this.users.pause(principal, ids)
          : this.users.remove(principal, ids));
        return { ...empty, count };
      }
    }
  }

  /** A recheck-users job per profile with users in the group; profiles with a job open are skipped. */
  private async recheck(
    principal: Principal,
    source: ProblemSource,
    profileIds: readonly string[],
    cause: string,
    result: ProblemActionResult,
  ): Promise<ProblemActionResult> {
    const out = await this.store.transaction(async (tx) => {
      const byProfile = groupByProfile(await source.targets(tx, profileIds, cause));
      for (const [profileId, targets] of byProfile) {
        try {
          const job = await this.jobs.create(
            tx,
            principal,
            profileId,
            "recheck-users",
            targets.slice(0, MAX_ACTION_USERS).map((t) => t.id),
          );
          result.jobs.push({ profileId, jobId: job.id });
          result.count += job.total;
        } catch (error) {
          if (!(error instanceof AppError && error.id === "job_running")) throw error;
          result.skipped.push({
            userId: null,
            profileId,
            address: null,
            reason: `A job is already running for this profile (${(error.details as { jobId?: string })?.jobId ?? "?"}); check again when it ends.`,
          });
        }
      }
      return result;
    });
    if (out.jobs.length) jobSignals.runnable();
    return out;
  }

  /**
   * Replaces each alias by the primary address Exchange named, in one transaction with one audit event
   * per profile. Skipped (and reported): users without a known primary address, and users whose primary
   * address is already enrolled (in this profile or another; twice in the group counts too). The replaced
   * users are checked again (a recheck-users job per profile, unless one is running).
   */
  private async replaceAliases(
    principal: Principal,
    source: ProblemSource,
    profileIds: readonly string[],
    cause: string,
    result: ProblemActionResult,
  ): Promise<ProblemActionResult> {
    const out = await this.store
      .transaction(async (tx) => {
        const targets = (await source.targets(tx, profileIds, cause)).slice(0, MAX_ACTION_USERS);
        const repo = tx.problems;
        const enrolled = await repo.enrolled([
          ...new Set(targets.flatMap((t) => (t.primaryAddress ? [t.primaryAddress.toLowerCase()] : []))),
        ]);
        const byProfile = new Map<string, { replaced: ProblemActionResult["replaced"]; skipped: number }>();
        const entry = (profileId: string) => {
          let e = byProfile.get(profileId);
          if (!e) byProfile.set(profileId, (e = { replaced: [], skipped: 0 }));
          return e;
        };
        for (const t of targets) {
          const to = t.primaryAddress;
          const skip = (reason: string) => {
            result.skipped.push({ userId: t.id, profileId: t.profileId, address: t.address, reason });
            entry(t.profileId).skipped += 1;
          };
          if (!to) {
            skip("Exchange did not name the primary address; replace it by hand.");
            continue;
          }
          const lower = to.toLowerCase();
          if (lower === t.addressLower) {
            skip("The address is already the primary address; check it again.");
            continue;
          }
          if (enrolled.has(lower)) {
            skip(`${to} is already enrolled; remove this alias instead.`);
            continue;
          }
          enrolled.add(lower);
          await repo.replaceAddress(t, to);
          const pair = { userId: t.id, from: t.address, to };
          result.replaced.push(pair);
          entry(t.profileId).replaced.push(pair);
        }
        for (const [profileId, e] of byProfile) {
          await recordAudit(tx, {
            actor: principal,
            action: "users.replace-alias",
            profileId,
            after: {
              count: e.replaced.length,
              skipped: e.skipped,
              replaced: e.replaced.slice(0, 10).map((p) => ({ from: p.from, to: p.to })),
            },
          });
          if (e.replaced.length === 0) continue;
          try {
            const job = await this.jobs.create(
              tx,
              principal,
              profileId,
              "recheck-users",
              e.replaced.map((p) => p.userId),
            );
            result.jobs.push({ profileId, jobId: job.id });
          } catch (error) {
            if (!(error instanceof AppError && error.id === "job_running")) throw error;
          }
        }
        result.count = result.replaced.length;
        return result;
      })
      .catch((error: unknown) => {
        throw uniqueViolation(error) ? replaceConflict() : error;
      });
    if (out.jobs.length) jobSignals.runnable();
    return out;
  }
}

function groupByProfile(targets: readonly ProblemTarget[]): Map<string, ProblemTarget[]> {
  const out = new Map<string, ProblemTarget[]>();
  for (const t of targets) {
    const list = out.get(t.profileId);
    if (list) list.push(t);
    else out.set(t.profileId, [t]);
  }
  return out;
}

/** True for a unique-constraint violation on either database. */
function uniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** A unique-constraint violation while replacing (someone enrolled the primary address meanwhile). */
function replaceConflict(): AppError {
  return conflict(
    "Someone enrolled one of these primary addresses at the same moment. Try again to see which.",
  );
}
