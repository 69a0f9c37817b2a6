// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Job } from "../../contract/jobs";
import { Providers } from "../test-utils";
import { useJobProgress } from "./useJobProgress";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const job = (state: Job["state"], done: number): Job => ({
  id: "j1",
  profileId: "p1",
  kind: "activate-profile",
  state,
  progress: {
    total: 10,
    done,
    ok: done - (done > 5 ? 1 : 0),
    failed: done > 5 ? 1 : 0,
    failuresByCode: done > 5 ? { ErrorImpersonateUserDenied: 1 } : {},
    throttled: 0,
    waitingOnExchangeSince: null,
  },
  reason: null,
  createdBy: "admin@example.com",
  createdAt: "2026-11-26T10:00:00.000Z",
  startedAt: "2026-11-26T10:00:00.000Z",
  finishedAt: state === "done" ? "2026-11-26T10:01:00.000Z" : null,
  updatedAt: "2026-11-26T10:00:00.000Z",
  resumesBy: null,
});

function Probe({ onFinished, streamRetryMs }: { onFinished: (j: Job) => void; streamRetryMs?: number }) {
  const { job: j, source } = useJobProgress("j1", onFinished, { streamRetryMs });
  return <p>{j ? `${j.state} ${j.progress.done} ${source}` : "loading"}</p>;
}

/** A fetch that answers the job and its event stream (the stream as SSE text, split mid-event). */
function stubJobApi(options: { streamStatus: number; afterStream?: Job; streamRefusals?: number }) {
  let reads = 0;
  let streams = 0;
  vi.stubGlobal(
    "fetch",
    vi.fn((url: string) => {
      if (url === "/api/v1/jobs/j1") {
        reads++;
        return Promise.resolve(
          Response.json({
            data: reads === 1 ? job("running", 0) : (options.afterStream ?? job("running", 0)),
          }),
        );
      }
      if (url === "/api/v1/jobs/j1/events") {
        streams++;
        if (options.streamStatus !== 200 || streams <= (options.streamRefusals ?? 0)) {
          return Promise.resolve(
            Response.json({ error: { id: "x", message: "no stream" } }, { status: options.streamStatus }),
          );
        }
        const text = `event: progress\ndata: ${JSON.stringify(job("running", 5))}\n\nevent: done\ndata: ${JSON.stringify(job("done", 10))}\n\n`;
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            const bytes = new TextEncoder().encode(text);
            controller.enqueue(bytes.slice(0, 40));
            controller.enqueue(bytes.slice(40));
            controller.close();
          },
        });
        return Promise.resolve(new Response(body, { headers: { "content-type": "text/event-stream" } }));
      }
      return Promise.resolve(
        Response.json({ error: { id: "not_found", message: "Not found" } }, { status: 404 }),
      );
    }),
  );
}

describe("useJobProgress", () => {
  it("follows the event stream to the end and reports the finish once", async () => {
    stubJobApi({ streamStatus: 200 });
    const onFinished = vi.fn();
    render(<Probe onFinished={onFinished} />, { wrapper: Providers });
    await screen.findByText("done 10 idle");
    await waitFor(() => expect(onFinished).toHaveBeenCalledTimes(1));
    expect(onFinished.mock.calls[0][0].progress.failuresByCode).toEqual({ ErrorImpersonateUserDenied: 1 });
  });

  it("falls back to polling GET /jobs/:id when the stream is refused", async () => {
    stubJobApi({ streamStatus: 503, afterStream: job("done", 10) });
    const onFinished = vi.fn();
    render(<Probe onFinished={onFinished} />, { wrapper: Providers });
    await screen.findByText("running 0 polling");
    await screen.findByText("done 10 idle", {}, { timeout: 5000 });
    expect(onFinished).toHaveBeenCalledTimes(1);
  });

  it("tries the stream again while it polls (the server was restarting)", async () => {
    stubJobApi({ streamStatus: 200, streamRefusals: 1 });
    const onFinished = vi.fn();
    render(<Probe onFinished={onFinished} streamRetryMs={300} />, { wrapper: Providers });
    await screen.findByText("running 0 polling");
    await screen.findByText("done 10 idle", {}, { timeout: 5000 }); // only the stream says done: polling stays at running 0
    expect(onFinished).toHaveBeenCalledTimes(1);
  });
});
