import {
  CheckmarkCircle24Filled,
  CircleHint24Regular,
  ErrorCircle24Filled,
  HourglassHalf24Regular,
  PauseCircle24Regular,
  PersonQuestionMark24Regular,
  type FluentIcon,
} from "@fluentui/react-icons";
import type { AccessType, UserState } from "../../contract/common";
import { ACCESS_TYPE_DESCRIPTIONS } from "../connectivity/access-types/descriptions";

/** Every state the view can show: the mailbox states plus "not enrolled". */
export type DisplayState = UserState | "not-enrolled";

/** How a state looks: its label, icon and tone (the tone picks a Fluent status color). */
export interface StateLook {
  label: string;
  Icon: FluentIcon;
  tone: "success" | "danger" | "warning" | "neutral";
}

/** One entry per state, so a new state is a type error here rather than a blank card. */
export const STATE_LOOKS: Record<DisplayState, StateLook> = {
  active: { label: "Active", Icon: CheckmarkCircle24Filled, tone: "success" },
  pending: { label: "Pending", Icon: HourglassHalf24Regular, tone: "warning" },
  "not-activated": { label: "Not activated", Icon: CircleHint24Regular, tone: "neutral" },
  error: { label: "Error", Icon: ErrorCircle24Filled, tone: "danger" },
  paused: { label: "Paused", Icon: PauseCircle24Regular, tone: "neutral" },
  "not-enrolled": { label: "Not enrolled", Icon: PersonQuestionMark24Regular, tone: "neutral" },
};

/** How the sync service reaches the mailbox, in words an end user can read. */
export function accessTypeText(type: AccessType | null): string {
  return type ? ACCESS_TYPE_DESCRIPTIONS[type].statusText : "Not set up yet";
}
