import { useState } from "react";
import { alertText } from "../components/alertText";
import {
  Button,
  Card,
  CardHeader,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Switch,
  Text,
  tokens,
} from "@fluentui/react-components";
import { DeleteRegular, EditRegular } from "@fluentui/react-icons";
import type { Me } from "../../contract/auth";
import type { Profile } from "../../contract/profiles";
import { userStates } from "../../contract/common";
import { errorMessage } from "../api/client";
import { useDeleteProfile, useUpdateProfile } from "../api/profiles";
import { navigate } from "../app/router";
import { accessTypeLabel } from "../components/accessTypeLabel";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { useNotify } from "../components/notify";
import { StateBar } from "../components/StateBar";
import { ProfileFormDialog } from "../profiles/ProfileFormDialog";

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(320px, 1fr))",
    gap: tokens.spacingHorizontalL,
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
  actions: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
    marginTop: tokens.spacingVerticalM,
  },
  big: {
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
  },
  alert: { marginBottom: tokens.spacingVerticalL },
});

/** The General tab: status chart, sync switch, details, edit and delete. */
export function GeneralTab({ profile, me }: { profile: Profile; me: Me }) {
  const styles = useStyles();
  const update = useUpdateProfile();
  const remove = useDeleteProfile();
  const notify = useNotify();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const total = userStates.reduce((sum, s) => sum + (profile.counts[s] ?? 0), 0);

  const handleSyncChange = (enabled: boolean) =>
    update.mutate(
      { id: profile.id, patch: { syncEnabled: enabled } },
      {
        onSuccess: () => notify.success(enabled ? "Sync resumed" : "Sync paused"),
        onError: (err) => notify.error(err),
      },
    );

  const handleDelete = () =>
    remove.mutate(profile.id, {
      onSuccess: () => {
        notify.success(`Deleted ${profile.name}`);
        navigate({ page: "profiles" }, { replace: true });
      },
    });

  return (
    <>
      {profile.alert && (
        <MessageBar intent="error" className={styles.alert}>
          <MessageBarBody>
            <MessageBarTitle>{alertText[profile.alert.kind].title}</MessageBarTitle>
            {profile.alert.message}
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.grid}>
        <Card>
          <CardHeader
            header={
              <Text as="h2" weight="semibold" size={400}>
                Users by state
              </Text>
            }
          />
          <div>
            <span className={styles.big}>{total.toLocaleString()}</span> <Text>users</Text>
          </div>
          <StateBar counts={profile.counts} legend size="large" />
          <div className={styles.actions}>
            <Button onClick={() => navigate({ page: "profile", profileId: profile.id, tab: "users" })}>
              {total ? "Manage users" : "Add users"}
            </Button>
          </div>
        </Card>
        <Card>
          <CardHeader
            header={
              <Text as="h2" weight="semibold" size={400}>
                Details
              </Text>
            }
          />
          <Switch
            checked={profile.syncEnabled}
            disabled={update.isPending}
            onChange={(_e, d) => handleSyncChange(d.checked)}
            label={
              profile.syncEnabled
                ? "Sync is on for this profile"
                : "Sync is paused: nobody in this profile is synced"
            }
          />
          <dl className={styles.details}>
            <dt className={styles.term}>Description</dt>
            <dd className={styles.value}>{profile.description || "—"}</dd>
            <dt className={styles.term}>Mailbox access</dt>
            <dd className={styles.value}>{accessTypeLabel(profile.accessType)}</dd>
            <dt className={styles.term}>Max concurrent connections</dt>
            <dd className={styles.value}>{profile.maxConcurrentConnections}</dd>
            <dt className={styles.term}>Stalled sync</dt>
            <dd className={styles.value}>
              After {profile.stalledAfterHours} h without a report; alert above {profile.stalledAlertPercent}{" "}
              %
            </dd>
            <dt className={styles.term}>Created</dt>
            <dd className={styles.value}>{new Date(profile.createdAt).toLocaleString()}</dd>
          </dl>
          <div className={styles.actions}>
            <Button icon={<EditRegular />} onClick={() => setEditing(true)}>
              Edit
            </Button>
            {me.platformAdmin && (
              <Button icon={<DeleteRegular />} onClick={() => (remove.reset(), setDeleting(true))}>
                Delete profile
              </Button>
            )}
          </div>
        </Card>
      </div>
      <ProfileFormDialog open={editing} profile={profile} onClose={() => setEditing(false)} />
      <ConfirmDialog
        open={deleting}
        title={`Delete ${profile.name}?`}
        confirmLabel="Delete profile"
        destructive
        busy={remove.isPending}
        onConfirm={handleDelete}
        onCancel={() => setDeleting(false)}
      >
        <p>
          The profile, its mailbox access settings and its {total.toLocaleString()} users are removed. This
          can't be undone.
        </p>
        {remove.error && (
          <MessageBar intent="error" role="alert">
            <MessageBarBody>{errorMessage(remove.error)}</MessageBarBody>
          </MessageBar>
        )}
      </ConfirmDialog>
    </>
  );
}
