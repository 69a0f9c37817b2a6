import {
  createTableColumn,
  Link,
  makeStyles,
  mergeClasses,
  Text,
  tokens,
  Tooltip,
  type TableColumnDefinition,
  type TableColumnSizingOptions,
} from "@fluentui/react-components";
import { WarningFilled } from "@fluentui/react-icons";
import { exactTime, relativeTime } from "../components/relativeTime";
import { StateBadge } from "../components/StateBadge";
import { StalledBadge } from "../components/StalledBadge";
import type { User } from "../api/types";
import { useNow } from "../components/useNow";

const useStyles = makeStyles({
  ellipsis: {
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
    display: "block",
    minWidth: 0,
  },
  error: { color: tokens.colorPaletteRedForeground1 },
  muted: { color: tokens.colorNeutralForeground3 },
  syncCell: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXS, minWidth: 0 },
  warning: {
    color: tokens.colorPaletteDarkOrangeForeground1,
    fontSize: "16px",
    flexShrink: 0,
    display: "flex",
    borderRadius: tokens.borderRadiusSmall,
  },
});

function AddressCell({ user, onOpen }: { user: User; onOpen: (id: string) => void }) {
  const styles = useStyles();
  return (
    <Link
      as="button"
      className={styles.ellipsis}
      onClick={(e) => {
        // Opening a user is not selecting the row (the DataGrid row toggles selection on click).
        e.stopPropagation();
        onOpen(user.id);
      }}
    >
      {user.address}
    </Link>
  );
}

function ErrorCell({ user }: { user: User }) {
  const styles = useStyles();
  if (!user.lastError) return <Text className={styles.muted}>—</Text>;
  return (
    <Text className={mergeClasses(styles.ellipsis, styles.error)} title={user.lastError.message}>
      {user.lastError.message}
    </Text>
  );
}

/** When the sync service last reported for the user ("4 minutes ago"), with a warning when its latest session had errors. */
function LastSyncedCell({ user }: { user: User }) {
  const styles = useStyles();
  const now = useNow();
  const errors = user.syncErrors ?? [];
  const text = user.lastSyncAt ? relativeTime(user.lastSyncAt, now) : "Never";
  const summary = errors.map((e) => `${e.code}: ${e.message}`).join("\n");
  return (
    <div className={styles.syncCell}>
      <Text
        className={mergeClasses(styles.ellipsis, !user.lastSyncAt && styles.muted)}
        title={
          user.lastSyncAt ? exactTime(user.lastSyncAt) : "The sync service hasn't reported this mailbox yet"
        }
      >
        {text}
      </Text>
      {errors.length > 0 && (
        <Tooltip content={`Sync errors: ${summary}`} relationship="label" withArrow>
          <span className={styles.warning} role="img" tabIndex={0}>
            <WarningFilled />
          </span>
        </Tooltip>
      )}
    </div>
  );
}

function PlainCell({ value, title }: { value: string; title?: string }) {
  const styles = useStyles();
  return (
    <Text className={styles.ellipsis} title={title ?? value}>
      {value}
    </Text>
  );
}

/** When the user was last checked ("4 minutes ago"; the exact time in the title). */
function LastCheckedCell({ user }: { user: User }) {
  const now = useNow();
  return (
    <PlainCell
      value={user.lastCheckedAt ? relativeTime(user.lastCheckedAt, now) : "Never"}
      title={user.lastCheckedAt ? new Date(user.lastCheckedAt).toLocaleString() : "Never checked"}
    />
  );
}

/** Widths the header and the virtualized rows share. */
export const userColumnSizing: TableColumnSizingOptions = {
  address: { idealWidth: 300, minWidth: 200 },
  displayName: { idealWidth: 200, minWidth: 120 },
  state: { idealWidth: 130, minWidth: 110 },
  kind: { idealWidth: 90, minWidth: 70 },
  lastCheckedAt: { idealWidth: 130, minWidth: 100 },
  lastSyncAt: { idealWidth: 150, minWidth: 110 },
  lastError: { idealWidth: 280, minWidth: 150 },
};

/** The Users grid's columns; `onOpen` opens a user's detail drawer. */
export function userColumns(onOpen: (id: string) => void): TableColumnDefinition<User>[] {
  return [
    createTableColumn<User>({
      columnId: "address",
      renderHeaderCell: () => "Address",
      renderCell: (u) => <AddressCell user={u} onOpen={onOpen} />,
    }),
    createTableColumn<User>({
      columnId: "displayName",
      renderHeaderCell: () => "Display name",
      renderCell: (u) => <PlainCell value={u.displayName || "—"} />,
    }),
    createTableColumn<User>({
      columnId: "state",
      renderHeaderCell: () => "State",
      renderCell: (u) => (
        <span style={{ display: "inline-flex", gap: "4px", flexWrap: "wrap" }}>
          <StateBadge state={u.state} />
          {u.stalled && <StalledBadge />}
        </span>
      ),
    }),
    createTableColumn<User>({
      columnId: "kind",
      renderHeaderCell: () => "Kind",
      renderCell: (u) => <PlainCell value={u.mailboxKind ?? "—"} />,
    }),
    createTableColumn<User>({
      columnId: "lastCheckedAt",
      renderHeaderCell: () => "Last checked",
      renderCell: (u) => <LastCheckedCell user={u} />,
    }),
    createTableColumn<User>({
      columnId: "lastSyncAt",
      renderHeaderCell: () => "Last synced",
      renderCell: (u) => <LastSyncedCell user={u} />,
    }),
    createTableColumn<User>({
      columnId: "lastError",
      renderHeaderCell: () => "Last error",
      renderCell: (u) => <ErrorCell user={u} />,
    }),
  ];
}
