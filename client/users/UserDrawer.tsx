import {
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  OverlayDrawer,
  Skeleton,
  SkeletonItem,
  Text,
  tokens,
} from "@fluentui/react-components";
import {
  CheckmarkCircleRegular,
  CopyRegular,
  DismissCircleRegular,
  DismissRegular,
  PauseRegular,
  PlayRegular,
} from "@fluentui/react-icons";
import { errorMessage } from "../api/client";
import { useBulkUsers, useCheckNow, useUser } from "../api/users";
import { useNotify } from "../components/notify";
import { StateBadge } from "../components/StateBadge";
import { StalledBadge } from "../components/StalledBadge";
import { RemediationText } from "../connectivity/RemediationText";
import { exactTime, relativeTime } from "../components/relativeTime";
import { SyncSessionsList } from "./SyncSessionsList";
import { useNow } from "../components/useNow";

const useStyles = makeStyles({
  body: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    paddingBottom: tokens.spacingVerticalXXL,
  },
  details: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: "anywhere" },
  remediation: { margin: `${tokens.spacingVerticalXS} 0 ${tokens.spacingVerticalS}` },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  history: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  historyItem: {
    display: "grid",
    gridTemplateColumns: "20px 1fr auto",
    gap: tokens.spacingHorizontalS,
    alignItems: "start",
  },
  ok: { color: tokens.colorPaletteGreenForeground1, fontSize: "18px" },
  failed: { color: tokens.colorPaletteRedForeground1, fontSize: "18px" },
  muted: { color: tokens.colorNeutralForeground3 },
  headerNotice: { marginTop: tokens.spacingVerticalS },
  syncErrors: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
  code: { fontFamily: tokens.fontFamilyMonospace },
});

