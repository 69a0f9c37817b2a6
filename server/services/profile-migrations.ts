import { randomUUID } from "node:crypto";
import type {
  CreateMigrationBody,
  Migration,
  MigrationLimitation,
  MigrationStatus,
} from "../../contract/migrations";
import type { AppIdentitySecret, AppIdentitySettings } from "../access/app-only-identity";
import { appOnlyPowerShell } from "../access/app-only-powershell";
import { RBAC_SETTLE_MS, utcTime } from "../access/app-only-steps";
import {
  graphReadiness,
  graphRolesFor,
  isOnPremisesFailure,
  isRefusedFailure,
  type CandidateAccess,
} from "../access/graph-readiness";
import type { CheckResult } from "../access/types";
import type { Principal } from "../auth/principal";
import { AppError, conflict, jobRunning, notFound, preconditionFailed } from "../errors";
import { parse } from "../http/validate";
import type { JobRow } from "../store/job-repo";
import type { CheckedUser, MailboxChecker, MigrationJobPort } from "../jobs/types";
import type { Sealer } from "../secrets/sealer";
import type { ProfileMigrationRow } from "../store/profile-migrations-repo";
import type { StoreAccess, UnitOfWork } from "../store/unit-of-work";
import { recordAudit } from "./audit";
import type { CheckService } from "./checks";
import type { JobService } from "./jobs";
import type { MailboxAccessService } from "./mailbox-access";
import type { ProfileService } from "./profiles";

/** A move can be rolled back for this long after apply. */
export const ROLLBACK_DAYS = 30;
const DAY_MS = 86_400_000;
const USERS_SHOWN = 2000;
/** The access types a profile can move to Graph from. */
const EWS_TYPES = new Set<string>(["ews-basic-impersonation", "ews-oauth-impersonation", "ews-app-only"]);
/**
 * Service-key scopes that write to mailboxes: `graph:write`, and the EWS scopes a key written for EWS
 * carries (`ews:write`, `ews:proxy`, which is read + write); through Graph they need the write roles.
 */
const WRITE_SCOPES = new Set(["graph:write", "ews:write", "ews:proxy"]);

/**
 * Whether any of the keys (JSON lists of scopes) may write.
 * @example keysMayWrite(['["roster:read","ews:proxy"]']) // true
 */
export function keysMayWrite(scopeLists: string[]): boolean {
  return scopeLists.some((json) => {
    try {
      return (JSON.parse(json) as string[]).some((s) => WRITE_SCOPES.has(s));
    } catch {
      return false;
    }
  });
}

interface Needs {
  archive: boolean;
  publicFolders: boolean;
  write: boolean;
}

/**
 * Move to Graph: moves a profile's mailbox access from an EWS type to Graph app-only without any end
 * user doing anything. A dry run (`migrate-dry-run` job) tries the candidate app on every user; apply
 * writes it as a new access version (states kept, roster bumped) and rechecks the users that failed;
 * roll back restores the previous access, kept sealed, within 30 days. Also the job port of both kinds.
 */
export class ProfileMigrationService implements MigrationJobPort {
  /** The clock (tests move it to see the 30-day and 2-hour limits). */
  now: () => number = Date.now;
  private readonly readiness;
  /** Migration ids by job id (the job's results come in one by one). */
  private readonly byJob = new Map<string, ProfileMigrationRow>();

  constructor(
    private readonly store: StoreAccess,
    private readonly sealer: Sealer,
    private readonly mailboxAccess: MailboxAccessService,
    private readonly profiles: ProfileService,
    private readonly jobs: JobService,
    private readonly checks: CheckService,
  ) {
    this.readiness = graphReadiness(mailboxAccess.registry.deps);
  }

  private iso(ms = this.now()): string {
    return new Date(ms).toISOString();
  }

