import type { Generated } from "kysely";
import type { AccessType, UserState } from "../../contract/common";
import type { JobKind, JobState } from "../../contract/jobs";

/**
 * The store's tables as Kysely sees them (camelCase here, snake_case in SQL through CamelCasePlugin).
 * Timestamps are ISO-8601 UTC strings and booleans are 0/1 integers, so both databases read the same.
 */
export interface Database {
  profiles: ProfileTable;
  mailboxAccess: MailboxAccessTable;
  users: UserTable;
  userWords: UserWordTable;
  checkHistory: CheckHistoryTable;
  connectivityTests: ConnectivityTestTable;
  jobs: JobTable;
  jobItems: JobItemTable;
  auditEvents: AuditEventTable;
  localAdmins: LocalAdminTable;
  sessions: SessionTable;
  profileAdmins: ProfileAdminTable;
  settings: SettingTable;
  serviceKeys: ServiceKeyTable;
  syncSessions: SyncSessionTable;
  mailboxTombstones: MailboxTombstoneTable;
  oauthAuthorizations: OAuthAuthorizationTable;
  rateLimits: RateLimitTable;
  profileMigrations: ProfileMigrationTable;
  profileMigrationResults: ProfileMigrationResultTable;
  credentialExpiry: CredentialExpiryTable;
  credentialAlerts: CredentialAlertTable;
  profileDailyStats: ProfileDailyStatsTable;
  profileStateCounts: ProfileStateCountsTable;
}

export interface ProfileTable {
  id: string;
  name: string;
  nameLower: string;
  description: string;
  syncEnabled: number;
  maxConcurrentConnections: number;
  /** JSON `{kind, message, since}` or null. */
  alert: string | null;
  /** Hours without a sync report after which an active mailbox counts as stalled (default 24). */
  stalledAfterHours: number;
  /** The stalled alert: more than this share (%) of the profile's active mailboxes stalled (default 10). */
  stalledAlertPercent: number;
  createdAt: string;
  updatedAt: string;
}

