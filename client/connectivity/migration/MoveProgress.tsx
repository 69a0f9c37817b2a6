import { Field, ProgressBar } from "@fluentui/react-components";
import { useEffect, useRef } from "react";
import type { Job } from "../../../contract/jobs";
import { isOpenJob } from "../../jobs/api";
import { useJobProgress } from "../../jobs/useJobProgress";

/** Live progress of one of the move's jobs (the dry run or the recheck after apply). */
export function MoveProgress({
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
