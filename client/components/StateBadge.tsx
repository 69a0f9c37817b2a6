import { Badge } from "@fluentui/react-components";
import type { UserState } from "../../contract/common";
import { stateInfo } from "./states";

/** A user's state as a colored badge with its label (color is never the only cue). */
export function StateBadge({ state }: { state: UserState }) {
  const info = stateInfo[state];
  return (
    <Badge appearance="tint" color={info.color} title={info.hint}>
      {info.label}
    </Badge>
  );
}
