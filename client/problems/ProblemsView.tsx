import { useState } from "react";
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Badge,
  Button,
  Caption1,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircleRegular } from "@fluentui/react-icons";
import type { ProblemAction, ProblemActionResult, ProblemGroup } from "../../contract/problems";
import { errorMessage } from "../api/client";
import { useProblemAction, useProblems } from "../api/problems";
import { navigate } from "../app/router";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { EmptyState } from "../components/EmptyState";
import { useNotify } from "../components/notify";
import { ListSkeleton } from "../components/Skeletons";
import { RemediationText } from "../connectivity/RemediationText";
import { useJobProgress } from "../jobs/useJobProgress";
import { plural } from "../components/plural";

const useStyles = makeStyles({
  summary: { color: tokens.colorNeutralForeground2, marginBottom: tokens.spacingVerticalM, display: "block" },
  item: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
    marginBottom: tokens.spacingVerticalM,
  },
  header: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  seen: { color: tokens.colorNeutralForeground2 },
  panel: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: `0 ${tokens.spacingHorizontalL} ${tokens.spacingVerticalL}`,
  },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  links: { display: "flex", gap: tokens.spacingHorizontalL, flexWrap: "wrap" },
  message: { color: tokens.colorNeutralForeground2 },
  tableWrap: { overflowX: "auto" },
});

const ACTION_LABELS: Record<ProblemAction, string> = {
  recheck: "Check again",
  pause: "Pause",
  remove: "Remove",
  "replace-alias": "Replace with primary address",
};

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** What the confirmation says before an action runs on a whole group. */
function confirmText(action: ProblemAction, group: ProblemGroup, scope: string): string {
  const users = plural(group.count, "user");
  switch (action) {
    case "recheck":
      return `Check ${users} ${scope} again now? A re-check job starts per profile; profiles with a job running are skipped.`;
    case "pause":
      return `Pause ${users} ${scope}? Sync stops for them until they are resumed.`;
    case "remove":
      return `Remove ${users} ${scope}? They stop syncing and leave the profile; this can't be undone.`;
    case "replace-alias":
      return `Replace each alias ${scope} with the primary address Exchange named (${users})? The sync service is told the old address is gone; users whose primary address is already enrolled are skipped and listed. The replaced users are checked again.`;
  }
}

/** Progress of one re-check job started from a group. */
function JobLine({ jobId }: { jobId: string }) {
  const { job } = useJobProgress(jobId);
  if (!job) return <ProgressBar aria-label="Starting the re-check" />;
  const { done, total, ok, failed } = job.progress;
  return (
    <div>
      <ProgressBar
        value={total ? done / total : 0}
        max={1}
        aria-label={`Re-check: ${done} of ${total}`}
        color={job.state === "done" ? "success" : "brand"}
      />
      <Caption1>
        Re-check {job.state === "done" ? "done" : "running"}: {done} of {total} checked, {ok} passed, {failed}{" "}
        failed
      </Caption1>
    </div>
  );
}

