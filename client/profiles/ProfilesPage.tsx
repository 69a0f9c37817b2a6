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
import type { Deadline, Overview, OverviewProfile } from "../../contract/overview";
import { userStates, type UserState } from "../../contract/common";
import { errorMessage } from "../api/client";
import { useOverview } from "../api/overview";
import { useDeleteProfile, useUpdateProfile } from "../api/profiles";
import { FailureTrend } from "../charts/FailureTrend";
import { stateInfo } from "../components/states";
import { linkProps, navigate, routePath } from "../app/router";
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
  stateLinks: {
    display: "flex",
    flexWrap: "wrap",
    columnGap: tokens.spacingHorizontalS,
    fontSize: tokens.fontSizeBase200,
  },
  totals: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))",
    gap: tokens.spacingHorizontalM,
    marginBottom: tokens.spacingVerticalL,
    padding: 0,
    margin: `0 0 ${tokens.spacingVerticalL} 0`,
  },
  total: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
  },
  totalValue: { fontSize: tokens.fontSizeHero700, fontWeight: tokens.fontWeightSemibold, lineHeight: "1.1" },
});

/** The Users tab of a profile, filtered (every number of the overview opens one). */
function usersLink(profileId: string, filter: { state?: UserState; stalled?: boolean }) {
  const params = new URLSearchParams();
  if (filter.state) params.set("state", filter.state);
  if (filter.stalled) params.set("stalled", "true");
  const href = `${routePath({ page: "profile", profileId, tab: "users" })}?${params.toString()}`;
  return {
    href,
    onClick: (e: React.MouseEvent<HTMLAnchorElement>) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(href);
    },
  };
}

const deadlineLabel: Record<string, string> = {
  certificate: "Certificate expires",
  "ews-deadline": "EWS ends",
};

/** "Certificate expires in 12 days" (or "... 3 days ago"). */
function deadlineText(d: Deadline): string {
  const what = deadlineLabel[d.kind] ?? d.kind;
  if (d.daysLeft === 0) return `${what} today`;
  if (d.daysLeft < 0) {
    return `${what.replace("expires", "expired").replace("ends", "ended")} ${-d.daysLeft} days ago`;
  }
  return `${what} in ${d.daysLeft} ${d.daysLeft === 1 ? "day" : "days"}`;
}

/** Totals over every profile shown: mailboxes by state, stalled, open alerts, credentials expiring. */
function OverviewTotals({ overview }: { overview: Overview }) {
  const styles = useStyles();
  const t = overview.totals;
  const mailboxes = userStates.reduce((n, s) => n + t.counts[s], 0);
  const item = (label: string, value: number, detail?: React.ReactNode) => (
    <li className={styles.total}>
      <Text size={200} className={styles.muted}>
        {label}
      </Text>
      <span className={styles.totalValue}>{value.toLocaleString()}</span>
      {detail}
    </li>
  );
  return (
    <ul className={styles.totals} aria-label="Totals" style={{ listStyle: "none" }}>
      {item("Mailboxes", mailboxes, <StateBar counts={t.counts} />)}
      {item("In error", t.counts.error)}
      {item("Stalled", t.stalled)}
      {item("Open alerts", t.openAlerts)}
      {item("Credentials expiring (30 days)", t.credentialsExpiring)}
    </ul>
  );
}

const total = (p: Profile) => userStates.reduce((sum, s) => sum + (p.counts[s] ?? 0), 0);

/**
 * The overview: totals on top, then every profile the caller manages with its users by state, 30-day
 * failure trend, access type and deadlines, stalled count and alert; every number opens the filtered
 * users. Create, edit, pause/resume sync and delete.
 */
export function ProfilesPage({ me }: { me: Me }) {
  const styles = useStyles();
  const overview = useOverview();
  const profiles = { ...overview, data: overview.data?.profiles };
  const update = useUpdateProfile();
  const remove = useDeleteProfile();
  const notify = useNotify();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Profile | undefined>();
  const [deleting, setDeleting] = useState<OverviewProfile | undefined>();

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
      {overview.data && overview.data.profiles.length > 0 && <OverviewTotals overview={overview.data} />}
      {profiles.data && profiles.data.length > 0 && (
        <div className={styles.card}>
          <Table aria-label="Profiles">
            <TableHeader>
              <TableRow>
                <TableHeaderCell style={{ width: "22%" }}>Name</TableHeaderCell>
                <TableHeaderCell style={{ width: "20%" }}>Access type</TableHeaderCell>
                <TableHeaderCell>Users</TableHeaderCell>
                <TableHeaderCell style={{ width: "170px" }}>Failures, 30 days</TableHeaderCell>
                <TableHeaderCell style={{ width: "90px" }}>Stalled</TableHeaderCell>
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
                      {p.deadlines
                        .filter((d) => d.kind !== "ews-deadline")
                        .map((d) => (
                          <Badge
                            key={`${d.kind}-${d.dueAt}`}
                            appearance="tint"
                            color={d.daysLeft <= 7 ? "danger" : d.daysLeft <= 30 ? "warning" : "informative"}
                          >
                            {deadlineText(d)}
                          </Badge>
                        ))}
                    </div>
                  </TableCell>
                  <TableCell>
                    <div className={styles.usersCell}>
                      <Link {...usersLink(p.id, {})}>
                        <Text size={200}>{total(p).toLocaleString()} users</Text>
                      </Link>
                      <StateBar counts={p.counts} />
                      <span className={styles.stateLinks}>
                        {userStates
                          .filter((s) => p.counts[s] > 0)
                          .map((s) => (
                            <Link key={s} {...usersLink(p.id, { state: s })}>
                              {p.counts[s].toLocaleString()} {stateInfo[s].label.toLowerCase()}
                            </Link>
                          ))}
                      </span>
                    </div>
                  </TableCell>
                  <TableCell>
                    <FailureTrend days={overview.data?.trendDays ?? []} trend={p.trend} />
                  </TableCell>
                  <TableCell>
                    {p.stalled > 0 ? (
                      <Link
                        {...usersLink(p.id, { stalled: true })}
                        aria-label={`${p.stalled.toLocaleString()} stalled in ${p.name}`}
                      >
                        {p.stalled.toLocaleString()}
                      </Link>
                    ) : (
                      <Text className={styles.muted}>0</Text>
                    )}
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
