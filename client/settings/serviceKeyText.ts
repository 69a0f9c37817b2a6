import type { ServiceKeyScope } from "../api/types";

/** Each scope's short name and the one line that says what it lets the sync service do. */
export const scopeInfo: Record<ServiceKeyScope, { label: string; description: string }> = {
  "roster:read": {
    label: "Read the roster",
    description: "List enrolled mailboxes and their state, so the service knows whom to sync.",
  },
  "ews:read": {
    label: "Read mailboxes through the EWS gateway",
    description:
      "Read folders, items and attachments, look up names and availability, subscribe to changes; the service never holds a password or token.",
  },
  "ews:write": {
    label: "Change mailboxes through the EWS gateway",
    description:
      "Create, update, move, send and delete items and folders. Delegates, inbox rules, out-of-office, folder permissions and export stay refused for every key.",
  },
  "ews:proxy": {
    label: "Use the EWS gateway (read and write)",
    description:
      "The scope of keys made before reads and writes were told apart: works as ews:read + ews:write.",
  },
  "reports:write": {
    label: "Report sync sessions",
    description: 'Record how each sync went; admins and users then see "last synced" and sync errors.',
  },
};

/** How the sync service calls this server with a key, one line per scope. */
export const usageLines: { scope: ServiceKeyScope; method: string; path: string }[] = [
  { scope: "roster:read", method: "GET", path: "/api/v1/sync/mailboxes" },
  { scope: "ews:read", method: "POST", path: "/api/v1/sync/mailboxes/{address}/ews" },
  { scope: "ews:write", method: "POST", path: "/api/v1/sync/mailboxes/{address}/ews" },
  { scope: "ews:proxy", method: "POST", path: "/api/v1/sync/mailboxes/{address}/ews" },
  { scope: "reports:write", method: "POST", path: "/api/v1/sync/mailboxes/{address}/reports" },
];

/** A date for lists ("2 Dec 2026"), or the fallback when there is none. */
export function shortDate(iso: string | null, fallback: string): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { dateStyle: "medium" });
}

/**
 * The end of a chosen day (local time) as an ISO timestamp, so a key "expiring on 2 Dec" works all that day.
 * @example endOfDayIso("2026-12-02") // "2026-12-02T22:59:59.999Z" in Berlin
 */
export function endOfDayIso(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d, 23, 59, 59, 999).toISOString();
}
