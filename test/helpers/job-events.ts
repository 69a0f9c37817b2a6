import type { ApiClient } from "./server";

/** One event of a job's event stream: its name ("progress", "done") and the job it carries. */
export interface JobEvent<Job = unknown> {
  event: string;
  job: Job;
}

/**
 * A job's event stream read with fetch, as the panel reads it (so a cookie or bearer token can be sent),
 * event by event until "done". Leaving the loop early cancels the stream.
 * @example for await (const { event, job } of jobEvents(admin, jobId)) if (event === "progress") ...
 */
export async function* jobEvents<Job = unknown>(
  client: ApiClient,
  jobId: string,
  signal?: AbortSignal,
): AsyncGenerator<JobEvent<Job>> {
  const res = await fetch(`${client.baseUrl}/api/v1/jobs/${jobId}/events`, {
    headers: { cookie: client.cookie },
    signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`the event stream answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      yield { event, job: JSON.parse(data) as Job };
      if (event === "done") return;
    }
  }
  throw new Error("the event stream ended without done");
}

/**
 * The job once it ended (done, failed or cancelled), as its event stream's "done" event carries it: the
 * stream answers as soon as the job's row changes (at once for a job run in the same process), so there
 * is nothing to poll. Throws after `timeoutMs`.
 * @example const job = await finishedJob<Job>(s.admin, id); expect(job.state).toBe("done");
 */
export async function finishedJob<Job = { state: string; reason: string | null }>(
  client: ApiClient,
  jobId: string,
  timeoutMs = 60_000,
): Promise<Job> {
  try {
    for await (const { event, job } of jobEvents<Job>(client, jobId, AbortSignal.timeout(timeoutMs))) {
      if (event === "done") return job;
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new Error(`job ${jobId} did not end within ${timeoutMs} ms`, { cause: error });
    }
    throw error;
  }
  throw new Error(`the event stream of job ${jobId} ended without done`);
}
