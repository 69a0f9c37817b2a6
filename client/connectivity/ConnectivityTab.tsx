// Placeholder until the connectivity engineer's tab lands (they overwrite this file).
import { EmptyState } from "../components/EmptyState";

/** The Connectivity tab of a profile (placeholder). */
export function ConnectivityTab({ profileId }: { profileId: string }) {
  return <EmptyState title="Connectivity">Email configuration for profile {profileId} is coming soon.</EmptyState>;
}
