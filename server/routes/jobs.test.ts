import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../test/factories/audit";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../ews-simulator";
import { mailboxAddresses } from "../jobs/testing/factories";
import {
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "../../test/helpers/server";

announcePostgresSkip();

/** Reads a text/event-stream response with fetch (as the panel does) into its events. */
async function readEvents(url: string, cookie: string): Promise<Array<{ event: string; data: any }>> {
  const res = await fetch(url, { headers: { cookie } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((b) => b.startsWith("event:"))
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      return { event: eventLine.slice(7), data: JSON.parse(dataLine.slice(6)) };
    });
}

describe.each(testDatabases())("jobs API on %s", (dialect) => {
  let s: TestServer;
  let sim: ExchangeSimulator;
  let profileId: string;

  beforeAll(async () => {
    // The server's own runner does the work, through the real CheckService and EWS client.
    s = await startTestServer({ dialect, env: { EWS_ALLOWED_HOSTS: "127.0.0.1", JOBS_RUNNER: "on" } });
    const tenant = demoTenant({ users: 310, rooms: 0 });
    sim = await startExchangeSimulator({ tenant, latencyMs: 2, maxRecordedCalls: 0 });
    profileId = (await s.admin.post("/profiles", { name: "Jobs" })).body.data.id;
    const added = await s.admin.post(`/profiles/${profileId}/users`, {
      text: mailboxAddresses(tenant, 300).join("\n"),
    });
    expect(added.body.data.added).toBe(300);
    const access = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    });
    expect(access.status).toBe(200);
    sim.faults.latencyMs = 400; // slow enough that the first assertions see the job before it runs far
  });
  afterAll(async () => {
    await sim.close();
    await s.close();
  });

  it("should require authentication", async () => {
    for (const res of await Promise.all([
      s.anonymous.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" }),
      s.anonymous.get("/jobs"),
      s.anonymous.get("/jobs/x"),
      s.anonymous.get("/jobs/x/events"),
      s.anonymous.post("/jobs/x/cancel"),
      s.anonymous.post("/settings/alerts/test"),
    ])) {
      expect(res.status).toBe(401);
    }
  });

  it.each([
    ["an unknown kind", { kind: "delete-everything" }],
    ["recheck-users without userIds", { kind: "recheck-users" }],
    ["userIds on activate-profile", { kind: "activate-profile", userIds: ["a"] }],
    ["an unknown field", { kind: "activate-profile", force: true }],
  ])("answers 400 for %s and starts nothing", async (_label, body) => {
    const res = await s.admin.post(`/profiles/${profileId}/jobs`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("validation_failed");
    expect((await s.admin.get(`/jobs?profileId=${profileId}`)).body.data).toHaveLength(0);
  });

  it("answers 404 for an unknown profile or job", async () => {
    expect((await s.admin.post("/profiles/nope/jobs", { kind: "activate-profile" })).status).toBe(404);
    expect((await s.admin.get("/jobs/nope")).status).toBe(404);
    expect((await s.admin.get("/jobs/nope/events")).status).toBe(404);
  });

  it("activates a profile with live progress over the event stream, and refuses a second job with 409", async () => {
    const started = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    expect(started.status).toBe(202);
    const job = started.body.data;
    expect(job).toMatchObject({
      kind: "activate-profile",
      state: "queued",
      progress: { total: 300, done: 0 },
    });
    const again = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "recheck-profile" });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ id: "job_running", details: { jobId: job.id } });
    expect((await s.admin.get(`/profiles/${profileId}`)).body.data.counts.pending).toBe(300);

    sim.faults.latencyMs = 2;
    const events = await readEvents(`${s.url}/api/v1/jobs/${job.id}/events`, s.admin.cookie);
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data.progress.done as number);
    expect(progress.length).toBeGreaterThan(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress); // never goes backwards
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data).toMatchObject({ state: "done", progress: { total: 300, done: 300 } });
    const counts = (await s.admin.get(`/profiles/${profileId}`)).body.data.counts;
    expect(counts.active + counts.error).toBe(300);
    expect(counts.pending).toBe(0);

    const listed = await s.admin.get(`/jobs?profileId=${profileId}`);
    expect(listed.body.data.map((j: { id: string }) => j.id)).toEqual([job.id]);
    expect(listed.body.nextCursor).toBeNull();
    // A finished job can't be paused, resumed or cancelled.
    expect((await s.admin.post(`/jobs/${job.id}/cancel`)).status).toBe(409);
    expect((await s.admin.post(`/jobs/${job.id}/resume`)).status).toBe(409);
  });

  it("pauses, resumes and cancels through the API, auditing each", async () => {
    sim.faults.latencyMs = 1_000; // the job stays running while it is steered
    const started = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "recheck-profile" });
    const id = started.body.data.id as string;
    const paused = await s.admin.post(`/jobs/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.data.state).toBe("paused");
    expect((await s.admin.post(`/jobs/${id}/pause`)).status).toBe(409);
    expect((await s.admin.post(`/jobs/${id}/resume`)).body.data.state).toBe("running");
    const cancelled = await s.admin.post(`/jobs/${id}/cancel`);
    expect(cancelled.body.data).toMatchObject({
      state: "cancelled",
      reason: expect.stringMatching(/Cancelled by admin@example.com/),
    });
    const audit = await auditEvents(s.ctx, { target: id });
    expect(audit.map((a) => a.action)).toEqual(["job.start", "job.pause", "job.resume", "job.cancel"]);
  });

  it("answers 400 alert_webhook_not_set for a test alert without a webhook", async () => {
    const res = await s.admin.post("/settings/alerts/test");
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("alert_webhook_not_set");
  });
});
