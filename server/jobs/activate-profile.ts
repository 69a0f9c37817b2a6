import type { JobKindDefinition } from "./types";
import { nowIso } from "../store/db";
import { lifecycleUpdate } from "../store/user-lifecycle-sql";

/** States an activation picks up (never activated, or failed last time), and how it marks them. */
const queue = lifecycleUpdate("queue");
/** How a cancelled or failed activation returns its pending users to their state before. */
const rollback = lifecycleUpdate("rollback");

/**
 * `activate-profile`: not-activated and error users → `pending` → `active` or `error`. A cancelled or
 * failed activation returns its pending users to the state they had before.
 */
export const activateProfile: JobKindDefinition = {
  kind: "activate-profile",
  mode: "activate",
  async selectUsers(db, profileId) {
    const rows = await db
      .selectFrom("users")
      .select("id")
      .where("profileId", "=", profileId)
      .where("state", "in", queue.states)
      .orderBy("addressLower")
      .execute();
    return rows.map((r) => r.id);
  },
  async onCreate(db, jobId) {
    await db
      .updateTable("users")
      .set({ ...queue.set, updatedAt: nowIso() })
      .where("id", "in", db.selectFrom("jobItems").select("userId").where("jobId", "=", jobId))
      .where("state", "in", queue.states)
      .execute();
  },
  async onAbort(db, jobId) {
    await db
      .updateTable("users")
      .set({ ...rollback.set, updatedAt: nowIso() })
      .where(
        "id",
        "in",
        db.selectFrom("jobItems").select("userId").where("jobId", "=", jobId).where("state", "!=", "done"),
      )
      .where("state", "in", rollback.states)
      .execute();
  },
};
