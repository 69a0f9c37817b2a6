import type { AuditEvent } from "../../contract/audit";

/** Readable words for audit actions; unknown actions show as they are ("profile.update" → "profile update"). */
const ACTION_LABELS: Record<string, string> = {
  "profile.create": "Created the profile",
  "profile.update": "Changed the profile",
  "profile.delete": "Deleted the profile",
  "mailbox-access.update": "Saved the email configuration",
  "mailbox-access.put": "Saved the email configuration",
  "connectivity-test.run": "Ran a connectivity test",
  "users.add": "Added users",
  "users.remove": "Removed users",
  "users.move": "Moved users",
  "users.pause": "Paused users",
  "users.resume": "Resumed users",
  "job.start": "Started a job",
  "job.pause": "Paused a job",
  "job.resume": "Resumed a job",
  "job.cancel": "Cancelled a job",
  "oauth.connect": "Connected the service account",
  "oauth.disconnect": "Disconnected the service account",
  "alert.raise": "Alert raised",
  "alert.clear": "Alert cleared",
};

/** A sentence for an audit action. */
export function auditActionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action.replace(/[._-]+/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** The fields that changed between before and after (top level), for a one-line summary. */
export function changedFields(event: Pick<AuditEvent, "before" | "after">): string[] {
  const before = (event.before && typeof event.before === "object" ? event.before : {}) as Record<
    string,
    unknown
  >;
  const after = (event.after && typeof event.after === "object" ? event.after : {}) as Record<
    string,
    unknown
  >;
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}
