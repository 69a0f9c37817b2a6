import type { Clock } from "../domain/clock";
import { AuditRepository } from "./audit-repo";
import { CheckRepository } from "./checks-repo";
import { CredentialDeadlinesRepository } from "./credential-deadlines-repo";
import type { Db, Tx } from "./db-types";
import { GatewayRepository } from "./gateway-repo";
import { JobRepository } from "./job-repo";
import { LocalAdminRepository } from "./local-admins-repo";
import { MailboxAccessRepository } from "./mailbox-access-repo";
import { MeStatusRepository } from "./me-status-repo";
import { MonitorRepository } from "./monitor-repo";
import { OAuthRepository } from "./oauth-repo";
import { ProblemRepository } from "./problems-repo";
import { ProfileMigrationRepository } from "./profile-migrations-repo";
import { ProfileRepository } from "./profiles-repo";
import { RollupRepository } from "./rollups-repo";
import { RosterRepository } from "./roster-repo";
import { ServiceKeyRepository } from "./service-keys-repo";
import { SettingsRepository } from "./settings-repo";
import { StalledRepository } from "./stalled-repo";
import { SyncReportRepository } from "./sync-reports-repo";
import { SyncSessionRepository } from "./sync-sessions-repo";
import { UserRepository } from "./users-repo";

/**
 * The repositories, all bound to one transaction (or, outside one, to the store). A service never builds
 * a repository on the store while it holds a transaction: it takes them from here.
 * @example await store.transaction(async (tx) => { await tx.users.pause(ids); await recordAudit(tx, ...); });
 */
export interface UnitOfWork {
  readonly audit: AuditRepository;
  readonly checks: CheckRepository;
  readonly localAdmins: LocalAdminRepository;
  readonly mailboxAccess: MailboxAccessRepository;
  readonly profiles: ProfileRepository;
  readonly settings: SettingsRepository;
  readonly syncSessions: SyncSessionRepository;
  readonly users: UserRepository;
  /** The EWS and Graph gateways' lookup of a mailbox, its profile and access. */
  readonly gateway: GatewayRepository;
  readonly jobs: JobRepository;
  /** Profiles' alerts (monitoring, sync reports) and retention. */
  readonly monitor: MonitorRepository;
  /** Connect account: pending authorizations and the OAuth type's token cache. */
  readonly oauth: OAuthRepository;
  /** The roster the sync service polls. */
  readonly roster: RosterRepository;
  readonly serviceKeys: ServiceKeyRepository;
  /** The sync service's reports: sessions and the users' last sync. */
  readonly syncReports: SyncReportRepository;
  readonly problems: ProblemRepository;
  readonly rollups: RollupRepository;
  readonly stalled: StalledRepository;
  /** Credentials ahead: password expiries, advance alerts sent. */
  readonly credentialDeadlines: CredentialDeadlinesRepository;
  /** The end user's own mailbox (`GET /me/status`). */
  readonly meStatus: MeStatusRepository;
  /** Move to Graph: migrations and their users' results. */
  readonly profileMigrations: ProfileMigrationRepository;
}

/** What repositories are made with: the clock jobs are leased by, local admins' session lifetime. */
export interface RepositoryOptions {
  clock?: Clock;
  sessionMaxHours?: number;
}

/** Repositories over `db`, each made when first used. */
export function repositoriesOn(db: Db | Tx, options: RepositoryOptions = {}): UnitOfWork {
  const made = new Map<string, unknown>();
  const lazy = <T>(name: string, make: () => T): T => {
    if (!made.has(name)) made.set(name, make());
    return made.get(name) as T;
  };
  return {
    get audit() {
      return lazy("audit", () => new AuditRepository(db));
    },
    get checks() {
      return lazy("checks", () => new CheckRepository(db));
    },
    get localAdmins() {
      return lazy("localAdmins", () => new LocalAdminRepository(db, options.sessionMaxHours));
    },
    get mailboxAccess() {
      return lazy("mailboxAccess", () => new MailboxAccessRepository(db));
    },
    get profiles() {
      return lazy("profiles", () => new ProfileRepository(db));
    },
    get settings() {
      return lazy("settings", () => new SettingsRepository(db));
    },
    get syncSessions() {
      return lazy("syncSessions", () => new SyncSessionRepository(db));
    },
    get users() {
      return lazy("users", () => new UserRepository(db));
    },
    get gateway() {
      return lazy("gateway", () => new GatewayRepository(db));
    },
    get monitor() {
      return lazy("monitor", () => new MonitorRepository(db));
    },
    get oauth() {
      return lazy("oauth", () => new OAuthRepository(db));
    },
    get roster() {
      return lazy("roster", () => new RosterRepository(db));
    },
    get serviceKeys() {
      return lazy("serviceKeys", () => new ServiceKeyRepository(db));
    },
    get syncReports() {
      return lazy("syncReports", () => new SyncReportRepository(db));
    },
    get jobs() {
      return lazy("jobs", () => new JobRepository(db, options.clock));
    },
    get problems() {
      return lazy("problems", () => new ProblemRepository(db));
    },
    get rollups() {
      return lazy("rollups", () => new RollupRepository(db));
    },
    get stalled() {
      return lazy("stalled", () => new StalledRepository(db));
    },
    get credentialDeadlines() {
      return lazy("credentialDeadlines", () => new CredentialDeadlinesRepository(db));
    },
    get meStatus() {
      return lazy("meStatus", () => new MeStatusRepository(db));
    },
    get profileMigrations() {
      return lazy("profileMigrations", () => new ProfileMigrationRepository(db));
    },
  };
}

/** Runs `work` in one transaction with repositories bound to it; commits when it resolves. */
export function inTransaction<T>(
  db: Db,
  work: (tx: UnitOfWork) => Promise<T>,
  options: RepositoryOptions = {},
): Promise<T> {
  return db.transaction().execute((trx) => work(repositoriesOn(trx, options)));
}

/**
 * The store as code outside server/store holds it (services, jobs, sync, monitoring, oauth): repositories
 * on the store itself, and transactions that hand out repositories bound to them. No query builder.
 * @example const admins = await store.repos.localAdmins.list();
 * @example await store.transaction(async (tx) => { await tx.users.pause(ids); await recordAudit(tx, ...); });
 */
export interface StoreAccess {
  /** Repositories outside any transaction (each statement commits on its own). */
  readonly repos: UnitOfWork;
  /** Runs `work` in one transaction with repositories bound to it; commits when it resolves. */
  transaction<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T>;
}

/**
 * The store access over `db` (composition roots build it from the open store, with the context's clock
 * and session lifetime).
 */
export function storeAccess(db: Db, options: RepositoryOptions = {}): StoreAccess {
  return {
    repos: repositoriesOn(db, options),
    transaction: (work) => inTransaction(db, work, options),
  };
}