function GroupPanel({ group, profileId }: { group: ProblemGroup; profileId?: string }) {
  const styles = useStyles();
  const notify = useNotify();
  const act = useProblemAction(profileId);
  const [confirm, setConfirm] = useState<ProblemAction | null>(null);
  const [result, setResult] = useState<ProblemActionResult | null>(null);
  const scope = profileId ? "in this profile" : `in ${plural(group.profiles.length, "profile")}`;
  const others = group.actions.filter((a) => a !== group.action);

  const run = (action: ProblemAction) =>
    act.mutate(
      { cause: group.cause, action },
      {
        onSuccess: (r) => {
          setConfirm(null);
          setResult(r);
          const verb =
            action === "recheck"
              ? `Checking ${plural(r.count, "user")} again`
              : action === "replace-alias"
                ? `Replaced ${plural(r.count, "alias", "aliases")}`
                : `${action === "pause" ? "Paused" : "Removed"} ${plural(r.count, "user")}`;
          notify.success(verb, r.skipped.length ? `${r.skipped.length} skipped: see the list.` : undefined);
        },
        onError: (err) => {
          setConfirm(null);
          notify.error(err, `${ACTION_LABELS[action]} didn't run`);
        },
      },
    );

  return (
    <div className={styles.panel} role="group" aria-label={group.title}>
      <Text>{group.fix}</Text>
      {group.powershell && <RemediationText text={group.powershell} />}
      <div className={styles.actions}>
        <Button appearance="primary" onClick={() => setConfirm(group.action)}>
          {ACTION_LABELS[group.action]}
        </Button>
        {others.map((a) => (
          <Button key={a} appearance="secondary" onClick={() => setConfirm(a)}>
            {ACTION_LABELS[a]}
          </Button>
        ))}
      </div>
      {result && (
        <div role="status">
          {result.jobs.map((j) => (
            <JobLine key={j.jobId} jobId={j.jobId} />
          ))}
          {result.skipped.length > 0 && (
            <MessageBar intent="warning">
              <MessageBarBody>
                {plural(result.skipped.length, "user")} skipped:
                <ul>
                  {result.skipped.slice(0, 20).map((s, i) => (
                    <li key={s.userId ?? `${s.profileId}-${i}`}>
                      {s.address ? `${s.address}: ` : ""}
                      {s.reason}
                    </li>
                  ))}
                </ul>
              </MessageBarBody>
            </MessageBar>
          )}
        </div>
      )}
      <div className={styles.tableWrap}>
        <Table size="small" aria-label={`Users: ${group.title}`}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Address</TableHeaderCell>
              <TableHeaderCell>Error</TableHeaderCell>
              {group.cause === "mailbox-alias" && <TableHeaderCell>Primary address</TableHeaderCell>}
              <TableHeaderCell>Since</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {group.users.map((u) => (
              <TableRow key={u.id}>
                <TableCell>{u.address}</TableCell>
                <TableCell>
                  <Text className={styles.message} size={200}>
                    {u.code ? `${u.code}: ` : ""}
                    {u.message}
                  </Text>
                </TableCell>
                {group.cause === "mailbox-alias" && <TableCell>{u.primaryAddress ?? "—"}</TableCell>}
                <TableCell>{when(u.since)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      <div className={styles.links}>
        {group.profiles.map((p) => (
          <Link
            key={p.profileId}
            href={p.usersUrl}
            onClick={(e) => {
              if (e.ctrlKey || e.metaKey) return;
              e.preventDefault();
              navigate(p.usersUrl);
            }}
          >
            {profileId
              ? `All ${plural(p.count, "user")} in the user list`
              : `${p.name}: ${plural(p.count, "user")}`}
          </Link>
        ))}
      </div>
      <ConfirmDialog
        open={confirm !== null}
        title={confirm ? `${ACTION_LABELS[confirm]}: ${group.title}` : ""}
        confirmLabel={confirm ? ACTION_LABELS[confirm] : ""}
        destructive={confirm === "remove"}
        busy={act.isPending}
        onConfirm={() => confirm && run(confirm)}
        onCancel={() => setConfirm(null)}
      >
        {confirm ? confirmText(confirm, group, scope) : null}
      </ConfirmDialog>
    </div>
  );
}

/**
 * Failures grouped by cause: one profile's (`profileId`) or every profile the caller administers. Each
 * group: count, first and last seen, the fix with its PowerShell, the first users, links to the user
 * list filtered by the cause, and its bulk actions (confirmed; a re-check shows its progress).
 */
export function ProblemsView({ profileId }: { profileId?: string }) {
  const styles = useStyles();
  const problems = useProblems(profileId);

  if (problems.isPending) return <ListSkeleton rows={4} label="Loading problems" />;
  if (problems.isError) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>Couldn't load problems: {errorMessage(problems.error)}</MessageBarBody>
      </MessageBar>
    );
  }
  const { groups, total } = problems.data;
  if (groups.length === 0) {
    return (
      <EmptyState icon={<CheckmarkCircleRegular />} title="No problems">
        No mailbox {profileId ? "of this profile " : ""}is failing its check or its sync right now.
      </EmptyState>
    );
  }
  return (
    <section aria-label="Problems by cause">
      <Text className={styles.summary}>
        {plural(total, "mailbox", "mailboxes")} failing, in {plural(groups.length, "group")}. Largest first.
      </Text>
      <Accordion multiple collapsible defaultOpenItems={[groups[0].cause]}>
        {groups.map((g) => (
          <AccordionItem key={g.cause} value={g.cause} className={styles.item}>
            <AccordionHeader size="large">
              <span className={styles.header}>
                <Text weight="semibold">{g.title}</Text>
                <Badge appearance="filled" color="danger" aria-label={`${g.count} users`}>
                  {g.count.toLocaleString()}
                </Badge>
                <Caption1 className={styles.seen}>
                  First seen {when(g.firstSeen)} · last seen {when(g.lastSeen)}
                </Caption1>
              </span>
            </AccordionHeader>
            <AccordionPanel>
              <GroupPanel group={g} profileId={profileId} />
            </AccordionPanel>
          </AccordionItem>
        ))}
      </Accordion>
    </section>
  );
}