  /** POST /profiles/:id/migrations: validates the identity, seals it and starts the dry run. */
  async start(principal: Principal, profileId: string, body: CreateMigrationBody): Promise<Migration> {
    const graph = this.mailboxAccess.registry.accessTypeFor(body.to);
    if (!graph) throw conflict(`The access type "${body.to}" is not available in this installation.`);
    const input = parse(graph.inputSchema, body.access);
    const row = await this.store.transaction(async (tx) => {
      await this.profiles.authorizeIn(tx, principal, profileId);
      const current = await tx.mailboxAccess.find(profileId);
      if (!current) {
        throw preconditionFailed("Configure the profile's mailbox access (Connectivity tab) first.");
      }
      if (!EWS_TYPES.has(current.type)) {
        throw conflict(`The profile uses ${current.type}, not EWS: there is nothing to move.`);
      }
      // A stored secret is bound to where it was entered (docs/SECURITY.md): a new type and host means
      // the app's certificate or secret is entered again, as a mailbox-access PUT that changes type would.
      const prepared = await graph.prepare(input, null);
      const now = this.iso();
      const repo = tx.profileMigrations;
      const write = keysMayWrite(await repo.keyScopes(profileId, now));
      const needs: Needs = {
        archive: body.needs?.archive ?? false,
        publicFolders: body.needs?.publicFolders ?? false,
        write,
      };
      await repo.supersede(profileId, now);
      const job = await this.jobs.create(tx, principal, profileId, "migrate-dry-run");
      const migration: ProfileMigrationRow = {
        id: randomUUID(),
        profileId,
        fromType: current.type,
        fromVersion: current.version,
        toType: graph.id,
        state: "created",
        dryRunJobId: job.id,
        recheckJobId: null,
        settings: JSON.stringify(prepared.settings),
        sealedSecret:
          prepared.secret === null ? null : this.sealer.seal(JSON.stringify(prepared.secret), profileId),
        roles: JSON.stringify(graphRolesFor(write)),
        needs: JSON.stringify(needs),
        outOfScopeUser: body.outOfScopeUser.toLowerCase(),
        outOfScopeResult: null,
        rolesAssignedAt: body.rolesJustAssigned ? now : null,
        previousType: null,
        previousSettings: null,
        previousSealedSecret: null,
        previousVersion: null,
        appliedVersion: null,
        createdBy: principal.name,
        createdAt: now,
        appliedAt: null,
        appliedBy: null,
        rolledBackAt: null,
        rolledBackBy: null,
        updatedAt: now,
      };
      await repo.insert(migration);
      await recordAudit(tx, {
        actor: principal,
        action: "migration.dry-run",
        profileId,
        target: migration.id,
        after: {
          from: current.type,
          to: graph.id,
          settings: prepared.settings,
          roles: graphRolesFor(write),
          outOfScopeUser: migration.outOfScopeUser,
          needs,
          jobId: job.id,
        },
      });
      return migration;
    });
    return this.present(row);
  }

  /** GET /migrations/:id */
  async get(principal: Principal, id: string): Promise<Migration> {
    return this.present(await this.authorize(principal, id));
  }

  /** GET /profiles/:id/migrations/latest */
  async latest(principal: Principal, profileId: string): Promise<Migration | null> {
    await this.profiles.authorize(principal, profileId);
    const row = await this.store.repos.profileMigrations.latest(profileId);
    return row ? this.present(row) : null;
  }

  /** The migration, if the caller manages its profile (else 404): in `tx` when given, else on its own. */
  private async authorize(principal: Principal, id: string, tx?: UnitOfWork): Promise<ProfileMigrationRow> {
    const row = await (tx ?? this.store.repos).profileMigrations.find(id);
    if (!row) throw notFound("Migration not found.");
    try {
      if (tx) await this.profiles.authorizeIn(tx, principal, row.profileId);
      else await this.profiles.authorize(principal, row.profileId);
    } catch {
      throw notFound("Migration not found.");
    }
    return row;
  }

