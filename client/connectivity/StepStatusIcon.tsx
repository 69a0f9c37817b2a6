import { makeStyles, tokens } from "@fluentui/react-components";
import {
  CheckmarkCircle20Filled,
  DismissCircle20Filled,
  SubtractCircle20Regular,
  Warning20Filled,
} from "@fluentui/react-icons";
import type { StepStatus } from "./types";

const useStyles = makeStyles({
  passed: { color: tokens.colorPaletteGreenForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteMarigoldForeground1 },
  skipped: { color: tokens.colorNeutralForeground3 },
});

/** Words for each step status (screen readers and the summary). */
export const STEP_STATUS_LABEL: Record<StepStatus, string> = {
  passed: "Passed",
  failed: "Failed",
  warning: "Warning",
  skipped: "Skipped",
};

/** The icon of a connectivity-test step's status, labelled for screen readers. */
export function StepStatusIcon({ status }: { status: StepStatus }) {
  const styles = useStyles();
  const props = { className: styles[status], "aria-label": STEP_STATUS_LABEL[status], role: "img" } as const;
  switch (status) {
    case "passed":
      return <CheckmarkCircle20Filled {...props} />;
    case "failed":
      return <DismissCircle20Filled {...props} />;
    case "warning":
      return <Warning20Filled {...props} />;
    case "skipped":
      return <SubtractCircle20Regular {...props} />;
  }
}
