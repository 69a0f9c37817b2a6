import { Badge, Link, makeStyles, tokens } from "@fluentui/react-components";
import { ClockAlarmRegular } from "@fluentui/react-icons";
import { daysUntilEwsRetirement } from "../../contract/ews-deadline";
import { linkProps } from "../app/router";
import { useNow } from "./useNow";

const useStyles = makeStyles({
  root: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

/** "EWS ends in N days" for a date such as 2027-04-01 (or "EWS has ended" after it). */
export function ewsDeadlineText(endsOn: string, now: number): string {
  const days = daysUntilEwsRetirement(now);
  const date = new Date(`${endsOn}T00:00:00Z`).toLocaleDateString(undefined, {
    year: "numeric",
    month: "long",
    day: "numeric",
    timeZone: "UTC",
  });
  if (days <= 0) return `EWS ended in Exchange Online on ${date}`;
  return `EWS ends in ${days} ${days === 1 ? "day" : "days"} (${date})`;
}

/**
 * The Exchange Online EWS deadline of a profile on EWS, with a Move to Graph link to its Connectivity tab.
 * @example {p.ewsEndsOn && <EwsDeadline profileId={p.id} endsOn={p.ewsEndsOn} />}
 */
export function EwsDeadline({ profileId, endsOn }: { profileId: string; endsOn: string }) {
  const styles = useStyles();
  const now = useNow(60 * 60_000);
  return (
    <span className={styles.root}>
      <Badge appearance="tint" color="warning" icon={<ClockAlarmRegular />}>
        {ewsDeadlineText(endsOn, now)}
      </Badge>
      <Link {...linkProps({ page: "profile", profileId, tab: "connectivity" })}>Move to Graph</Link>
    </span>
  );
}
