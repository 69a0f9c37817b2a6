import { makeStyles, tokens, Tooltip } from "@fluentui/react-components";
import { userStates, type UserState } from "../../contract/common";
import { stateInfo } from "./states";
import { plural } from "./plural";

const useStyles = makeStyles({
  bar: {
    display: "flex",
    height: "8px",
    borderRadius: tokens.borderRadiusCircular,
    overflow: "hidden",
    backgroundColor: tokens.colorNeutralBackground5,
    minWidth: "80px",
  },
  large: { height: "16px", borderRadius: tokens.borderRadiusMedium },
  legend: {
    display: "flex",
    flexWrap: "wrap",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    marginTop: tokens.spacingVerticalS,
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground2,
  },
  swatch: {
    display: "inline-block",
    width: "10px",
    height: "10px",
    borderRadius: "2px",
    marginRight: tokens.spacingHorizontalXS,
    verticalAlign: "baseline",
    forcedColorAdjust: "none",
  },
  segment: { forcedColorAdjust: "none" },
});

/** The counts and a sentence describing them, for screen readers and tooltips. */
export function describeCounts(counts: Partial<Record<UserState, number>>): string {
  const total = userStates.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  if (total === 0) return "No users";
  const parts = userStates
    .filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${counts[s]!.toLocaleString()} ${stateInfo[s].label.toLowerCase()}`);
  return `${plural(total, "user")}: ${parts.join(", ")}`;
}

/**
 * A stacked bar of user counts by state (plain CSS), with an optional legend.
 * @example <StateBar counts={profile.counts} legend />
 */
export function StateBar({
  counts,
  legend = false,
  size = "small",
}: {
  counts: Partial<Record<UserState, number>>;
  legend?: boolean;
  size?: "small" | "large";
}) {
  const styles = useStyles();
  const total = userStates.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  const description = describeCounts(counts);
  return (
    <div>
      <Tooltip content={description} relationship="description">
        <div
          role="img"
          aria-label={description}
          className={size === "large" ? `${styles.bar} ${styles.large}` : styles.bar}
          tabIndex={legend ? undefined : -1}
        >
          {total > 0 &&
            userStates.map((s) =>
              counts[s] ? (
                <div
                  key={s}
                  className={styles.segment}
                  style={{ width: `${(counts[s] / total) * 100}%`, backgroundColor: stateInfo[s].fill }}
                />
              ) : null,
            )}
        </div>
      </Tooltip>
      {legend && (
        <div className={styles.legend} aria-hidden="true">
          {userStates.map((s) => (
            <span key={s}>
              <span className={styles.swatch} style={{ backgroundColor: stateInfo[s].fill }} />
              {stateInfo[s].label} {(counts[s] ?? 0).toLocaleString()}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
