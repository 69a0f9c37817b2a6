import {
  Button,
  Caption1,
  Card,
  CardHeader,
  Skeleton,
  SkeletonItem,
  Link,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowSync24Regular, Rocket20Regular } from "@fluentui/react-icons";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState, type MouseEvent } from "react";
import type { Job } from "../../contract/jobs";
import type { AccessType } from "../../contract/common";
import { accessIdentity } from "../connectivity/access-types/descriptions";
import { ApiError } from "../api/client";
import { navigate, routePath } from "../app/router";
import { profileKeys, useProfile } from "../api/profiles";
import { userKeys } from "../api/users";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { useNotify } from "../components/notify";
import { isOpenJob, jobKeys, latestJobOfKind, startJob, useProfileJobs } from "./api";
import { JobProgress } from "./JobProgress";
import { useJobProgress } from "./useJobProgress";
import { plural } from "../components/plural";

/** How often a running job's progress refreshes the profile's counts. */
const PROGRESS_REFRESH_MS = 2_000;

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  actions: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

/**
 * **Activate sync for all users**: asks first (how many users), starts the activation job and shows
 * its live progress. On load it picks up the profile's open activation, so progress survives a reload.
 */
export function ActivationCard({
  profileId,
  configured,
  accessType,
}: {
  profileId: string;
  configured: boolean;
  /** The profile's stored Mailbox Access Type, which names who checks the users. */
  accessType?: AccessType;
}) {
  const styles = useStyles();
  const notify = useNotify();
  const client = useQueryClient();
  const profile = useProfile(profileId);
  const jobs = useProfileJobs(profileId);
  const [startedId, setStartedId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [starting, setStarting] = useState(false);
  const jobId = startedId ?? latestJobOfKind(jobs.data, "activate-profile")?.id;

  const handleFinished = useCallback(
    (job: Job) => {
      void client.invalidateQueries({ queryKey: userKeys.all });
      void client.invalidateQueries({ queryKey: profileKeys.all });
      void client.invalidateQueries({ queryKey: jobKeys.ofProfile(profileId) });
      if (job.state === "done") {
        if (job.progress.failed > 0) {
          notify.info("Activation finished", `${job.progress.ok} active, ${job.progress.failed} failed.`);
        } else notify.success("Activation finished", `${job.progress.ok} users are active.`);
      } else if (job.state === "failed") {
        notify.error(new Error(job.reason ?? "The activation stopped."), "Activation failed");
      }
    },
    [client, notify, profileId],
  );
  const { job, source } = useJobProgress(jobId, handleFinished);

  // While it runs, refresh the profile's counts (the users-by-state chart) at most every 2 s, and once
  // more after the last progress seen in a window (a fast job's whole run can fit in one window).
  const lastRefresh = useRef(0);
  const trailing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const progressDone = job?.progress.done;
  useEffect(() => {
    if (progressDone === undefined) return;
    const refresh = () => {
      trailing.current = undefined;
      lastRefresh.current = Date.now();
      void client.invalidateQueries({ queryKey: profileKeys.one(profileId), exact: true });
    };
    const wait = PROGRESS_REFRESH_MS - (Date.now() - lastRefresh.current);
    if (wait <= 0) refresh();
    else trailing.current ??= setTimeout(refresh, wait);
  }, [progressDone, client, profileId]);
  useEffect(() => () => clearTimeout(trailing.current), []);

  const counts = profile.data?.counts;
  const toActivate = counts ? counts["not-activated"] + counts.error : 0;
  const noUsers = counts ? Object.values(counts).every((n) => !n) : false;
  const running = job ? isOpenJob(job) : false;

  const handleUsersTab = (event: MouseEvent) => {
    event.preventDefault();
    navigate({ page: "profile", profileId, tab: "users" });
  };

  const handleStart = async () => {
    setStarting(true);
    try {
      const started = await startJob(profileId, "activate-profile");
      client.setQueryData(jobKeys.one(started.id), started);
      setStartedId(started.id);
      setConfirming(false);
      void client.invalidateQueries({ queryKey: jobKeys.ofProfile(profileId) });
      void client.invalidateQueries({ queryKey: profileKeys.all });
    } catch (err) {
      const runningId =
        err instanceof ApiError && err.id === "job_running"
          ? (err.details as { jobId?: string } | undefined)?.jobId
          : undefined;
      setConfirming(false);
      if (runningId) {
        setStartedId(runningId);
        notify.info("A job is already running for this profile", "Its progress is shown below.");
      } else notify.error(err, "Could not start the activation");
    } finally {
      setStarting(false);
    }
  };

  return (
    <Card aria-labelledby="activation-title">
      <CardHeader
        image={<ArrowSync24Regular aria-hidden />}
        header={
          <Text id="activation-title" as="h2" weight="semibold" size={400}>
            Activate sync
          </Text>
        }
        description={
          <Caption1>
            Checks every user that is not active yet through {accessIdentity(accessType).identity} and
            activates those that pass.
          </Caption1>
        }
      />
      <div className={styles.body}>
        <div className={styles.actions}>
          <Button
            appearance="primary"
            icon={starting ? <Spinner size="tiny" /> : <Rocket20Regular />}
            disabled={!configured || running || starting || toActivate === 0}
            onClick={() => setConfirming(true)}
          >
            Activate sync for all users
          </Button>
          <Text className={styles.muted}>
            {!configured
              ? "Save an Email configuration first."
              : running
                ? job?.state === "paused"
                  ? "An activation is paused: resume or cancel it below."
                  : "An activation is running."
                : noUsers
                  ? null
                  : counts
                    ? toActivate === 0
                      ? "Every user is active, pending or paused."
                      : `${plural(toActivate, "user")} to activate.`
                    : null}
          </Text>
        </div>
        {noUsers && !running ? (
          <Text className={styles.muted}>
            This profile has no users yet: add them first on the{" "}
            <Link href={routePath({ page: "profile", profileId, tab: "users" })} onClick={handleUsersTab}>
              Users tab
            </Link>
            .
          </Text>
        ) : null}
        {jobs.isPending ? (
          <Skeleton aria-label="Loading activation progress">
            <SkeletonItem size={16} />
          </Skeleton>
        ) : job ? (
          <JobProgress job={job} source={source} />
        ) : null}
      </div>
      <ConfirmDialog
        open={confirming}
        title="Activate sync for all users?"
        confirmLabel={`Activate ${plural(toActivate, "user")}`}
        busy={starting}
        onConfirm={() => void handleStart()}
        onCancel={() => setConfirming(false)}
      >
        {plural(toActivate, "user")} ({counts?.["not-activated"].toLocaleString() ?? 0} not activated,{" "}
        {counts?.error.toLocaleString() ?? 0} in error) will be checked through the service account. Those
        that pass become active; the others show their error and how to fix it. You can pause or cancel while
        it runs.
      </ConfirmDialog>
    </Card>
  );
}
