import { AppError } from "../errors";
import type { CheckPort, JobKindDefinition, MigrationJobPort } from "./types";

/** The migration port, or a failure the job reports as its reason. */
export function migrationPort(port: CheckPort): MigrationJobPort {
  if (!port.migrations) {
    throw new AppError(409, "conflict", "Move to Graph is not available on this job runner.");
  }
  return port.migrations;
}

/**
 * `migrate-dry-run` (Move to Graph): checks every user of the profile through Microsoft Graph with the
 * candidate app-only access, one read per RBAC role, and stores each result with the migration. Users'
 * states are not touched: the profile keeps syncing through EWS meanwhile.
 */
export const migrateDryRun: JobKindDefinition = {
  kind: "migrate-dry-run",
  mode: "recheck",
  selectUsers: (tx, profileId) => tx.users.idsOfProfile(profileId),
  checker: (port, job) => migrationPort(port).dryRunChecker(job.id),
  writeResult: (port, tx, job, user, result) =>
    migrationPort(port).writeDryRunResult(tx, job.id, user, result),
};
