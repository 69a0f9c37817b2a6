import type { ProfileAlert } from "../../contract/profiles";
import type { Db } from "./db-types";
import { parseJson } from "./json";
import { ProblemRepository } from "./problems-repo";

/** A profile as alerting sees it: its alert parsed. */
export interface AlertedProfile {
  id: string;
  name: string;
  alert: ProfileAlert | null;
}

const withAlert = <T extends { alert: string | null }>(
  row: T,
): Omit<T, "alert"> & { alert: ProfileAlert | null } => ({
  ...row,
  alert: parseJson<ProfileAlert>(row.alert),
});

/**
 * SQL of the profiles' alerts (the monitor's and the sync reports'): profiles to watch, their latest
 * monitoring outcome, alerts and purges.
 */
export class MonitorRepository {
  constructor(private readonly db: Db) {}

  /** Enabled profiles with a mailbox access config and users worth re-checking. */
  async watchedProfiles(): Promise<AlertedProfile[]> {
    const rows = await this.db
      .selectFrom("profiles")
      .innerJoin("mailboxAccess", "mailboxAccess.profileId", "profiles.id")
      .select(["profiles.id", "profiles.name", "profiles.alert"])
      .where("profiles.syncEnabled", "=", 1)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("users")
            .select("users.id")
            .whereRef("users.profileId", "=", "profiles.id")
            .where("users.state", "in", ["active", "error"]),
        ),
      )
      .execute();
    return rows.map(withAlert);
  }

  /** Every profile's stalled settings and alert (the stalled rule runs for all; a disabled profile clears its alert). */
  async stalledSettings() {
    const rows = await this.db
      .selectFrom("profiles")
      .select(["id", "name", "alert", "syncEnabled", "stalledAfterHours", "stalledAlertPercent"])
      .execute();
    return rows.map(withAlert);
  }

  /** One profile's name and alert, or undefined when it is gone. */
  async alertOf(profileId: string): Promise<AlertedProfile | undefined> {
    const row = await this.db
      .selectFrom("profiles")
      .select(["id", "name", "alert"])
      .where("id", "=", profileId)
      .executeTakeFirst();
    return row && withAlert(row);
  }

  /** Whether any mailbox of the profile still has errors from its last sync report. */
  async hasSyncErrors(profileId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("users")
      .select("id")
      .where("profileId", "=", profileId)
      .where("syncErrors", "is not", null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** When the profile's last recheck-profile job was created (any creator), or undefined. */
  async lastRecheckAt(profileId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("jobs")
      .select("createdAt")
      .where("profileId", "=", profileId)
      .where("kind", "=", "recheck-profile")
      .orderBy("createdAt", "desc")
      .limit(1)
      .executeTakeFirst();
    return row?.createdAt;
  }

  /** The profile's latest finished recheck job: its outcome decides the alert. */
  latestFinishedRecheck(profileId: string) {
    return this.db
      .selectFrom("jobs")
      .select(["id", "state", "total", "done", "failed", "reason", "finishedAt"])
      .where("profileId", "=", profileId)
      .where("kind", "=", "recheck-profile")
      .where("state", "in", ["done", "failed"])
      .orderBy("finishedAt", "desc")
      .limit(1)
      .executeTakeFirst();
  }

  /** Sets the alert only when none is set: true for the one instance that raised it (one alert per incident). */
  async raiseAlert(profileId: string, alert: ProfileAlert): Promise<boolean> {
    const res = await this.db
      .updateTable("profiles")
      .set({ alert: JSON.stringify(alert) })
      .where("id", "=", profileId)
      .where("alert", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Clears the alert; true when there was one. */
  async clearAlert(profileId: string): Promise<boolean> {
    const res = await this.db
      .updateTable("profiles")
      .set({ alert: null })
      .where("id", "=", profileId)
      .where("alert", "is not", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** The profile's largest group of failures (cause and count), or undefined when none fail. */
  async topProblem(profileId: string): Promise<{ cause: string; count: number } | undefined> {
    const counts = await new ProblemRepository(this.db).counts([profileId]);
    return counts.sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause))[0];
  }

  /** Deletes audit events and check history older than the cutoff; returns the counts. */
  async purgeOlderThan(cutoffIso: string): Promise<{ auditEvents: number; checkHistory: number }> {
    const a = await this.db.deleteFrom("auditEvents").where("at", "<", cutoffIso).executeTakeFirst();
    const c = await this.db.deleteFrom("checkHistory").where("checkedAt", "<", cutoffIso).executeTakeFirst();
    // Sync sessions the sync service reported follow the same retention.
    await this.db.deleteFrom("syncSessions").where("receivedAt", "<", cutoffIso).execute();
    // Expired local-admin sessions are useless from the moment they expire.
    await this.db.deleteFrom("sessions").where("expiresAt", "<", new Date().toISOString()).execute();
    return { auditEvents: Number(a.numDeletedRows), checkHistory: Number(c.numDeletedRows) };
  }
}
