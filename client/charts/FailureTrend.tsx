import { makeStyles, tokens } from "@fluentui/react-components";
import type { Trend } from "../../contract/overview";

const useStyles = makeStyles({
  svg: { display: "block", width: "150px", height: "32px", overflow: "visible" },
  bar: { fill: tokens.colorPaletteRedForeground1, forcedColorAdjust: "none" },
  base: { stroke: tokens.colorNeutralStroke1 },
});

const W = 150;
const H = 32;

/** Failed checks and failed sync reports per day. */
export const failuresOf = (t: Trend) => t.checkFailures.map((n, i) => n + (t.syncFailures[i] ?? 0));

const dayLabel = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });

/** One sentence with the numbers, for screen readers and the tooltip. */
export function describeTrend(days: readonly string[], trend: Trend): string {
  const failures = failuresOf(trend);
  const total = failures.reduce((n, f) => n + f, 0);
  if (total === 0) return `No failures in the last ${days.length} days`;
  const worst = failures.reduce((w, f, i) => (f > failures[w] ? i : w), 0);
  return `${total.toLocaleString()} failures in the last ${days.length} days (checks and sync reports); most on ${dayLabel(days[worst])} (${failures[worst].toLocaleString()}); today ${(failures.at(-1) ?? 0).toLocaleString()}`;
}

/**
 * A small bar chart of a profile's failures per day (plain SVG, oldest left), read from the daily rollups.
 * Colors are theme tokens (dark theme included); screen readers get one sentence with the numbers.
 * @example <FailureTrend days={overview.trendDays} trend={profile.trend} />
 */
export function FailureTrend({ days, trend }: { days: readonly string[]; trend: Trend }) {
  const styles = useStyles();
  const failures = failuresOf(trend);
  const max = Math.max(1, ...failures);
  const step = W / Math.max(1, days.length);
  const description = describeTrend(days, trend);
  return (
    <svg className={styles.svg} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={description}>
      <title>{description}</title>
      <line className={styles.base} x1={0} x2={W} y1={H - 0.5} y2={H - 0.5} strokeWidth={1} />
      {failures.map((n, i) => {
        if (n === 0) return null;
        const h = Math.max(2, (n / max) * (H - 2));
        return (
          <rect
            key={days[i]}
            className={styles.bar}
            x={i * step + 0.5}
            y={H - 1 - h}
            width={Math.max(1, step - 1)}
            height={h}
          />
        );
      })}
    </svg>
  );
}
