import {
  Badge,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import type { Migration, MigrationCategory } from "../../../contract/migrations";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  tiles: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", margin: 0, padding: 0 },
  tile: {
    listStyle: "none",
    minWidth: "150px",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
    display: "flex",
    flexDirection: "column",
  },
  number: {
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontVariantNumeric: "tabular-nums",
  },
  muted: { color: tokens.colorNeutralForeground3 },
  remedy: {
    margin: 0,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    wordBreak: "break-word",
    color: tokens.colorNeutralForeground2,
  },
  tableWrap: { maxHeight: "420px", overflowY: "auto" },
  table: { tableLayout: "fixed" },
  user: { width: "26%" },
  result: { width: "14%" },
  state: { width: "10%" },
  top: { verticalAlign: "top", paddingTop: tokens.spacingVerticalS, paddingBottom: tokens.spacingVerticalS },
  what: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  address: { wordBreak: "break-all" },
});

/** Words and colours of a dry-run category. */
export const CATEGORY_INFO: Record<
  MigrationCategory,
  { label: string; badge: string; color: "success" | "danger" | "warning"; hint: string }
> = {
  pass: { label: "Pass", badge: "Pass", color: "success", hint: "Every role reached the mailbox." },
  fail: { label: "Fail", badge: "Fail", color: "danger", hint: "Fix with the remedy shown, then run again." },
  "on-premises": {
    label: "On-premises",
    badge: "Stays on EWS",
    color: "warning",
    hint: "Not in Exchange Online: stays on EWS, split the profile.",
  },
};

const SHOWN = 200;

/**
 * A dry run's report: counts by category, the out-of-scope mailbox, what Graph v1.0 lacks, and each
 * user that did not pass with its remedy (users that passed are counted, the first ones listed).
 */
export function MigrationResults({ migration }: { migration: Migration }) {
  const styles = useStyles();
  const { counts } = migration;
  const tiles: { key: string; label: string; n: number; hint: string }[] = [
    { key: "pass", label: "Pass", n: counts.pass, hint: CATEGORY_INFO.pass.hint },
    { key: "fail", label: "Fail", n: counts.fail, hint: CATEGORY_INFO.fail.hint },
    {
      key: "on-premises",
      label: "On-premises",
      n: counts.onPremises,
      hint: CATEGORY_INFO["on-premises"].hint,
    },
    ...(counts.unchecked > 0
      ? [
          {
            key: "unchecked",
            label: "Not checked yet",
            n: counts.unchecked,
            hint: "The dry run is on its way.",
          },
        ]
      : []),
  ];
  const flagged = migration.limitations.filter((l) => l.flagged);
  const users = migration.users.slice(0, SHOWN);
  return (
    <section className={styles.root} aria-label="Dry run results">
      <ul className={styles.tiles} aria-label="Users by result">
        {tiles.map((t) => (
          <li key={t.key} className={styles.tile}>
            <Text className={styles.number}>{t.n.toLocaleString()}</Text>
            <Text weight="semibold">{t.label}</Text>
            <Caption1 className={styles.muted}>{t.hint}</Caption1>
          </li>
        ))}
      </ul>
      {migration.outOfScope ? (
        <MessageBar intent={migration.outOfScope.refused ? "success" : "error"}>
          <MessageBarBody>
            <MessageBarTitle>
              {migration.outOfScope.refused
                ? `${migration.outOfScopeUser} is refused`
                : `${migration.outOfScopeUser} was not refused`}
            </MessageBarTitle>
            {migration.outOfScope.detail}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {flagged.map((l) => (
        <MessageBar key={l.id} intent="warning">
          <MessageBarBody>
            <MessageBarTitle>Not in Graph v1.0</MessageBarTitle>
            {l.message}
          </MessageBarBody>
        </MessageBar>
      ))}
      {users.length > 0 ? (
        <div className={styles.tableWrap} tabIndex={0} aria-label="Users and their dry-run results">
          <Table size="small" aria-label="Dry run by user" className={styles.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={styles.user}>User</TableHeaderCell>
                <TableHeaderCell className={styles.result}>Result</TableHeaderCell>
                <TableHeaderCell className={styles.state}>State</TableHeaderCell>
                <TableHeaderCell>What to do</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.map((u) => (
                <TableRow key={u.userId}>
                  <TableCell className={mergeClasses(styles.top, styles.address)}>{u.address}</TableCell>
                  <TableCell className={styles.top}>
                    <Badge appearance="tint" color={CATEGORY_INFO[u.category].color}>
                      {CATEGORY_INFO[u.category].badge}
                    </Badge>
                    {u.recheck ? (
                      <Caption1 className={styles.muted}>
                        {" "}
                        recheck: {u.recheck === "pass" ? "passed" : "failed"}
                      </Caption1>
                    ) : null}
                  </TableCell>
                  <TableCell className={styles.top}>{u.state}</TableCell>
                  <TableCell className={styles.top}>
                    <div className={styles.what}>
                      {u.message ? (
                        <Text size={200}>{u.message}</Text>
                      ) : (
                        <Caption1 className={styles.muted}>—</Caption1>
                      )}
                      {u.retryAt ? (
                        <Caption1 className={styles.muted}>
                          {" "}
                          Try again at{" "}
                          {new Date(u.retryAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
                          .
                        </Caption1>
                      ) : null}
                      {u.remediation ? <pre className={styles.remedy}>{u.remediation}</pre> : null}
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : (
        <Caption1 className={styles.muted}>No user has been checked yet.</Caption1>
      )}
      {migration.users.length > SHOWN || migration.usersTruncated ? (
        <Caption1 className={styles.muted}>
          The first {SHOWN} users are listed, failures first; the counts above cover everyone.
        </Caption1>
      ) : null}
    </section>
  );
}