  /**
   * POST /migrations/:id/apply: the candidate becomes the profile's access (a new version, audited);
   * users keep their states and the roster sees every mailbox changed; users that failed the dry run
   * are rechecked through Graph (`migrate-recheck`), those still failing end in `error`.
   */
  async apply(principal: Principal, id: string): Promise<Migration> {
    const row = await this.store.transaction(async (tx) => {
      const m = await this.authorize(principal, id, tx);
      if (m.state !== "created") throw conflict(`This move can't be applied: it is ${m.state}.`);
      const jobs = tx.jobs;
      const dryRun = await jobs.find(m.dryRunJobId);
      if (dryRun?.state !== "done") {
        throw conflict(
          dryRun && ["queued", "running", "paused"].includes(dryRun.state)
            ? "Wait for the dry run to finish."
            : "The dry run did not finish: start a new one.",
        );
      }
      const open = await jobs.findOpen(m.profileId);
      if (open) throw jobRunning(open.id);
      const access = tx.mailboxAccess;
      const current = await access.find(m.profileId);
      if (!current || current.version !== m.fromVersion) {
        throw conflict("The profile's mailbox access changed after the dry run: start a new dry run.");
      }
      const now = this.iso();
      const version = current.version + 1;
      const saved = await access.save(
        {
          profileId: m.profileId,
          type: m.toType,
          settings: m.settings,
          sealedSecret: m.sealedSecret,
          version,
          updatedAt: now,
          updatedBy: principal.name,
        },
        current.version,
      );
      if (!saved) throw conflict("The profile's mailbox access changed meanwhile: try again.");
      const repo = tx.profileMigrations;
      const failed = await repo.failedUserIds(id);
      const recheck = failed.length
        ? await this.jobs.create(tx, principal, m.profileId, "migrate-recheck", failed)
        : undefined;
      const values = {
        state: "applied",
        previousType: current.type,
        previousSettings: current.settings,
        previousSealedSecret: current.sealedSecret,
        previousVersion: current.version,
        appliedVersion: version,
        appliedAt: now,
        appliedBy: principal.name,
        recheckJobId: recheck?.id ?? null,
        updatedAt: now,
      };
      if (!(await repo.update(id, "created", values))) throw conflict("This move was changed meanwhile.");
      await repo.touchUsers(m.profileId, now);
      await recordAudit(tx, {
        actor: principal,
        action: "migration.apply",
        profileId: m.profileId,
        target: id,
        before: {
          type: current.type,
          settings: JSON.parse(current.settings) as unknown,
          version: current.version,
        },
        after: {
          type: m.toType,
          settings: JSON.parse(m.settings) as unknown,
          version,
          recheck: failed.length,
          recheckJobId: recheck?.id ?? null,
        },
      });
      return { ...m, ...values };
    });
    this.mailboxAccess.registry.deps.ews.forgetProfile(row.profileId);
    return this.present(row);
  }

  /**
   * POST /migrations/:id/rollback: within 30 days of apply, the previous access (kept sealed) comes
   * back as a new version; no secret is entered again. Deliberately not a mailbox-access PUT: a PUT
   * that changes type or host must carry the secret again, and a roll back restores what this profile
   * already had, sealed for it, with its own audit event.
   */
  async rollback(principal: Principal, id: string): Promise<Migration> {
    const row = await this.store.transaction(async (tx) => {
      const m = await this.authorize(principal, id, tx);
      if (m.state !== "applied" || !m.appliedAt || !m.previousType || !m.previousSettings) {
        throw conflict(`Only an applied move can be rolled back; this one is ${m.state}.`);
      }
      const until = Date.parse(m.appliedAt) + ROLLBACK_DAYS * DAY_MS;
      if (this.now() > until) {
        throw new AppError(
          409,
          "rollback_expired",
          `A move can be rolled back for ${ROLLBACK_DAYS} days; this one was applied on ${m.appliedAt.slice(0, 10)}. Configure the EWS access again instead.`,
        );
      }
      const access = tx.mailboxAccess;
      const current = await access.find(m.profileId);
      if (!current || current.version !== m.appliedVersion) {
        throw conflict("The mailbox access was changed after the move: it can't be rolled back.");
      }
      const jobs = tx.jobs;
      const open = await jobs.findOpen(m.profileId);
      if (open && open.id !== m.recheckJobId) throw jobRunning(open.id);
      if (open) {
        // The move's own recheck stops: its users are checked again on EWS below.
        await jobs.transition(open.id, ["queued", "running", "paused"], "cancelled", {
          reason: `Cancelled by the roll back of the move to Graph (${principal.name}).`,
        });
        await jobs.closeOpenItems(open.id);
        await jobs.writeProgress(open.id);
      }
      const now = this.iso();
      const version = current.version + 1;
      const saved = await access.save(
        {
          profileId: m.profileId,
          type: m.previousType,
          settings: m.previousSettings,
          sealedSecret: m.previousSealedSecret,
          version,
          updatedAt: now,
          updatedBy: principal.name,
        },
        current.version,
      );
      if (!saved) throw conflict("The profile's mailbox access changed meanwhile: try again.");
      const repo = tx.profileMigrations;
      const values = {
        state: "rolled-back",
        rolledBackAt: now,
        rolledBackBy: principal.name,
        updatedAt: now,
      };
      if (!(await repo.update(id, "applied", values))) throw conflict("This move was changed meanwhile.");
      await repo.touchUsers(m.profileId, now);
      const failed = await repo.recheckFailedUserIds(id);
      const recheck = failed.length
        ? await this.jobs.create(tx, principal, m.profileId, "recheck-users", failed)
        : undefined;
      await recordAudit(tx, {
        actor: principal,
        action: "migration.rollback",
        profileId: m.profileId,
        target: id,
        before: {
          type: current.type,
          settings: JSON.parse(current.settings) as unknown,
          version: current.version,
        },
        after: {
          type: m.previousType,
          settings: JSON.parse(m.previousSettings) as unknown,
          version,
          restoredVersion: m.previousVersion,
          recheckJobId: recheck?.id ?? null,
        },
      });
      return { ...m, ...values };
    });
    this.mailboxAccess.registry.deps.ews.forgetProfile(row.profileId);
    return this.present(row);
  }