/** One user's state, last error with its remediation, sync errors, check history and sync sessions, beside the grid. */
export function UserDrawer({
  userId,
  profileId,
  onClose,
}: {
  userId: string | null;
  profileId: string;
  onClose: () => void;
}) {
  const styles = useStyles();
  const now = useNow();
  const user = useUser(userId);
  const bulk = useBulkUsers();
  const checkNow = useCheckNow(profileId);
  const notify = useNotify();
  const u = user.data;

  const handleCopy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      notify.success("Copied");
    } catch (err) {
      notify.error(err, "Couldn't copy");
    }
  };

  const handlePauseResume = () => {
    if (!u) return;
    const action = u.state === "paused" ? "resume" : "pause";
    bulk.mutate(
      { action, userIds: [u.id] },
      {
        onSuccess: () => notify.success(action === "pause" ? `Paused ${u.address}` : `Resumed ${u.address}`),
        onError: (err) => notify.error(err),
      },
    );
  };

  const handleCheck = () => {
    if (!u) return;
    checkNow.mutate([u.id], {
      onSuccess: () => notify.success(`Checked ${u.address}`),
      onError: (err) => notify.error(err, "Check failed to start"),
    });
  };

  return (
    <OverlayDrawer
      open={Boolean(userId)}
      position="end"
      size="medium"
      onOpenChange={(_e, d) => !d.open && onClose()}
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          action={
            <Button appearance="subtle" aria-label="Close" icon={<DismissRegular />} onClick={onClose} />
          }
        >
          {u?.address ?? "User"}
        </DrawerHeaderTitle>
        {u?.syncErrors && u.syncErrors.length > 0 && (
          <MessageBar intent="warning" layout="multiline" className={styles.headerNotice}>
            <MessageBarBody>
              <MessageBarTitle>
                The latest sync reported{" "}
                {u.syncErrors.length === 1 ? "an error" : `${u.syncErrors.length} errors`}
              </MessageBarTitle>
              <ul className={styles.syncErrors}>
                {u.syncErrors.map((e, i) => (
                  <li key={`${e.code}-${i}`}>
                    <span className={styles.code}>{e.code}</span>: {e.message}
                  </li>
                ))}
              </ul>
            </MessageBarBody>
          </MessageBar>
        )}
      </DrawerHeader>
      <DrawerBody className={styles.body}>
        {user.isPending && (
          <Skeleton aria-label="Loading user">
            <SkeletonItem size={24} />
            <SkeletonItem size={16} style={{ marginTop: 12 }} />
            <SkeletonItem size={16} style={{ marginTop: 12 }} />
          </Skeleton>
        )}
        {user.isError && (
          <MessageBar intent="error">
            <MessageBarBody>{errorMessage(user.error)}</MessageBarBody>
          </MessageBar>
        )}
        {u && (
          <>
            <dl className={styles.details}>
              <dt className={styles.term}>State</dt>
              <dd className={styles.value}>
                <StateBadge state={u.state} /> {u.stalled && <StalledBadge />}
              </dd>
              <dt className={styles.term}>Display name</dt>
              <dd className={styles.value}>{u.displayName || "—"}</dd>
              <dt className={styles.term}>Mailbox kind</dt>
              <dd className={styles.value}>{u.mailboxKind ?? "Not known yet"}</dd>
              <dt className={styles.term}>Last checked</dt>
              <dd className={styles.value}>
                {u.lastCheckedAt ? new Date(u.lastCheckedAt).toLocaleString() : "Never"}
              </dd>
              <dt className={styles.term}>Last synced</dt>
              <dd className={styles.value} title={u.lastSyncAt ? exactTime(u.lastSyncAt) : undefined}>
                {u.lastSyncAt ? relativeTime(u.lastSyncAt, now) : "Never"}
              </dd>
            </dl>
            <div className={styles.actions}>
              <Button
                icon={u.state === "paused" ? <PlayRegular /> : <PauseRegular />}
                onClick={handlePauseResume}
                disabled={bulk.isPending}
              >
                {u.state === "paused" ? "Resume" : "Pause"}
              </Button>
              <Button onClick={handleCheck} disabled={checkNow.isPending || u.state === "paused"}>
                Check now
              </Button>
            </div>
            {u.lastError && (
              <MessageBar intent="error" layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>{u.lastError.code}</MessageBarTitle>
                  {u.lastError.message}
                  <Text as="h3" weight="semibold" block style={{ marginTop: 8 }}>
                    What to do
                  </Text>
                  <div className={styles.remediation}>
                    <RemediationText text={u.lastError.remediation} />
                  </div>
                  <Button
                    size="small"
                    icon={<CopyRegular />}
                    onClick={() => void handleCopy(u.lastError!.remediation)}
                  >
                    Copy all
                  </Button>
                </MessageBarBody>
              </MessageBar>
            )}
            <section aria-labelledby="check-history-title">
              <Text as="h3" id="check-history-title" weight="semibold" block style={{ marginBottom: 8 }}>
                Check history
              </Text>
              {u.checkHistory.length === 0 ? (
                <Text className={styles.muted}>Not checked yet. Activate the profile or use Check now.</Text>
              ) : (
                <ol className={styles.history}>
                  {u.checkHistory.map((c, i) => (
                    <li key={`${c.checkedAt}-${i}`} className={styles.historyItem}>
                      {c.ok ? (
                        <CheckmarkCircleRegular className={styles.ok} aria-label="Passed" />
                      ) : (
                        <DismissCircleRegular className={styles.failed} aria-label="Failed" />
                      )}
                      <div>
                        <Text block>
                          {c.ok ? "Passed" : `${c.code ?? "Failed"}${c.message ? `: ${c.message}` : ""}`}
                        </Text>
                        <Text
                          size={200}
                          className={styles.muted}
                          title={new Date(c.checkedAt).toLocaleString()}
                        >
                          {relativeTime(c.checkedAt, now)}
                        </Text>
                      </div>
                      <Text size={200} className={styles.muted}>
                        {c.ms} ms
                      </Text>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <section aria-labelledby="sync-sessions-title">
              <Text as="h3" id="sync-sessions-title" weight="semibold" block style={{ marginBottom: 8 }}>
                Sync sessions
              </Text>
              <SyncSessionsList sessions={u.syncSessions} />
            </section>
          </>
        )}
      </DrawerBody>
    </OverlayDrawer>
  );
}
