import { z } from "zod";
import { AccessType, EmailAddress, Id } from "./common";

/**
 * The app-only identity for the profile's new Graph access: the same fields as a `graph-app-only`
 * mailbox-access PUT, without `type`. Credential omitted = reuse the stored one (moving from
 * `ews-app-only` with the same tenant and app).
 */
export const MigrationAccess = z.strictObject({
  tenantId: z.string().trim().min(3).max(255),
  clientId: z.string().trim().min(36).max(36),
  clientSecret: z.string().min(8).max(1024).optional(),
  certificatePem: z.string().min(100).max(64_000).optional(),
  servicePrincipalObjectId: z.string().trim().min(36).max(36).optional(),
  scopeGroup: z.string().trim().max(320).optional(),
});
export type MigrationAccess = z.infer<typeof MigrationAccess>;

/** POST /profiles/:id/migrations: starts the dry run (a `migrate-dry-run` job). */
export const CreateMigrationBody = z.strictObject({
  to: z.literal("graph-app-only"),
  access: MigrationAccess,
  /** A mailbox the app must NOT reach (outside the management scope): the dry run checks it is refused. */
  outOfScopeUser: EmailAddress,
  /** What the sync uses that Graph v1.0 lacks: flagged in the report, never silently dropped. */
  needs: z
    .strictObject({ archive: z.boolean().default(false), publicFolders: z.boolean().default(false) })
    .optional(),
  /** The admin has just run the role assignments: failures in the next 2 hours read "may still be applying". */
  rolesJustAssigned: z.boolean().optional(),
});
export type CreateMigrationBody = z.infer<typeof CreateMigrationBody>;

/** What the dry run found for one user. */
export const migrationCategories = ["pass", "fail", "on-premises"] as const;
export const MigrationCategory = z.enum(migrationCategories);
export type MigrationCategory = z.infer<typeof MigrationCategory>;

export const migrationStatuses = [
  "dry-run",
  "ready",
  "dry-run-failed",
  "applied",
  "rolled-back",
  "superseded",
] as const;
export const MigrationStatus = z.enum(migrationStatuses);
export type MigrationStatus = z.infer<typeof MigrationStatus>;

export const MigrationUserResult = z.object({
  userId: Id,
  address: z.string(),
  /** The user's state now (the move keeps it). */
  state: z.string(),
  category: MigrationCategory,
  code: z.string().nullable(),
  message: z.string().nullable(),
  remediation: z.string().nullable(),
  /** RBAC for Applications changes take up to 2 hours: when to try again, if the failure may be that. */
  retryAt: z.string().nullable(),
  /** After apply: the recheck's outcome for users that failed the dry run, else null. */
  recheck: z.enum(["pass", "fail"]).nullable(),
});
export type MigrationUserResult = z.infer<typeof MigrationUserResult>;

/** Something the sync may need that Graph v1.0 does not offer. */
export const MigrationLimitation = z.object({
  id: z.enum(["archive", "public-folders", "mail-send"]),
  /** The admin said the sync needs it (or, for mail-send, a write key may send mail). */
  flagged: z.boolean(),
  message: z.string(),
});
export type MigrationLimitation = z.infer<typeof MigrationLimitation>;

/** GET /migrations/:id */
export const Migration = z.object({
  id: Id,
  profileId: Id,
  from: AccessType,
  to: z.literal("graph-app-only"),
  status: MigrationStatus,
  dryRunJobId: Id,
  recheckJobId: Id.nullable(),
  identity: z.object({
    tenantId: z.string(),
    clientId: z.string(),
    credential: z.enum(["certificate", "secret"]),
    servicePrincipalObjectId: z.string().nullable(),
    scopeGroup: z.string().nullable(),
  }),
  /** RBAC for Applications roles the profile's keys will use. */
  roles: z.array(z.string()),
  /** Exchange Online PowerShell granting exactly those roles in the management scope. */
  setupScript: z.string(),
  outOfScopeUser: z.string(),
  /** null until the dry run has tried it; refused = true is the pass. */
  outOfScope: z.object({ refused: z.boolean(), detail: z.string() }).nullable(),
  counts: z.object({
    pass: z.number().int(),
    fail: z.number().int(),
    onPremises: z.number().int(),
    unchecked: z.number().int(),
  }),
  /** Up to 2,000 users, failures first. */
  users: z.array(MigrationUserResult),
  usersTruncated: z.boolean(),
  limitations: z.array(MigrationLimitation),
  rolesAssignedAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  appliedAt: z.string().nullable(),
  appliedBy: z.string().nullable(),
  /** Roll back is possible until then (30 days after apply). */
  rollbackUntil: z.string().nullable(),
  rolledBackAt: z.string().nullable(),
  rolledBackBy: z.string().nullable(),
});
export type Migration = z.infer<typeof Migration>;

/** GET /profiles/:id/migrations/latest: the newest migration of the profile, or null. */
export const LatestMigration = Migration.nullable();
