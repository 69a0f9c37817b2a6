import { makeStyles, tokens } from "@fluentui/react-components";
import type { TrendDay } from "../../contract/overview";

const useStyles = makeStyles({
  svg: { display: "block", width: "150px", height: "32px", overflow: "visible" },
  bar: { fill: tokens.colorPaletteRedForeground1, forcedColorAdjust: "none" },
  base: { stroke: tokens.colorNeutralStroke1 },
});

const W = 150;
const H = 32;

/** Failed checks and failed sync reports of a day. */
export const failuresOf = (d: TrendDay) => d.checkFailures + d.syncFailures;

const dayLabel = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });

/** One sentence with the numbers, for screen readers and the tooltip. */
export function describeTrend(trend: readonly TrendDay[]): string {
  const total = trend.reduce((n, d) => n + failuresOf(d), 0);
  if (total === 0) return `No failures in the last ${trend.length} days`;
  const worst = trend.reduce((a, b) => (failuresOf(b) > failuresOf(a) ? b : a));
  const today = trend.at(-1);
  return `${total.toLocaleString()} failures in the last ${trend.length} days (checks and sync reports); most on ${dayLabel(worst.day)} (${failuresOf(worst).toLocaleString()}); today ${today ? failuresOf(today).toLocaleString() : 0}`;
}

/**
 * A small bar chart of a profile's failures per day (plain SVG, oldest left), read from the daily rollups.
 * Colors are theme tokens (dark theme included); screen readers get one sentence with the numbers.
 * @example <FailureTrend trend={profile.trend} />
 */
export function FailureTrend({ trend }: { trend: readonly TrendDay[] }) {
  const styles = useStyles();
  const max = Math.max(1, ...trend.map(failuresOf));
  const step = W / Math.max(1, trend.length);
  const description = describeTrend(trend);
  return (
    <svg className={styles.svg} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={description}>
      <title>{description}</title>
      <line className={styles.base} x1={0} x2={W} y1={H - 0.5} y2={H - 0.5} strokeWidth={1} />
      {trend.map((d, i) => {
        const n = failuresOf(d);
        if (n === 0) return null;
        const h = Math.max(2, (n / max) * (H - 2));
        return (
          <rect
            key={d.day}
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
