import type { JobKindDefinition } from "./types";

/** `recheck-users`: re-checks the given users of the profile (ids of other profiles are ignored). */
export const recheckUsers: JobKindDefinition = {
  kind: "recheck-users",
  mode: "recheck",
  async selectUsers(db, profileId, userIds = []) {
    const wanted = [...new Set(userIds)];
    const found: string[] = [];
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = await db
        .selectFrom("users")
        .select("id")
        .where("profileId", "=", profileId)
        .where("id", "in", wanted.slice(i, i + 500))
        .orderBy("addressLower")
        .execute();
      found.push(...rows.map((r) => r.id));
    }
    return found;
  },
};
