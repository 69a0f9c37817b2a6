import { statesChangedBy } from "../domain/user-lifecycle";
import { repositoriesOn } from "../store/unit-of-work";
import type { JobKindDefinition } from "./types";

/** `recheck-profile`: re-checks every active and error user of a profile (the monitor runs it too). */
export const recheckProfile: JobKindDefinition = {
  kind: "recheck-profile",
  mode: "recheck",
  selectUsers: (tx, profileId) =>
    repositoriesOn(tx).users.idsOfProfile(profileId, statesChangedBy("recheck-ok")),
};
