import { Caption1, Text, makeStyles, tokens } from "@fluentui/react-components";
import { userStates, type UserState } from "../../contract/common";
import { describeCounts } from "../components/StateBar";
import { stateInfo } from "../components/states";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "760px" },
  svg: { width: "100%", maxWidth: "600px", height: "auto", overflow: "visible" },
  label: { fill: tokens.colorNeutralForeground1, fontSize: "13px", fontFamily: tokens.fontFamilyBase },
  value: {
    fill: tokens.colorNeutralForeground2,
    fontSize: "13px",
    fontFamily: tokens.fontFamilyBase,
    fontVariantNumeric: "tabular-nums",
  },
  track: { fill: tokens.colorNeutralBackground4 },
  bar: { forcedColorAdjust: "none" },
  muted: { color: tokens.colorNeutralForeground3 },
});

const ROW = 28;
const LABEL_W = 120;
const VALUE_W = 90;
const WIDTH = 600;
const BAR_H = 16;

/**
 * A horizontal bar chart of users by state (plain SVG): one row per state, its count and share.
 * Screen readers get one sentence with every count.
 * @example <UserStateChart counts={profile.counts} />
 */
export function UserStateChart({
  counts,
  title = "Users by state",
}: {
  counts: Partial<Record<UserState, number>>;
  title?: string;
}) {
  const styles = useStyles();
  const total = userStates.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  const max = Math.max(1, ...userStates.map((s) => counts[s] ?? 0));
  const barSpace = WIDTH - LABEL_W - VALUE_W;
  const description = describeCounts(counts);
  return (
    <figure className={styles.root} style={{ margin: 0 }}>
      <Text as="h3" weight="semibold">
        {title}
      </Text>
      <svg
        className={styles.svg}
        viewBox={`0 0 ${WIDTH} ${userStates.length * ROW}`}
        role="img"
        aria-label={`${title}: ${description}`}
      >
        {userStates.map((state, i) => {
          const n = counts[state] ?? 0;
          const y = i * ROW;
          const w = n > 0 ? Math.max(2, (n / max) * barSpace) : 0;
          const share = total > 0 ? Math.round((n / total) * 100) : 0;
          return (
            <g key={state} aria-hidden="true">
              <text className={styles.label} x={0} y={y + ROW / 2} dominantBaseline="middle">
                {stateInfo[state].label}
              </text>
              <rect
                className={styles.track}
                x={LABEL_W}
                y={y + (ROW - BAR_H) / 2}
                width={barSpace}
                height={BAR_H}
                rx={3}
              />
              {w > 0 ? (
                <rect
                  className={styles.bar}
                  x={LABEL_W}
                  y={y + (ROW - BAR_H) / 2}
                  width={w}
                  height={BAR_H}
                  rx={3}
                  style={{ fill: stateInfo[state].fill }}
                />
              ) : null}
              <text
                className={styles.value}
                x={WIDTH - VALUE_W + 8}
                y={y + ROW / 2}
                dominantBaseline="middle"
              >
                {n.toLocaleString()}
                {total > 0 ? ` (${share} %)` : ""}
              </text>
            </g>
          );
        })}
      </svg>
      <Caption1 className={styles.muted}>
        {total === 0
          ? "This profile has no users yet: add them on the Users tab."
          : `${total.toLocaleString()} users in total`}
      </Caption1>
    </figure>
  );
}
