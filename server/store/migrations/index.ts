import type { Migration } from "kysely";
import * as initial from "./20261126T150000-initial";
import * as jobLeases from "./20261126T151800-job-leases";
import * as syncService from "./20261126T153000-sync-service";
import * as oauthAuthorizations from "./20261127T090000-oauth-authorizations";
import * as rateLimits from "./20261127T120000-rate-limits";
import * as jobHeartbeat from "./20261127T130000-job-heartbeat";
import * as jobThrottling from "./20261202T233000-job-throttling";
import * as profileMigrations from "./20261202T233000-profile-migrations";
import * as oauthExpectedUpn from "./20261203T003000-oauth-expected-upn";
import * as userWordsAddress from "./20261203T123000-user-words-address";
import * as failureCause from "./20261203T125000-failure-cause";
import * as overview from "./20261203T125015-overview";
import * as credentialDeadlines from "./20261203T125300-credential-deadlines";
import * as profileStateCounts from "./20261203T210000-profile-state-counts";

/**
 * Every migration, in order. Append-only: a released migration is never edited; add a new file named
 * `<UTC timestamp>-<name>.ts` and list it here.
 */
export const migrations: Record<string, Migration> = {
  "20261126T150000-initial": initial,
  "20261126T151800-job-leases": jobLeases,
  "20261126T153000-sync-service": syncService,
  "20261127T090000-oauth-authorizations": oauthAuthorizations,
  "20261127T120000-rate-limits": rateLimits,
  "20261127T130000-job-heartbeat": jobHeartbeat,
  "20261202T233000-job-throttling": jobThrottling,
  "20261202T233000-profile-migrations": profileMigrations,
  "20261203T003000-oauth-expected-upn": oauthExpectedUpn,
  "20261203T123000-user-words-address": userWordsAddress,
  "20261203T125000-failure-cause": failureCause,
  "20261203T125015-overview": overview,
  "20261203T125300-credential-deadlines": credentialDeadlines,
  "20261203T210000-profile-state-counts": profileStateCounts,
};
