import { Router, type Request, type Response } from "express";
import { CreateJobBody, ListJobsQuery } from "../../contract/jobs";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody, parseQuery } from "../http/validate";
import { jobSignals } from "../jobs/signals";

const FINAL = new Set(["done", "failed", "cancelled"]);
/**
 * How often the event stream reads the job row: any instance may be running the job. A change made in
 * this process (its runner, its API) wakes the stream at once (jobSignals).
 */
const STREAM_POLL_MS = 500;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/** `POST /profiles/:id/jobs`: start a job (202), or 409 job_running. Mounted at /profiles. */
export function profileJobsRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  router.use(requireAuth);
  router.post("/:id/jobs", async (req, res) => {
    const body = parseBody(CreateJobBody, req);
    res.status(202).json({ data: await ctx.services.jobs.start(principalOf(req), param(req, "id"), body) });
  });
  return router;
}

/** /api/v1/jobs: list, read, pause, resume, cancel, and the live event stream. */
export function jobsRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { jobs } = ctx.services;
  router.use(requireAuth);

  router.get("/", async (req, res) => {
    res.json({ data: await jobs.list(principalOf(req), parseQuery(ListJobsQuery, req)), nextCursor: null });
  });
  router.get("/:id", async (req, res) => {
    res.json({ data: await jobs.get(principalOf(req), param(req, "id")) });
  });
  router.post("/:id/pause", async (req, res) => {
    res.json({ data: await jobs.pause(principalOf(req), param(req, "id")) });
  });
  router.post("/:id/resume", async (req, res) => {
    res.json({ data: await jobs.resume(principalOf(req), param(req, "id")) });
  });
  router.post("/:id/cancel", async (req, res) => {
    res.json({ data: await jobs.cancel(principalOf(req), param(req, "id")) });
  });
  router.get("/:id/events", async (req, res) => {
    await streamJobEvents(ctx, req, res);
  });
  return router;
}

/**
 * Server-sent events: `progress` with the job whenever it changes, then `done` with the final job.
 * Read from the store, so it works whichever instance answers and whichever runs the job.
 */
async function streamJobEvents(ctx: HttpContext, req: Request, res: Response): Promise<void> {
  const principal = principalOf(req);
  const id = param(req, "id");
  let job = await ctx.services.jobs.get(principal, id); // 404 before the stream starts
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
    Connection: "keep-alive",
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  let closed = false;
  req.on("close", () => {
    closed = true;
  });
  let last = "";
  let lastWrite = Date.now();
  let changed = false;
  let wake: (() => void) | undefined;
  const stopListening = jobSignals.onChanged(id, () => {
    changed = true;
    wake?.();
  });
  req.on("close", () => wake?.());
  try {
    while (!closed) {
      const snapshot = JSON.stringify(job);
      if (snapshot !== last) {
        last = snapshot;
        send("progress", job);
        lastWrite = Date.now();
      } else if (Date.now() - lastWrite > KEEPALIVE_MS) {
        res.write(": keep-alive\n\n");
        lastWrite = Date.now();
      }
      if (FINAL.has(job.state)) {
        send("done", job);
        break;
      }
      // Read again at the next poll, or at once when this process changed the job (its runner is here);
      // a change signalled while the job was being read is not lost (`changed`).
      if (!changed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            wake = undefined;
            resolve();
          }, STREAM_POLL_MS);
          wake = () => {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          };
        });
      }
      changed = false;
      if (closed) break;
      try {
        job = await ctx.services.jobs.get(principal, id);
      } catch {
        break; // deleted with its profile
      }
    }
  } finally {
    stopListening();
  }
  res.end();
}
