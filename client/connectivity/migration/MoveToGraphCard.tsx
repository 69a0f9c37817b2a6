import {
  Button,
  Caption1,
  Card,
  CardHeader,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowRepeatAll24Regular } from "@fluentui/react-icons";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Job } from "../../../contract/jobs";
import type { Migration } from "../../../contract/migrations";
import { errorMessage } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ewsDeadlineText } from "../../components/EwsDeadline";
import { useNotify } from "../../components/notify";
import { useNow } from "../../components/useNow";
import { isOpenJob } from "../../jobs/api";
import { useJobProgress } from "../../jobs/useJobProgress";
import { isEwsAccessType } from "../access-types/descriptions";
import { SetupScriptPanel } from "../app-only/SetupScriptPanel";
import type { MailboxAccessView } from "../types";
import { migrationKeys, useLatestMigration, useMigrationActions } from "./api";
import { MigrationForm } from "./MigrationForm";
import { MigrationResults } from "./MigrationResults";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "980px" },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

const date = (iso: string) => new Date(iso).toLocaleString();

/** Live progress of one of the move's jobs (the dry run or the recheck after apply). */
function MoveProgress({
  jobId,
  label,
  onFinished,
}: {
  jobId: string;
  label: string;
  onFinished: (job: Job) => void;
}) {
  const { job } = useJobProgress(jobId);
  // Report the end even when the job had ended before its first read (a small dry run can finish
  // before this card mounts, and the move's status is only "ready" once it is re-read).
  const reported = useRef<string | null>(null);
  useEffect(() => {
    if (!job || isOpenJob(job) || reported.current === job.id) return;
    reported.current = job.id;
    onFinished(job);
  }, [job, onFinished]);
  if (!job) return null;
  const { done, total } = job.progress;
  const open = ["queued", "running", "paused"].includes(job.state);
  return (
    <Field
      label={`${label}: ${done.toLocaleString()} of ${total.toLocaleString()} users checked`}
      validationState={job.state === "failed" ? "error" : "none"}
      validationMessage={job.reason ?? undefined}
    >
      <ProgressBar
        value={total > 0 ? done / total : open ? undefined : 1}
        thickness="large"
        color={job.state === "failed" ? "error" : open ? "brand" : "success"}
        aria-label={label}
      />
    </Field>
  );
}

/**
 * **Move to Graph** (Connectivity tab of a profile on EWS): the app-only identity and the PowerShell
 * for its RBAC roles, a dry run with progress and results by category, Apply and Roll back (both
 * confirmed). Profiles on EWS against Exchange Online also see the days left until EWS ends there.
 */
