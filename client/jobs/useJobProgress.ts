import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { Job } from "../../contract/jobs";
import { apiResponse } from "../api/client";
import { getJob, isOpenJob, jobKeys } from "./api";
import { readServerSentEvents } from "./sse";

/** How often the fallback polls GET /jobs/:id while the stream is unavailable. */
const POLL_MS = 1_500;
/** How long after the stream failed it is tried again (the server may have been restarting). */
const STREAM_RETRY_MS = 10_000;

/** Whether live progress comes from the event stream or from polling. */
export type ProgressSource = "stream" | "polling" | "idle";

function parseJob(data: string): Job | undefined {
  try {
    const value = JSON.parse(data) as Job | { job?: Job; data?: Job };
    if ("id" in value && "progress" in value) return value;
    return (value as { job?: Job }).job ?? (value as { data?: Job }).data;
  } catch {
    return undefined;
  }
}

/**
 * Live state of one job: reads `GET /jobs/:id/events` with fetch (so the bearer token goes along) and
 * parses the event stream itself; when the stream can't be opened or drops before "done", it polls
 * `GET /jobs/:id`, and tries the stream again every 10 s, until the job ends. `onFinished` runs once
 * when the job reaches a final state.
 * @example const { job, source } = useJobProgress(jobId, () => refreshUsers());
 */
export function useJobProgress(
  jobId: string | undefined,
  onFinished?: (job: Job) => void,
  { streamRetryMs = STREAM_RETRY_MS }: { streamRetryMs?: number } = {},
): { job: Job | undefined; source: ProgressSource; error: unknown } {
  const client = useQueryClient();
  // The job whose stream failed (so a different job starts with the stream again).
  const [streamFailedFor, setStreamFailedFor] = useState<string | null>(null);
  const streamFailed = jobId !== undefined && streamFailedFor === jobId;
  const [streaming, setStreaming] = useState(false);

  const query = useQuery({
    queryKey: jobKeys.one(jobId ?? "none"),
    queryFn: ({ signal }) => getJob(jobId!, signal),
    enabled: Boolean(jobId),
    // Polling is the fallback: only while the stream is down and the job is still open.
    refetchInterval: (q) => (streamFailed && q.state.data && isOpenJob(q.state.data) ? POLL_MS : false),
  });
  const job = query.data;
  const open = job ? isOpenJob(job) : false;

  useEffect(() => {
    if (!jobId || !open || streamFailed) return;
    const controller = new AbortController();
    let sawDone = false;
    void (async () => {
      try {
        const res = await apiResponse("GET /jobs/:id/events", {
          params: { id: jobId },
          headers: { accept: "text/event-stream" },
          signal: controller.signal,
        });
        setStreaming(true);
        for await (const event of readServerSentEvents(res, controller.signal)) {
          const next = parseJob(event.data);
          if (next) client.setQueryData(jobKeys.one(jobId), next);
          if (event.event === "done") {
            sawDone = true;
            if (!next) await client.invalidateQueries({ queryKey: jobKeys.one(jobId) });
            break;
          }
        }
      } catch {
        // Stream refused or dropped: fall through to polling below.
      } finally {
        setStreaming(false);
        if (!controller.signal.aborted && !sawDone) setStreamFailedFor(jobId);
      }
    })();
    return () => controller.abort();
  }, [jobId, open, streamFailed, client]);

  // A stream that dropped (a restarting server, a proxy's timeout) is tried again while the job runs.
  useEffect(() => {
    if (!streamFailed || !open) return;
    const timer = setTimeout(() => setStreamFailedFor(null), streamRetryMs);
    return () => clearTimeout(timer);
  }, [streamFailed, open, streamRetryMs]);

  // Report the end only when this page saw the job open (not for a job that had ended before load).
  const seenOpen = useRef<string | null>(null);
  useEffect(() => {
    if (!job) return;
    if (isOpenJob(job)) seenOpen.current = job.id;
    else if (seenOpen.current === job.id) {
      seenOpen.current = null;
      onFinished?.(job);
    }
  }, [job, onFinished]);

  const source: ProgressSource = !open ? "idle" : streaming ? "stream" : streamFailed ? "polling" : "idle";
  return { job, source, error: query.error };
}
