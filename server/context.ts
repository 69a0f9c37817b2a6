import type { Config } from "./config";
import type { Logger } from "./logger";
import type { Sealer } from "./secrets/sealer";
import type { Store } from "./store/db";
import type { BearerVerifier } from "./auth/middleware";
import { ProfileService } from "./services/profiles";
import { MeStatusService } from "./services/me-status";
import { ProfileAdminService } from "./services/profile-admins";
import { LocalAdminService } from "./services/local-admins";
import { AuditEventService } from "./services/audit-events";
import { SettingsService } from "./services/settings";
import { UserService } from "./services/users";
import { ProblemService } from "./services/problems";
import { StalledProblemSource } from "./services/stalled-problems";
import { ServiceKeyService } from "./sync/service-keys";
import { SyncReportService } from "./sync/sync-report-service";
import { EwsGateway } from "./sync/ews-gateway";
import { GraphGateway } from "./sync/graph-gateway";
import { GraphMailboxSlots } from "./sync/graph-slots";
import type { AdaptiveLimit } from "./jobs/adaptive-limit";
import type { HttpContext } from "./http-context";
import { JobService } from "./services/jobs";
import { AccessRegistry, type AccessDeps } from "./access";
import { EwsEnvironment } from "./ews/client";
import { MailboxAccessService } from "./services/mailbox-access";
import { ConnectivityService } from "./services/connectivity";
import { CheckService } from "./services/checks";
import { ProfileMigrationService } from "./services/profile-migrations";
import { OAuthTokens } from "./oauth/tokens";
import { ConnectAccountService } from "./services/connect-account";
import { connectAccountSettings } from "./oauth/settings";
import { RateLimitStores } from "./store/rate-limit-store";
import { storeAccess, type StoreAccess } from "./store/unit-of-work";
import { systemClock, type Clock } from "./domain/clock";
import { createMetrics } from "./metrics/metrics";
import { JobRepository } from "./store/job-repo";
import { CredentialDeadlineService, credentialDeadlinesFor } from "./services/credential-deadlines";
import { accessDeadlines, DeadlineService } from "./services/deadlines";
import { StalledRepository } from "./store/stalled-repo";
import { OverviewService } from "./services/overview";

/**
 * Everything the app is built from. No globals: tests build their own. The HTTP layer sees only its
 * part of it (`HttpContext`, without the store).
 */
export interface AppContext extends HttpContext {
  store: Store;
  /**
   * What services, the job runner and the monitor take from the store: repositories and units of work
   * on the context's clock (no query builder).
   */
  storeAccess: StoreAccess;
  sealer: Sealer;
}

export interface ContextInput {
  config: Config;
  store: Store;
  sealer: Sealer;
  log: Logger;
  bearer?: BearerVerifier;
  /** EWS environment overrides (tests: a resolver, autodiscover start URLs). */
  ews?: Partial<AccessDeps>;
  /** The clock services read (default: the real clock). */
  clock?: Clock;
}

/**
 * Wires services over the store.
 * @example const ctx = createContext({ config, store, sealer, log });
 */
export function createContext(input: ContextInput): AppContext {
  const { db } = input.store;
  const clock = input.clock ?? systemClock;
  // What services take: repositories and units of work (no query builder), on the context's clock.
  const store = storeAccess(db, { clock, sessionMaxHours: input.config.session.maxHours });
  const profiles = new ProfileService(store);
  const ews =
    input.ews?.ews ??
    new EwsEnvironment({ allowedHosts: input.config.ews.allowedHosts, caFile: input.config.ews.caFile });
  const oauthSettings = connectAccountSettings(input.config);
  const oauth =
    input.ews?.oauth ??
    (oauthSettings ? new OAuthTokens(store.repos.oauth, input.sealer, oauthSettings, input.log) : undefined);
  const appOnly = input.ews?.appOnly ?? {
    authority: input.config.entra.authority,
    caFile: input.config.entra.caFile,
    graphBaseUrl: input.config.graphBaseUrl,
    log: input.log,
  };
  const accessDeps: AccessDeps = {
    ews,
    autodiscoverCandidates: input.ews?.autodiscoverCandidates,
    oauth,
    appOnly,
  };
  const metrics = createMetrics({
    enabled: input.config.metrics.token !== undefined,
    jobsByState: () => new JobRepository(db).countByState(),
    stalledCount: async () => {
      let n = 0;
      for (const count of (await new StalledRepository(db).count(undefined, clock.now())).values()) {
        n += count;
      }
      return n;
    },
    onProviderError: (metric, error) =>
      input.log.warn({ err: error, metric }, "metrics: a gauge could not be read; it keeps its last value"),
  });
  if (metrics.enabled) ews.transport.observer = metrics;
  const mailboxAccess = new MailboxAccessService(
    store,
    input.sealer,
    new AccessRegistry(accessDeps),
    profiles,
  );
  const profileGates = new Map<string, AdaptiveLimit>();
  const jobs = new JobService(store, profiles, clock);
  const checks = new CheckService(store, mailboxAccess, profiles);
  const users = new UserService(store, profiles, clock);
  const problems = new ProblemService(store, profiles, users, jobs);
  problems.addSource(new StalledProblemSource(clock));
  const migrations = new ProfileMigrationService(store, input.sealer, mailboxAccess, profiles, jobs, checks);
  checks.migrations = migrations;
  checks.metrics = metrics;
  const settings = new SettingsService(store, input.config);
  const credentialDeadlines = new CredentialDeadlineService(
    store,
    mailboxAccess,
    settings,
    input.log,
    input.config.baseUrl,
  );
  credentialDeadlines.clock = clock;
  return {
    ...input,
    storeAccess: store,
    readiness: { database: input.store.dialect, ping: () => input.store.ping() },
    clock,
    metrics,
    services: {
      profileGates,
      ewsGateway: new EwsGateway({ store, mailboxAccess, ews, gates: profileGates, log: input.log }),
      graphGateway: new GraphGateway({
        store,
        mailboxAccess,
        ews,
        slots: new GraphMailboxSlots(),
        baseUrl: input.config.baseUrl,
      }),
      localAdmins: new LocalAdminService(store),
      profiles,
      users,
      problems,
      // The overview's deadlines: certificates and the EWS end, then client secrets, passwords and stale
      // OAuth connections (the same items the advance alerts watch).
      overview: new OverviewService(
        store,
        profiles,
        clock,
        new DeadlineService(store, [
          accessDeadlines,
          async (d, ids, now) =>
            credentialDeadlinesFor(d, ids ?? null, now, (await settings.effective()).oauthStaleHours),
        ]),
      ),
      settings,
      auditEvents: new AuditEventService(store, profiles),
      serviceKeys: new ServiceKeyService(store, clock),
      syncReports: new SyncReportService(store, settings, input.log, input.config.baseUrl),
      meStatus: new MeStatusService(store, input.config),
      profileAdmins: new ProfileAdminService(store, profiles),
      jobs,
      ews,
      mailboxAccess,
      connectivity: new ConnectivityService(
        store,
        profiles,
        mailboxAccess,
        accessDeps,
        metrics,
        credentialDeadlines,
      ),
      checks,
      migrations,
      connectAccount: new ConnectAccountService(
        store,
        input.sealer,
        profiles,
        oauth,
        input.config.baseUrl,
        input.log,
      ),
      rateLimits: new RateLimitStores(db, input.log),
      credentialDeadlines,
    },
  };
}
