import { Caption1, Text, makeStyles, tokens } from "@fluentui/react-components";
import {
  CheckmarkCircle20Filled,
  DismissCircle20Filled,
  QuestionCircle20Regular,
  Warning20Filled,
} from "@fluentui/react-icons";
import type { SetupCheckItem } from "../api/types";

const useStyles = makeStyles({
  list: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column" },
  item: {
    display: "grid",
    gridTemplateColumns: "20px 1fr",
    columnGap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS, minWidth: 0 },
  detail: { whiteSpace: "pre-wrap", overflowWrap: "anywhere", color: tokens.colorNeutralForeground2 },
  fix: { overflowWrap: "anywhere" },
  passed: { color: tokens.colorPaletteGreenForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  confirm: { color: tokens.colorNeutralForeground3 },
});

const STATUS_LABEL: Record<SetupCheckItem["status"], string> = {
  passed: "Passed",
  failed: "Failed",
  warning: "Warning",
  confirm: "Confirm in Entra",
};

function StatusIcon({ status }: { status: SetupCheckItem["status"] }) {
  const styles = useStyles();
  const props = { className: styles[status], "aria-hidden": true };
  switch (status) {
    case "passed":
      return <CheckmarkCircle20Filled {...props} />;
    case "failed":
      return <DismissCircle20Filled {...props} />;
    case "warning":
      return <Warning20Filled {...props} />;
    case "confirm":
      return <QuestionCircle20Regular {...props} />;
  }
}

/**
 * The setup check's items: an icon per outcome (with its name for screen readers), what was seen, and what
 * to do for anything not passed.
 * @example <SetupCheckList items={check.items} />
 */
export function SetupCheckList({ items }: { items: SetupCheckItem[] }) {
  const styles = useStyles();
  return (
    <ul className={styles.list} aria-label="Setup check">
      {items.map((item) => (
        <li key={item.id} className={styles.item} data-check={item.id} data-status={item.status}>
          <StatusIcon status={item.status} />
          <div className={styles.body}>
            <Text weight="semibold">
              {item.title}
              <span className="visually-hidden">: {STATUS_LABEL[item.status]}</span>
            </Text>
            <Caption1 className={styles.detail}>{item.detail}</Caption1>
            {item.fix && item.status !== "passed" && (
              <Caption1 className={styles.fix}>
                <strong>{item.status === "confirm" ? "How: " : "Fix: "}</strong>
                {item.fix}
              </Caption1>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
