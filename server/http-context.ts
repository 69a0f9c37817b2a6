import type { Store as RateLimitStore } from "express-rate-limit";
import type { Config } from "./config";
import type { Logger } from "./logger";
import type { Clock } from "./domain/clock";
import type { Metrics } from "./metrics/metrics";
import type { BearerVerifier } from "./auth/middleware";
import type { AdaptiveLimit } from "./jobs/adaptive-limit";
import type { EwsEnvironment } from "./ews/client";
import type { ProfileService } from "./services/profiles";
import type { MeStatusService } from "./services/me-status";
import type { ProfileAdminService } from "./services/profile-admins";
import type { LocalAdminService } from "./services/local-admins";
import type { AuditEventService } from "./services/audit-events";
import type { SettingsService } from "./services/settings";
import type { UserService } from "./services/users";
import type { ProblemService } from "./services/problems";
import type { JobService } from "./services/jobs";
import type { MailboxAccessService } from "./services/mailbox-access";
import type { ConnectivityService } from "./services/connectivity";
import type { CheckService } from "./services/checks";
import type { ProfileMigrationService } from "./services/profile-migrations";
import type { ConnectAccountService } from "./services/connect-account";
import type { CredentialDeadlineService } from "./services/credential-deadlines";
import type { OverviewService } from "./services/overview";
import type { ServiceKeyService } from "./sync/service-keys";
import type { SyncReportService } from "./sync/sync-report-service";
import type { EwsGateway } from "./sync/ews-gateway";
import type { GraphGateway } from "./sync/graph-gateway";

/**
 * What the HTTP layer (the app, its routes, the sync API's guards) is given: settings, services and
 * readiness, never the store. Routes validate, call one service and present; context.ts builds this
 * (as part of `AppContext`) over the store.
 */
export interface HttpContext {
  config: Config;
  log: Logger;
  /** Validates Entra ID bearer tokens; absent when Entra is not configured. */
  bearer?: BearerVerifier;
  /** What services read the time from (the real clock; tests pass one they move). */
  clock: Clock;
  services: Services;
  /** Prometheus metrics of this instance, in a registry of its own (a no-op without METRICS_TOKEN). */
  metrics: Metrics;
  /** `/readyz`: which database, and one cheap query that throws when it can't answer. */
  readiness: Readiness;
}

export interface Readiness {
  database: "sqlite" | "postgres";
  ping(): Promise<void>;
}

/** Rate-limit stores shared by every instance (server/store/rate-limit-store.ts keeps them in the database). */
export interface RateLimiters {
  /** One write per hit: for low-rate limiters (sign-in, connectivity tests). */
  shared(prefix: string): RateLimitStore;
  /** Counted in memory, reconciled about once a second: for hot paths (the sync API). */
  batched(prefix: string): RateLimitStore;
  /** Flushes and stops the batched stores (before the database closes). */
  shutdown(): Promise<void>;
}

export interface Services {
  /** Local admins: sign-in, sessions (the auth middleware), setup, changes with their audit events. */
  localAdmins: LocalAdminService;
  profiles: ProfileService;
  users: UserService;
  settings: SettingsService;
  auditEvents: AuditEventService;
  serviceKeys: ServiceKeyService;
  /** The sync service's roster and session reports (/api/v1/sync). */
  syncReports: SyncReportService;
  /** Per-profile concurrency limits shared by jobs, check-now and the EWS gateway (this process). */
  profileGates: Map<string, AdaptiveLimit>;
  ewsGateway: EwsGateway;
  /** The Graph gateway (/api/v1/sync/graph) and its per-mailbox concurrency. */
  graphGateway: GraphGateway;
  meStatus: MeStatusService;
  profileAdmins: ProfileAdminService;
  jobs: JobService;
  /** Shared EWS transport, back-off gate and caches (server/ews). */
  ews: EwsEnvironment;
  mailboxAccess: MailboxAccessService;
  connectivity: ConnectivityService;
  checks: CheckService;
  /** Move to Graph (dry run, apply, roll back); also the job port of its job kinds. */
  migrations: ProfileMigrationService;
  /** Connect account (OAuth impersonated logon): the sign-in flow and the service accounts' tokens. */
  connectAccount: ConnectAccountService;
  /** Rate-limit stores on the database, shared by every instance; shut down before the store closes. */
  rateLimits: RateLimiters;
  /** Credentials and deadlines ahead: password expiry from Exchange, advance alerts (30, 7, 1 days). */
  credentialDeadlines: CredentialDeadlineService;
  /** Failures grouped by cause, and the bulk actions per group (add group sources with `addSource`). */
  problems: ProblemService;
  /** The Profiles page's overview: totals, trend from the daily rollups, stalled, deadlines. */
  overview: OverviewService;
}