export function MoveToGraphCard({
  profileId,
  access,
  ewsEndsOn,
}: {
  profileId: string;
  access: MailboxAccessView | null;
  ewsEndsOn: string | null;
}) {
  const styles = useStyles();
  const notify = useNotify();
  const client = useQueryClient();
  const latest = useLatestMigration(profileId);
  const actions = useMigrationActions(profileId);
  const [formOpen, setFormOpen] = useState(false);
  const [confirm, setConfirm] = useState<"apply" | "rollback" | null>(null);
  const now = useNow(60_000);
  const refresh = useCallback(() => {
    void client.invalidateQueries({ queryKey: migrationKeys.latest(profileId) });
    void client.invalidateQueries({ queryKey: ["profiles", profileId] });
  }, [client, profileId]);

  const m: Migration | null = latest.data ?? null;
  const onEws = access !== null && isEwsAccessType(access.type);
  const live = m && ["dry-run", "ready", "applied"].includes(m.status) ? m : null;
  if (!onEws && live?.status !== "applied") return null;
  const showForm = onEws && (formOpen || !live || live.status === "applied");

  const handleConfirm = () => {
    if (!live || !confirm) return;
    const action = confirm === "apply" ? actions.apply : actions.rollback;
    action.mutate(live.id, {
      onSuccess: () => {
        setConfirm(null);
        notify.success(
          confirm === "apply" ? "Moved to Graph" : "Rolled back to EWS",
          confirm === "apply"
            ? "The profile now uses Graph app-only; users that failed the dry run are being rechecked."
            : "The previous EWS access is back; no secret had to be entered.",
        );
      },
      onError: (err) => notify.error(err, confirm === "apply" ? "Apply failed" : "Roll back failed"),
    });
  };

  const rollbackDays = live?.rollbackUntil
    ? Math.max(0, Math.ceil((Date.parse(live.rollbackUntil) - now) / 86_400_000))
    : 0;
  const failing = live ? live.counts.fail + live.counts.onPremises : 0;

  return (
    <Card aria-labelledby="move-to-graph-title">
      <CardHeader
        image={<ArrowRepeatAll24Regular aria-hidden />}
        header={
          <Text id="move-to-graph-title" as="h2" weight="semibold" size={400}>
            Move to Graph
          </Text>
        }
        description={
          <Caption1 className={styles.muted}>
            Switch this profile from EWS to Microsoft Graph app-only. No end user does anything; users keep
            their states and the sync service sees the change in the roster.
          </Caption1>
        }
      />
      <div className={styles.body}>
        {ewsEndsOn && onEws ? (
          <MessageBar intent="warning">
            <MessageBarBody>
              <MessageBarTitle>{ewsDeadlineText(ewsEndsOn, now)}</MessageBarTitle>
              Exchange Online blocks EWS for apps not on the tenant's allow list and turns it off for good on
              April 1, 2027. Move this profile to Graph before then.
            </MessageBarBody>
          </MessageBar>
        ) : null}
        {latest.isError ? (
          <MessageBar intent="error">
            <MessageBarBody>Could not load the move: {errorMessage(latest.error)}</MessageBarBody>
          </MessageBar>
        ) : null}

        {live?.status === "applied" ? (
          <>
            <MessageBar intent="success">
              <MessageBarBody>
                <MessageBarTitle>On Graph since {date(live.appliedAt!)}</MessageBarTitle>
                Applied by {live.appliedBy}. Roll back to the previous EWS access is possible until{" "}
                {date(live.rollbackUntil!)} ({rollbackDays} {rollbackDays === 1 ? "day" : "days"} left).
              </MessageBarBody>
            </MessageBar>
            {live.recheckJobId ? (
              <MoveProgress
                jobId={live.recheckJobId}
                label="Recheck of the users that failed"
                onFinished={refresh}
              />
            ) : null}
            <MigrationResults migration={live} />
            <div className={styles.actions}>
              <Button onClick={() => setConfirm("rollback")}>Roll back to EWS…</Button>
            </div>
          </>
        ) : null}

        {live && live.status !== "applied" ? (
          <>
            <Caption1 className={styles.muted}>
              Dry run started {date(live.createdAt)} by {live.createdBy} for app {live.identity.clientId}.
            </Caption1>
            {live.status === "dry-run" ? (
              <MoveProgress jobId={live.dryRunJobId} label="Dry run" onFinished={refresh} />
            ) : null}
            <MigrationResults migration={live} />
            <SetupScriptPanel script={live.setupScript} />
            <Caption1 className={styles.muted}>
              Roles: {live.roles.join(", ")}. The CRM's stored EWS ids stay usable: an EWS id is the Graph id
              with "/" as "-" and "+" as "_" (Graph's translateExchangeIds takes delegated permissions only).
            </Caption1>
            <div className={styles.actions}>
              <Button
                appearance="primary"
                disabled={live.status !== "ready"}
                onClick={() => setConfirm("apply")}
              >
                Apply…
              </Button>
              {!formOpen ? <Button onClick={() => setFormOpen(true)}>New dry run…</Button> : null}
            </div>
          </>
        ) : null}

        {showForm && access ? (
          <>
            <Text weight="semibold">App-only identity for Graph</Text>
            <MigrationForm profileId={profileId} current={access} onStarted={() => setFormOpen(false)} />
          </>
        ) : null}
      </div>

      <ConfirmDialog
        open={confirm === "apply"}
        title="Move this profile to Graph?"
        confirmLabel="Apply"
        busy={actions.apply.isPending}
        onConfirm={handleConfirm}
        onCancel={() => setConfirm(null)}
      >
        The profile's mailbox access becomes Graph app-only (a new version, audited). Users keep their states.{" "}
        {failing > 0
          ? `${failing} user(s) did not pass the dry run: they are rechecked and end in error if they still fail (on-premises mailboxes stay on EWS: move them to another profile first).`
          : "Every user passed the dry run."}{" "}
        You can roll back for 30 days.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "rollback"}
        title="Roll back to EWS?"
        confirmLabel="Roll back"
        destructive
        busy={actions.rollback.isPending}
        onConfirm={handleConfirm}
        onCancel={() => setConfirm(null)}
      >
        The previous EWS access (kept sealed) comes back as a new version; no secret needs to be entered.
        Users the recheck moved to error are checked again on EWS. Possible until{" "}
        {live?.rollbackUntil ? date(live.rollbackUntil) : "—"}.
      </ConfirmDialog>
    </Card>
  );
}
