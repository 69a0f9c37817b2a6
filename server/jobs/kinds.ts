import type { JobKind } from "../../contract/jobs";
import { activateProfile } from "./activate-profile";
import { recheckProfile } from "./recheck-profile";
import { recheckUsers } from "./recheck-users";
import type { JobKindDefinition } from "./types";

/** Every job kind by name. */
export const jobKindDefinitions: Record<JobKind, JobKindDefinition> = {
  "activate-profile": activateProfile,
  "recheck-profile": recheckProfile,
  "recheck-users": recheckUsers,
};
