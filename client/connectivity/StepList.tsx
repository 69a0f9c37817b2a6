import { Caption1, Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { RemediationText } from "./RemediationText";
import { StepStatusIcon } from "./StepStatusIcon";
import type { ConnectivityStep } from "./types";

const useStyles = makeStyles({
  list: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column" },
  item: {
    display: "grid",
    gridTemplateColumns: "20px 1fr",
    columnGap: tokens.spacingHorizontalM,
    paddingTop: tokens.spacingVerticalS,
    paddingBottom: tokens.spacingVerticalS,
    borderBottom: `1px solid ${tokens.colorNeutralStroke3}`,
  },
  rail: { display: "flex", flexDirection: "column", alignItems: "center", paddingTop: "2px" },
  head: {
    display: "flex",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
    alignItems: "baseline",
  },
  detail: { color: tokens.colorNeutralForeground2, whiteSpace: "pre-wrap", wordBreak: "break-word" },
  skipped: { color: tokens.colorNeutralForeground3 },
  remediation: {
    marginTop: tokens.spacingVerticalS,
    paddingLeft: tokens.spacingHorizontalM,
    borderLeft: `3px solid ${tokens.colorPaletteMarigoldBorderActive}`,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  failedRemediation: { borderLeftColor: tokens.colorPaletteRedBorderActive },
  ms: { color: tokens.colorNeutralForeground3, whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" },
});

const formatMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/**
 * The steps of a connectivity test as a vertical list: status icon, name, timing, detail and,
 * for failed or warned steps, remediation with copyable PowerShell.
 */
export function StepList({
  steps,
  label = "Connectivity test steps",
}: {
  steps: readonly ConnectivityStep[];
  label?: string;
}) {
  const styles = useStyles();
  return (
    <ol className={styles.list} aria-label={label}>
      {steps.map((step, i) => (
        <li key={`${i}-${step.name}`} className={styles.item}>
          <span className={styles.rail}>
            <StepStatusIcon status={step.status} />
          </span>
          <div>
            <div className={styles.head}>
              <Text weight="semibold" className={step.status === "skipped" ? styles.skipped : undefined}>
                {step.name}
              </Text>
              {step.status !== "skipped" ? (
                <Caption1 className={styles.ms}>{formatMs(step.ms)}</Caption1>
              ) : null}
            </div>
            {step.detail ? (
              <Text as="p" block size={200} className={styles.detail} style={{ margin: 0 }}>
                {step.detail}
              </Text>
            ) : null}
            {step.code ? (
              <Caption1 as="p" block className={styles.ms} style={{ margin: 0 }}>
                Code: {step.code}
              </Caption1>
            ) : null}
            {step.remediation && step.status !== "passed" ? (
              <div
                className={mergeClasses(
                  styles.remediation,
                  step.status === "failed" && styles.failedRemediation,
                )}
                role="group"
                aria-label={`How to fix: ${step.name}`}
              >
                <Text weight="semibold" size={200}>
                  How to fix
                </Text>
                <RemediationText text={step.remediation} />
              </div>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