  /** The migration's candidate access, opened (its secret is sealed with the profile id). */
  private candidate(m: ProfileMigrationRow): CandidateAccess {
    let secret: AppIdentitySecret | null;
    try {
      secret = m.sealedSecret
        ? (JSON.parse(this.sealer.open(m.sealedSecret, m.profileId)) as AppIdentitySecret)
        : null;
    } catch (error) {
      throw new AppError(
        409,
        "access_unreadable",
        `The move's stored app credential can't be opened (${(error as Error).message}); start a new dry run.`,
      );
    }
    return {
      profileId: m.profileId,
      migrationId: m.id,
      settings: JSON.parse(m.settings) as AppIdentitySettings,
      secret,
      roles: JSON.parse(m.roles) as string[],
    };
  }

  private async forJob(
    tx: UnitOfWork,
    jobId: string,
    kind: "dry-run" | "recheck",
  ): Promise<ProfileMigrationRow> {
    const known = this.byJob.get(jobId);
    if (known) return known;
    const repo = tx.profileMigrations;
    const row = kind === "dry-run" ? await repo.findByDryRunJob(jobId) : await repo.findByRecheckJob(jobId);
    if (!row) throw new AppError(409, "conflict", "The move to Graph of this job is gone.");
    if (this.byJob.size > 100) this.byJob.clear();
    this.byJob.set(jobId, row);
    return row;
  }

  /** Job port: tries the out-of-scope mailbox once, then checks each user with the candidate. */
  async dryRunChecker(jobId: string): Promise<MailboxChecker> {
    const m = await this.forJob(this.store.repos, jobId, "dry-run");
    const candidate = this.candidate(m);
    if (m.outOfScopeResult === null) {
      const out = await this.readiness.outOfScope(candidate, m.outOfScopeUser);
      if (!out.ok && out.failure.serviceAccountFailure) {
        throw new AppError(409, "conflict", `${out.failure.message} ${out.failure.remediation}`.trim());
      }
      const result = out.ok
        ? { refused: out.refused, detail: out.detail }
        : { refused: false, detail: `Could not tell: ${out.failure.message}` };
      await this.store.repos.profileMigrations.setOutOfScopeResult(m.id, JSON.stringify(result), this.iso());
    }
    return (address, signal) => this.readiness.check(candidate, address, signal);
  }

  /** Job port: one user's dry-run result, by category; the user's state is not touched. */
  async writeDryRunResult(
    tx: UnitOfWork,
    jobId: string,
    user: CheckedUser,
    result: CheckResult,
  ): Promise<void> {
    const m = await this.forJob(tx, jobId, "dry-run");
    const code = result.ok ? null : (result.error?.code ?? "unknown");
    const category = result.ok ? "pass" : isOnPremisesFailure(code ?? undefined) ? "on-premises" : "fail";
    const settles = m.rolesAssignedAt ? Date.parse(m.rolesAssignedAt) + RBAC_SETTLE_MS : 0;
    const applying = !result.ok && isRefusedFailure(code ?? undefined) && this.now() < settles;
    await tx.profileMigrations.upsertResult({
      migrationId: m.id,
      userId: user.id,
      category,
      code,
      message: result.error
        ? applying
          ? `May still be applying: role assignments take up to 2 hours; try again at ${utcTime(settles)}. ${result.error.message}`
          : result.error.message
        : null,
      remediation: result.error?.remediation ?? null,
      retryAt: applying ? new Date(settles).toISOString() : null,
      recheck: null,
      checkedAt: this.iso(),
    });
  }

