import { tokens } from "@fluentui/react-components";
import type { UserState } from "../../contract/common";

/** How each user state reads and looks, in one place. */
export const stateInfo: Record<
  UserState,
  {
    label: string;
    color: "success" | "danger" | "brand" | "warning" | "informative";
    fill: string;
    hint: string;
  }
> = {
  active: {
    label: "Active",
    color: "success",
    fill: tokens.colorPaletteGreenBackground3,
    hint: "The last check passed; the sync service may use this mailbox.",
  },
  error: {
    label: "Error",
    color: "danger",
    fill: tokens.colorPaletteRedBackground3,
    hint: "The last check failed; open the user for the remediation.",
  },
  pending: {
    label: "Pending",
    color: "brand",
    fill: tokens.colorBrandBackground,
    hint: "Queued in an activation.",
  },
  paused: {
    label: "Paused",
    color: "warning",
    fill: tokens.colorPaletteMarigoldBackground3,
    hint: "An admin stopped sync for this user.",
  },
  "not-activated": {
    label: "Not activated",
    color: "informative",
    fill: tokens.colorNeutralStrokeAccessible,
    hint: "Added but never activated.",
  },
};
