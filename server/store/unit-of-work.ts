import { AuditRepository } from "./audit-repo";
import { CheckRepository } from "./checks-repo";
import type { Db, Tx } from "./db-types";
import { LocalAdminRepository } from "./local-admins-repo";
import { MailboxAccessRepository } from "./mailbox-access-repo";
import { ProfileRepository } from "./profiles-repo";
import { SettingsRepository } from "./settings-repo";
import { SyncSessionRepository } from "./sync-sessions-repo";
import { UserRepository } from "./users-repo";

/**
 * The repositories, all bound to one transaction (or, outside one, to the store). A service never builds
 * a repository on the store while it holds a transaction: it takes them from here.
 * @example await store.transaction(async (tx) => { await tx.users.pause(ids); await recordAudit(tx, ...); });
 */
export interface UnitOfWork {
  /** The transaction itself, for code not yet behind a repository (jobs' kinds, recordAudit). */
  readonly db: Db;
  readonly audit: AuditRepository;
  readonly checks: CheckRepository;
  readonly localAdmins: LocalAdminRepository;
  readonly mailboxAccess: MailboxAccessRepository;
  readonly profiles: ProfileRepository;
  readonly settings: SettingsRepository;
  readonly syncSessions: SyncSessionRepository;
  readonly users: UserRepository;
}

/** Repositories over `db`, each made when first used. */
export function repositoriesOn(db: Db | Tx): UnitOfWork {
  const made = new Map<string, unknown>();
  const lazy = <T>(name: string, make: () => T): T => {
    if (!made.has(name)) made.set(name, make());
    return made.get(name) as T;
  };
  return {
    db,
    get audit() {
      return lazy("audit", () => new AuditRepository(db));
    },
    get checks() {
      return lazy("checks", () => new CheckRepository(db));
    },
    get localAdmins() {
      return lazy("localAdmins", () => new LocalAdminRepository(db));
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
  };
}

/** Runs `work` in one transaction with repositories bound to it; commits when it resolves. */
export function inTransaction<T>(db: Db, work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
  return db.transaction().execute((trx) => work(repositoriesOn(trx)));
}
