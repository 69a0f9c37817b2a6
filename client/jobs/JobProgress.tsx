import {
  Badge,
  Button,
  Caption1,
  Field,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss20Regular, Pause20Regular, Play20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import type { Job } from "../../contract/jobs";
import { navigate } from "../app/router";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { useNotify } from "../components/notify";
import { isOpenJob, useControlJob } from "./api";
import { JOB_STATE_INFO, failuresByCode, percentDone } from "./jobText";
import type { ProgressSource } from "./useJobProgress";
import { plural } from "../components/plural";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "760px" },
  head: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  numbers: {
    display: "flex",
    gap: tokens.spacingHorizontalXL,
    flexWrap: "wrap",
    fontVariantNumeric: "tabular-nums",
  },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  codes: {
    display: "flex",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
    margin: 0,
    padding: 0,
    listStyle: "none",
  },
  actions: { display: "flex", gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground3 },
});

/**
 * The job's runner stopped renewing its lease (its server was killed or crashed): say what happens next,
 * so nobody cancels and restarts a job that is about to resume where it stopped.
 */
function Stalled({ resumesBy }: { resumesBy: string }) {
  return (
    <MessageBar intent="warning" role="status">
      <MessageBarBody>
        <MessageBarTitle>Its server stopped</MessageBarTitle>
        The server running this activation stopped (restarted or crashed). The activation resumes where it
        stopped, with no result lost, once a server with the job runner on, or a worker, takes it over: from{" "}
        {new Date(resumesBy).toLocaleTimeString()}.
      </MessageBarBody>
    </MessageBar>
  );
}

/**
 * Every call of the job has been refused as busy for a while: say that the job waits on Exchange (not
 * stuck, nothing failed), and what ends the wait.
 */
function WaitingOnExchange({ since }: { since: string }) {
  return (
    <MessageBar intent="info" role="status">
      <MessageBarBody>
        <MessageBarTitle>Waiting on Exchange</MessageBarTitle>
        Exchange has answered every call with “server busy” since {new Date(since).toLocaleTimeString()}. The
        activation waits out each back-off Exchange asks for and goes on by itself; no user is marked as
        failing because of it. Only Cancel, or the job deadline in Settings, stops it.
      </MessageBarBody>
    </MessageBar>
  );
}

/**
 * Live progress of one job: a bar (done / total), ok and failed with failures by error code,
 * **Pause** / **Resume** / **Cancel** (confirmed) while it runs, and a summary with a link to the
 * users in error when it ends.
 */
export function JobProgress({ job, source }: { job: Job; source: ProgressSource }) {
  const styles = useStyles();
  const notify = useNotify();
  const control = useControlJob(job.profileId);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const open = isOpenJob(job);
  const pct = percentDone(job);
  const codes = failuresByCode(job);
  const { done, total, ok, failed } = job.progress;
  const state = JOB_STATE_INFO[job.state];

  const act = (action: "pause" | "resume" | "cancel") =>
    control.mutate(
      { jobId: job.id, action },
      {
        onSuccess: () => {
          setConfirmCancel(false);
          if (action === "cancel") {
            notify.info(
              "Activation cancelled",
              "Users that were still pending returned to their earlier state.",
            );
          }
        },
        onError: (err) => notify.error(err, `Could not ${action} the job`),
      },
    );

  const usersInError = `/profiles/${encodeURIComponent(job.profileId)}/users?state=error`;

  return (
    <section className={styles.root} aria-label="Activation progress">
      <div className={styles.head}>
        <Text weight="semibold">{open ? "Activation in progress" : "Last activation"}</Text>
        <Badge appearance="tint" color={state.color}>
          {state.label}
        </Badge>
        {!open && job.finishedAt ? (
          <Caption1 className={styles.muted}>finished {new Date(job.finishedAt).toLocaleString()}</Caption1>
        ) : null}
      </div>
      {job.resumesBy ? <Stalled resumesBy={job.resumesBy} /> : null}
      {open && job.progress.waitingOnExchangeSince ? (
        <WaitingOnExchange since={job.progress.waitingOnExchangeSince} />
      ) : null}
      <Field
        label={`${done.toLocaleString()} of ${total.toLocaleString()} users checked (${pct} %)`}
        validationState={job.state === "failed" ? "error" : "none"}
        validationMessage={job.reason ?? undefined}
        hint={
          open && source === "polling" ? "Live updates unavailable: refreshing every few seconds." : undefined
        }
      >
        <ProgressBar
          value={total > 0 ? done / total : open ? undefined : 1}
          thickness="large"
          color={
            job.state === "failed" ? "error" : !open && failed > 0 ? "warning" : !open ? "success" : "brand"
          }
          aria-label="Activation progress"
          aria-valuetext={`${pct} percent, ${done} of ${total}`}
        />
      </Field>
      <div className={styles.numbers} aria-live="polite">
        <Text className={styles.ok}>
          <strong>{ok.toLocaleString()}</strong> active
        </Text>
        <Text className={styles.failed}>
          <strong>{failed.toLocaleString()}</strong> failed
        </Text>
        {open ? <Text className={styles.muted}>{(total - done).toLocaleString()} to go</Text> : null}
        {job.progress.throttled > 0 ? (
          <Text
            className={styles.muted}
            title="Calls Exchange refused as busy; each went again after its back-off"
          >
            <strong>{job.progress.throttled.toLocaleString()}</strong> throttled
          </Text>
        ) : null}
      </div>
      {codes.length > 0 ? (
        <div>
          <Caption1 className={styles.muted}>Failures by error code</Caption1>
          <ul className={styles.codes} aria-label="Failures by error code">
            {codes.map(([code, count]) => (
              <li key={code}>
                <Badge appearance="outline" color="danger">
                  {code}: {count.toLocaleString()}
                </Badge>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {open ? (
        <div className={styles.actions}>
          {job.state === "paused" ? (
            <Button icon={<Play20Regular />} disabled={control.isPending} onClick={() => act("resume")}>
              Resume
            </Button>
          ) : (
            <Button icon={<Pause20Regular />} disabled={control.isPending} onClick={() => act("pause")}>
              Pause
            </Button>
          )}
          <Button
            icon={<Dismiss20Regular />}
            disabled={control.isPending}
            onClick={() => setConfirmCancel(true)}
          >
            Cancel
          </Button>
        </div>
      ) : failed > 0 ? (
        <Text>
          {plural(failed, "user")} could not be activated.{" "}
          <Link
            href={usersInError}
            onClick={(e) => {
              e.preventDefault();
              navigate(usersInError);
            }}
          >
            Show users in error
          </Link>{" "}
          to read each one's remediation.
        </Text>
      ) : job.state === "done" ? (
        <Text>All {ok.toLocaleString()} users are active.</Text>
      ) : null}
      <ConfirmDialog
        open={confirmCancel}
        title="Cancel the activation?"
        confirmLabel="Cancel activation"
        destructive
        busy={control.isPending}
        onConfirm={() => act("cancel")}
        onCancel={() => setConfirmCancel(false)}
      >
        {done.toLocaleString()} of {total.toLocaleString()} users are checked and keep their result. The{" "}
        {(total - done).toLocaleString()} users still pending return to the state they had before.
      </ConfirmDialog>
    </section>
  );
}
