import type { ProfileAlert } from "../../contract/profiles";

/** A profile alert's short name (badge) and heading (message bar), by kind; the detail is always `alert.message`. */
export const alertText: Record<ProfileAlert["kind"], { badge: string; title: string }> = {
  "failure-share": { badge: "Checks failing", title: "Many mailboxes fail their checks" },
  "service-account-auth": { badge: "Sign-in failing", title: "The service account can't sign in" },
  "sync-failures": { badge: "Sync failing", title: "Sync keeps failing" },
  "stalled-sync": { badge: "Sync stalled", title: "Sync has stalled for many mailboxes" },
};
