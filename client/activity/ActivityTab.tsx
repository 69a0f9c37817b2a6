// Placeholder until the activity engineer's tab lands (they overwrite this file).
import { EmptyState } from "../components/EmptyState";

/** The Activity tab of a profile (placeholder). */
export function ActivityTab({ profileId }: { profileId: string }) {
  return <EmptyState title="Activity">Jobs and audit events of profile {profileId} will appear here.</EmptyState>;
}
