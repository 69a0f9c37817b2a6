import type { JobKind } from "../../contract/jobs";
import { activateProfile } from "./activate-profile";
import { migrateDryRun } from "./migrate-dry-run";
import { migrateRecheck } from "./migrate-recheck";
import { recheckProfile } from "./recheck-profile";
import { recheckUsers } from "./recheck-users";
import type { JobKindDefinition } from "./types";

/** Every job kind by name. */
export const jobKindDefinitions: Record<JobKind, JobKindDefinition> = {
  "activate-profile": activateProfile,
  "recheck-profile": recheckProfile,
  "recheck-users": recheckUsers,
  "migrate-dry-run": migrateDryRun,
  "migrate-recheck": migrateRecheck,
};
