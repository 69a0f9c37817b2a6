import { Badge } from "@fluentui/react-components";
import { HourglassHalfRegular } from "@fluentui/react-icons";

/**
 * Beside a user's state: active and allowed to sync, yet no sync report for longer than the profile's
 * threshold while the sync service reports for others.
 * @example {u.stalled && <StalledBadge />}
 */
export function StalledBadge() {
  return (
    <Badge
      appearance="tint"
      color="warning"
      icon={<HourglassHalfRegular />}
      title="No sync report for longer than the profile's threshold, while the sync service reports for other mailboxes"
    >
      Stalled
    </Badge>
  );
}