export interface MailboxAccessTable {
  profileId: string;
  type: AccessType;
  /** JSON of the type's non-secret fields. */
  settings: string;
  /** Sealed JSON of the type's secret fields, or null. */
  sealedSecret: string | null;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface UserTable {
  id: string;
  profileId: string;
  address: string;
  addressLower: string;
  displayName: string;
  state: UserState;
  /** The state before a pending activation, restored when the activation is cancelled. */
  stateBefore: string | null;
  mailboxKind: string | null;
  lastCheckedAt: string | null;
  /** JSON `{code, message, remediation}` or null. */
  lastError: string | null;
  entraObjectId: string | null;
  lastSyncAt: string | null;
  /** JSON list of sync errors from the latest report, or null. */
  syncErrors: string | null;
  /** The current failure's cause (contract/problems.ts): the check's while it fails, else the sync report's. */
  failureCause: string | null;
  /** The cause of the latest sync report's errors, or null when it had none. */
  syncCause: string | null;
  /** When the current cause was first seen, and last seen. */
  failureSince: string | null;
  failureSeenAt: string | null;
  /** For an alias: the primary SMTP address Exchange named (ErrorNonPrimarySmtpAddress). */
  primaryAddress: string | null;
  /** When the mailbox last became active (stalled sync counts from it), or null. */
  activeSince: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface UserWordTable {
  userId: string;
  profileId: string;
  word: string;
  /** The user's lower-cased address, so the word index gives matches in list order. */
  addressLower: string;
}

export interface CheckHistoryTable {
  id: Generated<number>;
  userId: string;
  checkedAt: string;
  ok: number;
  code: string | null;
  message: string | null;
  ms: number;
  jobId: string | null;
}

export interface ConnectivityTestTable {
  id: string;
  profileId: string;
  startedAt: string;
  finishedAt: string;
  ok: number;
  /** JSON of the steps. */
  result: string;
  createdBy: string;
}

export interface JobTable {
  id: string;
  profileId: string;
  kind: JobKind;
  state: JobState;
  total: number;
  done: number;
  ok: number;
  failed: number;
  /** JSON `{code: n}`. */
  failuresByCode: string;
  reason: string | null;
  params: string;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** The runner driving the job, and until when (renewed by its heartbeat). */
  leaseOwner: string | null;
  leaseUntil: string | null;
  /** When that runner last claimed or renewed the lease. */
  leaseRenewedAt: string | null;
  /** Calls Exchange refused as busy (ErrorServerBusy, 429, 503 with Retry-After); never an item's attempt. */
  throttled: Generated<number>;
  /** Since when the job's calls have been refused with none passing; null while calls pass. */
  throttledSince: string | null;
}

export interface JobItemTable {
  jobId: string;
  userId: string;
  seq: number;
  state: "pending" | "leased" | "done" | "cancelled";
  leaseOwner: string | null;
  leaseUntil: string | null;
  attempts: number;
  ok: number | null;
  code: string | null;
}

export interface AuditEventTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  profileId: string | null;
  target: string | null;
  before: string | null;
  after: string | null;
}

export interface LocalAdminTable {
  id: string;
  email: string;
  emailLower: string;
  passwordHash: string;
  createdAt: string;
}

export interface SessionTable {
  /** SHA-256 of the session token; the token itself is only in the cookie. */
  idHash: string;
  adminId: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export interface ProfileAdminTable {
  profileId: string;
  userPrincipalName: string;
}

export interface SettingTable {
  key: string;
  value: string;
}

export interface ServiceKeyTable {
  id: string;
  name: string;
  /** SHA-256 of the whole key; the key itself is shown once and never stored. */
  keyHash: string;
  /** The key's first characters, to tell keys apart in the panel. */
  prefix: string;
  /** JSON list of scopes. */
  scopes: string;
  profileId: string | null;
  expiresAt: string | null;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface SyncSessionTable {
  id: string;
  userId: string;
  serviceKeyId: string;
  startedAt: string;
  finishedAt: string;
  itemsIn: number;
  itemsOut: number;
  ok: number;
  /** JSON list of `{code, message}`. */
  errors: string;
  receivedAt: string;
}

/** A mailbox removed from a profile, kept so the roster can tell the sync service to stop. */
export interface MailboxTombstoneTable {
  addressLower: string;
  profileId: string;
  removedAt: string;
}

/** A pending "Connect account" authorization (one-time URL → identity provider → callback). Hashes only. */
export interface OAuthAuthorizationTable {
  /** SHA-256 of the one-time URL's token. */
  id: string;
  profileId: string;
  actorId: string;
  actorName: string;
  /** SHA-256 of the OAuth `state`, set when the one-time URL is opened. */
  stateHash: string | null;
  /** SHA-256 of the cookie that binds the callback to the browser that opened the URL. */
  bindingHash: string | null;
  /** The PKCE code verifier, sealed with the profile id as context. */
  sealedVerifier: string | null;
  /** Space-separated scopes requested. */
  scopes: string;
  /** The service account's UPN the admin expects to sign in (compared case-insensitively with the ID token's `upn`). */
  expectedUpn: string | null;
  createdAt: string;
  expiresAt: string;
  openedAt: string | null;
  completedAt: string | null;
}

/** A rate limiter's count for one client key in the current window (shared by every instance). */
export interface RateLimitTable {
  /** `<limiter>:<client key>`, e.g. `login:203.0.113.7`. */
  key: string;
  hits: number;
  /** When the window ends (ISO). */
  resetAt: string;
}

/** A move of a profile's mailbox access from an EWS type to Graph app-only (dry run, apply, roll back). */
export interface ProfileMigrationTable {
  id: string;
  profileId: string;
  fromType: AccessType;
  /** The access version the dry run was made against: apply refuses if the access changed since. */
  fromVersion: number;
  toType: AccessType;
  /** `created` (dry run) | `applied` | `rolled-back` | `superseded`; the dry run's job tells the rest. */
  state: string;
  dryRunJobId: string;
  recheckJobId: string | null;
  /** JSON of the candidate access's settings (non-secret). */
  settings: string;
  /** The candidate access's secret, sealed with the profile id (as mailbox_access rows are). */
  sealedSecret: string | null;
  /** JSON list of RBAC for Applications roles. */
  roles: string;
  /** JSON `{archive, publicFolders, write}`. */
  needs: string;
  outOfScopeUser: string;
  /** JSON `{refused, detail}` once the dry run tried it. */
  outOfScopeResult: string | null;
  rolesAssignedAt: string | null;
  /** The access before apply, kept sealed for a roll back. */
  previousType: AccessType | null;
  previousSettings: string | null;
  previousSealedSecret: string | null;
  previousVersion: number | null;
  /** The mailbox_access version apply wrote: a roll back needs it unchanged. */
  appliedVersion: number | null;
  createdBy: string;
  createdAt: string;
  appliedAt: string | null;
  appliedBy: string | null;
  rolledBackAt: string | null;
  rolledBackBy: string | null;
  updatedAt: string;
}

/** One user's dry-run result (and, after apply, its recheck). */
export interface ProfileMigrationResultTable {
  migrationId: string;
  userId: string;
  /** `pass` | `fail` | `on-premises` */
  category: string;
  code: string | null;
  message: string | null;
  remediation: string | null;
  retryAt: string | null;
  /** `pass` | `fail` after apply's recheck, else null. */
  recheck: string | null;
  checkedAt: string;
}

/** What Exchange told of a service account credential's expiry (kind `password`). */
export interface CredentialExpiryTable {
  profileId: string;
  kind: string;
  /** Null: it never expires. */
  expiresAt: string | null;
  checkedAt: string;
}

/** An advance alert sent for a credential (named by its due date) at a threshold (days ahead). */
export interface CredentialAlertTable {
  profileId: string;
  kind: string;
  credentialKey: string;
  thresholdDays: number;
  sentAt: string;
}

/**
 * One profile's day (UTC): checks and sync reports add to it as they are written; the monitor writes the
 * users by state and the stalled count (null until it did). The overview's trend reads these, never
 * check history.
 */
export interface ProfileDailyStatsTable {
  profileId: string;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  checks: number;
  checkFailures: number;
  syncReports: number;
  syncFailures: number;
  notActivated: number | null;
  pending: number | null;
  active: number | null;
  error: number | null;
  paused: number | null;
  stalled: number | null;
  updatedAt: string;
}

/**
 * Users per profile and state, kept by triggers on `users` (migration 20261203T210000): what the overview
 * and the Profiles page read instead of counting users. Written by no code; rows may sit at zero.
 */
export interface ProfileStateCountsTable {
  profileId: string;
  state: string;
  users: number;
}
