import { useCallback, useMemo, useRef, useState } from "react";
import {
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Text,
  Toolbar,
  ToolbarButton,
  ToolbarDivider,
  tokens,
  Tooltip,
  type TableRowId,
} from "@fluentui/react-components";
import {
  ArrowDownloadRegular,
  ArrowMoveRegular,
  DeleteRegular,
  PauseRegular,
  PeopleAddRegular,
  PlayRegular,
  ShieldCheckmarkRegular,
} from "@fluentui/react-icons";
import { userStates, type UserState } from "../../contract/common";
import { failureCauses, type FailureCause } from "../../contract/problems";
import { errorMessage } from "../api/client";
import { useProfile } from "../api/profiles";
import { exportUsersCsv, MAX_CHECK_NOW, useBulkUsers, useCheckNow, useUsersPages } from "../api/users";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { EmptyState } from "../components/EmptyState";
import { useNotify } from "../components/notify";
import { ListSkeleton } from "../components/Skeletons";
import { AddUsersDialog } from "./AddUsersDialog";
import { MoveUsersDialog } from "./MoveUsersDialog";
import { useDebouncedValue } from "./useDebouncedValue";
import { useGridHeight } from "./useGridHeight";
import { UserDrawer } from "./UserDrawer";
import { UsersFilters } from "./UsersToolbar";
import { UsersGrid } from "./UsersGrid";
import { plural } from "../components/plural";

const useStyles = makeStyles({
  top: {
    display: "flex",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
    marginBottom: tokens.spacingVerticalM,
  },
  actions: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
    flexWrap: "wrap",
    minHeight: "40px",
    marginBottom: tokens.spacingVerticalS,
  },
  count: { color: tokens.colorNeutralForeground2 },
  gridWrap: { overflowX: "auto" },
});

function stateFromUrl(): UserState | "" {
  const wanted = new URLSearchParams(window.location.search).get("state") ?? "";
  return (userStates as readonly string[]).includes(wanted) ? (wanted as UserState) : "";
}

function causeFromUrl(): FailureCause | "" {
  const wanted = new URLSearchParams(window.location.search).get("cause") ?? "";
  return (failureCauses as readonly string[]).includes(wanted) ? (wanted as FailureCause) : "";
}

