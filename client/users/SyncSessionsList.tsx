import { makeStyles, Text, tokens } from "@fluentui/react-components";
import { CheckmarkCircleRegular, WarningRegular } from "@fluentui/react-icons";
import type { SyncSession } from "../api/types";
import { exactTime, relativeTime } from "../components/relativeTime";
import { useNow } from "../components/useNow";

const useStyles = makeStyles({
  list: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  item: {
    display: "grid",
    gridTemplateColumns: "20px 1fr auto",
    gap: tokens.spacingHorizontalS,
    alignItems: "start",
  },
  ok: { color: tokens.colorPaletteGreenForeground1, fontSize: "18px" },
  failed: { color: tokens.colorPaletteDarkOrangeForeground1, fontSize: "18px" },
  muted: { color: tokens.colorNeutralForeground3 },
  errors: { margin: `${tokens.spacingVerticalXXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/** "12 in · 3 out" for a session's item counts. */
function itemCounts(s: SyncSession): string {
  return `${s.itemsIn.toLocaleString()} in · ${s.itemsOut.toLocaleString()} out`;
}

/** The latest sync sessions the sync service reported for one mailbox, newest first. */
export function SyncSessionsList({ sessions }: { sessions: SyncSession[] }) {
  const styles = useStyles();
  const now = useNow();
  if (sessions.length === 0) {
    return (
      <Text className={styles.muted}>The sync service hasn't reported a session for this mailbox yet.</Text>
    );
  }
  return (
    <ol className={styles.list} aria-label="Sync sessions, newest first">
      {sessions.map((s) => (
        <li key={s.id} className={styles.item}>
          {s.ok ? (
            <CheckmarkCircleRegular className={styles.ok} aria-label="Synced" />
          ) : (
            <WarningRegular className={styles.failed} aria-label="Synced with errors" />
          )}
          <div>
            <Text block>
              {s.ok ? "Synced" : `${s.errors.length} ${s.errors.length === 1 ? "error" : "errors"}`} ·{" "}
              {itemCounts(s)}
            </Text>
            <Text size={200} className={styles.muted} title={exactTime(s.finishedAt)}>
              Finished {relativeTime(s.finishedAt, now)}
            </Text>
            {s.errors.length > 0 && (
              <ul className={styles.errors}>
                {s.errors.map((e, i) => (
                  <li key={`${e.code}-${i}`}>
                    <Text className={styles.code}>{e.code}</Text> <Text size={200}>{e.message}</Text>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <Text size={200} className={styles.muted}>
            {exactTime(s.finishedAt)}
          </Text>
        </li>
      ))}
    </ol>
  );
}