  /** Job port: a recheck result after apply: applied to the user (recheck rules) and kept with the move. */
  async writeRecheckResult(
    tx: UnitOfWork,
    jobId: string,
    user: CheckedUser,
    result: CheckResult,
  ): Promise<void> {
    const m = await this.forJob(tx, jobId, "recheck");
    const settles = m.appliedAt ? Date.parse(m.appliedAt) + RBAC_SETTLE_MS : 0;
    let told = result;
    if (!result.ok && result.error && isRefusedFailure(result.error.code) && this.now() < settles) {
      told = {
        ...result,
        error: {
          ...result.error,
          message: `${result.error.message} May still be applying: role assignments take up to 2 hours after they are made; try again at ${utcTime(settles)}.`,
        },
      };
    }
    await this.checks.applyResult(tx, user, told, { mode: "recheck", jobId });
    await tx.profileMigrations.setRecheck(m.id, user.id, result.ok ? "pass" : "fail");
  }

  private status(m: ProfileMigrationRow, job: JobRow | undefined): MigrationStatus {
    if (m.state === "applied" || m.state === "rolled-back" || m.state === "superseded") return m.state;
    if (!job || job.state === "failed" || job.state === "cancelled") return "dry-run-failed";
    return job.state === "done" ? "ready" : "dry-run";
  }

  private async present(m: ProfileMigrationRow): Promise<Migration> {
    const repo = this.store.repos.profileMigrations;
    const [job, counts, users] = await Promise.all([
      this.store.repos.jobs.find(m.dryRunJobId),
      repo.counts(m.id),
      repo.users(m.id, USERS_SHOWN + 1),
    ]);
    const settings = JSON.parse(m.settings) as AppIdentitySettings;
    const needs = JSON.parse(m.needs) as Needs;
    const roles = JSON.parse(m.roles) as string[];
    const pass = counts.get("pass") ?? 0;
    const fail = counts.get("fail") ?? 0;
    const onPremises = counts.get("on-premises") ?? 0;
    const limitations: MigrationLimitation[] = [
      {
        id: "archive",
        flagged: needs.archive,
        message:
          "Graph v1.0 can't reach in-place archive mailboxes: a sync of archives stays on EWS (a profile on EWS for them, on-premises or until April 1, 2027 in Exchange Online).",
      },
      {
        id: "public-folders",
        flagged: needs.publicFolders,
        message: "Graph v1.0 has no public folders: a sync of public folders stays on EWS.",
      },
      {
        id: "mail-send",
        flagged: needs.write,
        message: `Application Mail.Send can't be tried without sending a message: check it with Test-ServicePrincipalAuthorization -Identity "${settings.clientId}" -Resource <a synced user> (RoleName Application Mail.Send, InScope True).`,
      },
    ];
    const out = m.outOfScopeResult
      ? (JSON.parse(m.outOfScopeResult) as { refused: boolean; detail: string })
      : null;
    return {
      id: m.id,
      profileId: m.profileId,
      from: m.fromType,
      to: "graph-app-only",
      status: this.status(m, job),
      dryRunJobId: m.dryRunJobId,
      recheckJobId: m.recheckJobId,
      identity: {
        tenantId: settings.tenantId,
        clientId: settings.clientId,
        credential: settings.signInWith,
        servicePrincipalObjectId: settings.servicePrincipalObjectId,
        scopeGroup: settings.scopeGroup,
      },
      roles,
      setupScript: appOnlyPowerShell({
        api: "graph",
        tenantId: settings.tenantId,
        clientId: settings.clientId,
        servicePrincipalObjectId: settings.servicePrincipalObjectId,
        scopeGroup: settings.scopeGroup,
        outOfScopeUser: m.outOfScopeUser,
        roles,
      }),
      outOfScopeUser: m.outOfScopeUser,
      outOfScope: out,
      counts: {
        pass,
        fail,
        onPremises,
        unchecked: Math.max(0, (job?.total ?? 0) - pass - fail - onPremises),
      },
      users: users.slice(0, USERS_SHOWN).map((u) => ({
        userId: u.userId,
        address: u.address,
        state: u.state,
        category: u.category as Migration["users"][number]["category"],
        code: u.code,
        message: u.message,
        remediation: u.remediation,
        retryAt: u.retryAt,
        recheck: (u.recheck as "pass" | "fail" | null) ?? null,
      })),
      usersTruncated: users.length > USERS_SHOWN,
      limitations,
      rolesAssignedAt: m.rolesAssignedAt,
      createdBy: m.createdBy,
      createdAt: m.createdAt,
      appliedAt: m.appliedAt,
      appliedBy: m.appliedBy,
      rollbackUntil: m.appliedAt
        ? new Date(Date.parse(m.appliedAt) + ROLLBACK_DAYS * DAY_MS).toISOString()
        : null,
      rolledBackAt: m.rolledBackAt,
      rolledBackBy: m.rolledBackBy,
    };
  }
}