/** The Users tab: search, filter, a virtualized grid paged by cursor, bulk actions and the detail drawer. */
export function UsersTab({ profileId }: { profileId: string }) {
  const styles = useStyles();
  const notify = useNotify();
  const profile = useProfile(profileId);
  const [q, setQ] = useState("");
  // A link may open the tab filtered (e.g. "Show users in error" after an activation: ?state=error).
  const [state, setState] = useState<UserState | "">(stateFromUrl);
  // The Problems view links here filtered by a cause (?cause=mailbox-alias).
  const [cause, setCause] = useState<FailureCause | "">(causeFromUrl);
  // The overview links stalled counts here with ?stalled=true.
  const [stalled, setStalled] = useState(
    () => new URLSearchParams(window.location.search).get("stalled") === "true",
  );
  const query = useDebouncedValue(q.trim(), 250);
  const pages = useUsersPages(profileId, query, state, cause, stalled);
  const bulk = useBulkUsers();
  const checkNow = useCheckNow(profileId);
  const [selected, setSelected] = useState<Set<TableRowId>>(new Set());
  const [openUserId, setOpenUserId] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [moving, setMoving] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [exporting, setExporting] = useState(false);
  const gridTop = useRef<HTMLDivElement>(null);
  const height = useGridHeight(gridTop);

  const users = useMemo(() => pages.data?.pages.flatMap((p) => p.data) ?? [], [pages.data]);
  const selectedIds = useMemo(() => [...selected].map(String), [selected]);
  const counts = profile.data?.counts;
  const profileTotal = counts ? userStates.reduce((sum, s) => sum + (counts[s] ?? 0), 0) : undefined;
  const matching = query || cause || stalled ? undefined : state ? counts?.[state] : profileTotal;

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const handleNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const handleFilterChange = (apply: () => void) => {
    apply();
    setSelected(new Set());
  };

  const runBulk = (action: "pause" | "resume" | "remove") =>
    bulk.mutate(
      { action, userIds: selectedIds },
      {
        onSuccess: (r) => {
          const verb = action === "pause" ? "Paused" : action === "resume" ? "Resumed" : "Removed";
          notify.success(`${verb} ${plural(r.count, "user")}`);
          setSelected(new Set());
          setRemoving(false);
        },
        onError: (err) => notify.error(err),
      },
    );

  const handleCheckNow = () =>
    checkNow.mutate(selectedIds, {
      onSuccess: () =>
        notify.success(
          `Checked ${selectedIds.length} user${selectedIds.length === 1 ? "" : "s"}`,
          "Their states are up to date.",
        ),
      onError: (err) => notify.error(err, "Check now didn't run"),
    });

  const handleExport = async () => {
    setExporting(true);
    try {
      await exportUsersCsv(profileId);
    } catch (err) {
      notify.error(err, "Export failed");
    } finally {
      setExporting(false);
    }
  };

  const noUsersAtAll = profileTotal === 0 && !query && !state && !cause && !stalled;
  const n = selectedIds.length;

  return (
    <>
      <div className={styles.top}>
        <UsersFilters
          q={q}
          onQChange={(v) => handleFilterChange(() => setQ(v))}
          state={state}
          onStateChange={(s) => handleFilterChange(() => setState(s))}
          cause={cause}
          onCauseChange={(c) => handleFilterChange(() => setCause(c))}
          stalled={stalled}
          onStalledChange={(v) => handleFilterChange(() => setStalled(v))}
        />
        <div>
          <Button appearance="primary" icon={<PeopleAddRegular />} onClick={() => setAdding(true)}>
            Add users
          </Button>
        </div>
      </div>
      <div className={styles.actions}>
        <Toolbar aria-label="Actions on selected users" size="small">
          <ToolbarButton
            icon={<PauseRegular />}
            disabled={!n || bulk.isPending}
            onClick={() => runBulk("pause")}
          >
            Pause
          </ToolbarButton>
          <ToolbarButton
            icon={<PlayRegular />}
            disabled={!n || bulk.isPending}
            onClick={() => runBulk("resume")}
          >
            Resume
          </ToolbarButton>
          <Tooltip
            content={
              n > MAX_CHECK_NOW
                ? `Select at most ${MAX_CHECK_NOW} users; for more, activate or re-check the profile.`
                : "Check the selected mailboxes now"
            }
            relationship="description"
          >
            <ToolbarButton
              icon={<ShieldCheckmarkRegular />}
              disabled={!n || n > MAX_CHECK_NOW || checkNow.isPending}
              onClick={handleCheckNow}
            >
              Check now
            </ToolbarButton>
          </Tooltip>
          <ToolbarButton icon={<ArrowMoveRegular />} disabled={!n} onClick={() => setMoving(true)}>
            Move
          </ToolbarButton>
          <ToolbarButton icon={<DeleteRegular />} disabled={!n} onClick={() => setRemoving(true)}>
            Remove
          </ToolbarButton>
          <ToolbarDivider />
          <ToolbarButton
            icon={<ArrowDownloadRegular />}
            disabled={exporting}
            onClick={() => void handleExport()}
          >
            Export CSV
          </ToolbarButton>
        </Toolbar>
        <Text className={styles.count} aria-live="polite">
          {n > 0 ? `${n.toLocaleString()} selected · ` : ""}
          {matching !== undefined
            ? plural(matching, "user")
            : `${users.length.toLocaleString()}${pages.hasNextPage ? "+" : ""} found`}
        </Text>
      </div>
      <div ref={gridTop} className={styles.gridWrap}>
        {pages.isPending && <ListSkeleton rows={8} label="Loading users" />}
        {pages.isError && (
          <MessageBar intent="error">
            <MessageBarBody>Couldn't load users: {errorMessage(pages.error)}</MessageBarBody>
          </MessageBar>
        )}
        {pages.isSuccess && noUsersAtAll && (
          <EmptyState
            icon={<PeopleAddRegular />}
            title="No users in this profile yet"
            action={
              <Button appearance="primary" onClick={() => setAdding(true)}>
                Add users
              </Button>
            }
          >
            Paste the mailbox addresses to sync, or drop a CSV file. Then set up the Exchange connection under
            Connectivity and activate.
          </EmptyState>
        )}
        {pages.isSuccess && !noUsersAtAll && users.length === 0 && (
          <EmptyState title="No users match">Try another search or state, or clear the filters.</EmptyState>
        )}
        {pages.isSuccess && users.length > 0 && (
          <UsersGrid
            users={users}
            height={height}
            selected={selected}
            onSelectionChange={setSelected}
            onOpen={setOpenUserId}
            onNearEnd={handleNearEnd}
            totalRows={matching}
          />
        )}
      </div>
      <AddUsersDialog profileId={profileId} open={adding} onClose={() => setAdding(false)} />
      <MoveUsersDialog
        open={moving}
        fromProfileId={profileId}
        userIds={selectedIds}
        onClose={() => setMoving(false)}
        onDone={() => (setMoving(false), setSelected(new Set()))}
      />
      <ConfirmDialog
        open={removing}
        title={`Remove ${plural(n, "user")}?`}
        confirmLabel="Remove"
        destructive
        busy={bulk.isPending}
        onConfirm={() => runBulk("remove")}
        onCancel={() => setRemoving(false)}
      >
        The sync service stops using these mailboxes and their check history is deleted. You can add them
        again later.
      </ConfirmDialog>
      <UserDrawer userId={openUserId} profileId={profileId} onClose={() => setOpenUserId(null)} />
    </>
  );
}
