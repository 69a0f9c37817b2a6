import { useState } from "react";
import { alertText } from "../components/alertText";
import {
  Badge,
  Button,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
  Tooltip,
} from "@fluentui/react-components";
import { AddRegular, AlertRegular, PeopleTeamRegular } from "@fluentui/react-icons";
import type { Me } from "../../contract/auth";
import type { Profile } from "../../contract/profiles";
import { userStates } from "../../contract/common";
import { errorMessage } from "../api/client";
import { useDeleteProfile, useProfiles, useUpdateProfile } from "../api/profiles";
import { linkProps, navigate } from "../app/router";
import { accessTypeLabel } from "../components/accessTypeLabel";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { EmptyState } from "../components/EmptyState";
import { EwsDeadline } from "../components/EwsDeadline";
import { useNotify } from "../components/notify";
import { PageHeader } from "../components/PageHeader";
import { ListSkeleton } from "../components/Skeletons";
import { StateBar } from "../components/StateBar";
import { ProfileActionsMenu } from "./ProfileActionsMenu";
import { ProfileFormDialog } from "./ProfileFormDialog";

const useStyles = makeStyles({
  card: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
  },
  nameCell: {
    display: "flex",
    flexDirection: "column",
    minWidth: 0,
    padding: `${tokens.spacingVerticalS} 0`,
  },
  description: {
    color: tokens.colorNeutralForeground3,
    overflow: "hidden",
    textOverflow: "ellipsis",
    whiteSpace: "nowrap",
  },
  usersCell: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    width: "100%",
    paddingRight: tokens.spacingHorizontalL,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  badges: { display: "flex", gap: tokens.spacingHorizontalXS, flexWrap: "wrap" },
});

const total = (p: Profile) => userStates.reduce((sum, s) => sum + (p.counts[s] ?? 0), 0);

/** All profiles with their users by state; create, edit, pause/resume sync and delete. */
export function ProfilesPage({ me }: { me: Me }) {
  const styles = useStyles();
  const profiles = useProfiles();
  const update = useUpdateProfile();
  const remove = useDeleteProfile();
  const notify = useNotify();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Profile | undefined>();
  const [deleting, setDeleting] = useState<Profile | undefined>();

  const handleToggleSync = (p: Profile) => {
    update.mutate(
      { id: p.id, patch: { syncEnabled: !p.syncEnabled } },
      {
        onSuccess: (next) =>
          notify.success(next.syncEnabled ? `Sync resumed for ${next.name}` : `Sync paused for ${next.name}`),
        onError: (err) => notify.error(err),
      },
    );
  };

  const handleDelete = () => {
    if (!deleting) return;
    remove.mutate(deleting.id, {
      onSuccess: () => (notify.success(`Deleted ${deleting.name}`), setDeleting(undefined)),
    });
  };

  const createButton = me.platformAdmin && (
    <Button appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
      Create profile
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Profiles"
        subtitle="Each profile holds the mailboxes one Exchange service account syncs."
        actions={createButton}
      />
      {profiles.isPending && (
        <div className={styles.card}>
          <ListSkeleton rows={4} label="Loading profiles" />
        </div>
      )}
      {profiles.isError && (
        <MessageBar intent="error">
          <MessageBarBody>Couldn't load profiles: {errorMessage(profiles.error)}</MessageBarBody>
        </MessageBar>
      )}
      {profiles.data?.length === 0 && (
        <EmptyState icon={<PeopleTeamRegular />} title="No profiles yet" action={createButton}>
          Create a profile, add the mailboxes to sync, then set up its Exchange connection under Connectivity.
        </EmptyState>
      )}
      {profiles.data && profiles.data.length > 0 && (
        <div className={styles.card}>
          <Table aria-label="Profiles">
            <TableHeader>
              <TableRow>
                <TableHeaderCell style={{ width: "32%" }}>Name</TableHeaderCell>
                <TableHeaderCell style={{ width: "20%" }}>Access type</TableHeaderCell>
                <TableHeaderCell>Users</TableHeaderCell>
                <TableHeaderCell style={{ width: "150px" }}>Status</TableHeaderCell>
                <TableHeaderCell style={{ width: "56px" }}>
                  <span className="visually-hidden">Actions</span>
                </TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {profiles.data.map((p) => (
                <TableRow key={p.id}>
                  <TableCell>
                    <div className={styles.nameCell}>
                      <Link {...linkProps({ page: "profile", profileId: p.id, tab: "general" })}>
                        {p.name}
                      </Link>
                      {p.description && (
                        <Text size={200} className={styles.description}>
                          {p.description}
                        </Text>
                      )}
                    </div>
                  </TableCell>
                  <TableCell>
                    <div className={styles.nameCell}>
                      <Text className={p.accessType ? undefined : styles.muted}>
                        {accessTypeLabel(p.accessType)}
                      </Text>
                      {p.ewsEndsOn ? <EwsDeadline profileId={p.id} endsOn={p.ewsEndsOn} /> : null}
                    </div>
                  </TableCell>
                  <TableCell>
                    <div className={styles.usersCell}>
                      <Text size={200}>{total(p).toLocaleString()} users</Text>
                      <StateBar counts={p.counts} />
                    </div>
                  </TableCell>
                  <TableCell>
                    <div className={styles.badges}>
                      {!p.syncEnabled && (
                        <Badge appearance="tint" color="warning">
                          Sync paused
                        </Badge>
                      )}
                      {p.alert && (
                        <Tooltip content={p.alert.message} relationship="description">
                          <Badge
                            appearance="filled"
                            color="danger"
                            icon={<AlertRegular />}
                            tabIndex={0}
                            aria-label={`${alertText[p.alert.kind].badge}: ${p.alert.message}`}
                          >
                            {alertText[p.alert.kind].badge}
                          </Badge>
                        </Tooltip>
                      )}
                      {p.syncEnabled && !p.alert && !p.accessType && (
                        <Badge appearance="tint" color="informative">
                          Needs setup
                        </Badge>
                      )}
                      {p.syncEnabled && !p.alert && p.accessType && (
                        <Badge appearance="tint" color="success">
                          Syncing
                        </Badge>
                      )}
                    </div>
                  </TableCell>
                  <TableCell>
                    <ProfileActionsMenu
                      profile={p}
                      canDelete={me.platformAdmin}
                      onEdit={() => setEditing(p)}
                      onToggleSync={() => handleToggleSync(p)}
                      onDelete={() => (remove.reset(), setDeleting(p))}
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      <ProfileFormDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(p) => navigate({ page: "profile", profileId: p.id, tab: "users" })}
      />
      <ProfileFormDialog open={Boolean(editing)} profile={editing} onClose={() => setEditing(undefined)} />
      <ConfirmDialog
        open={Boolean(deleting)}
        title={`Delete ${deleting?.name ?? "profile"}?`}
        confirmLabel="Delete profile"
        destructive
        busy={remove.isPending}
        onConfirm={handleDelete}
        onCancel={() => setDeleting(undefined)}
      >
        <p>
          The profile, its mailbox access settings and its {deleting ? total(deleting).toLocaleString() : 0}{" "}
          users are removed. This can't be undone.
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
