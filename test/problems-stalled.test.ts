import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProblemGroup, Problems } from "../contract/problems";
import { manualClock } from "../server/domain/clock";
import { jobItems, jobRow } from "./factories/jobs";
import { insertUsers } from "./factories/users";
import {
  ApiClient,
  announcePostgresSkip,
  startTestServer,
  testDatabases,
  type TestServer,
} from "./helpers/server";

announcePostgresSkip();

const HOUR = 3_600_000;

/** The stalled group of the Problems view, on a clock the test moves (the rule: server/domain/stalled.ts). */
describe.each(testDatabases())("stalled sync in Problems on %s", (dialect) => {
  const T0 = Date.parse("2026-12-01T12:00:00.000Z");
  const clock = manualClock(T0);
  const iso = (ms: number) => new Date(ms).toISOString();
  let s: TestServer;
  let sync: ApiClient;
  let P: string;
  let Q: string;
  const ids: Record<string, string> = {};

  const report = (address: string, at: number) =>
    sync.post(`/sync/mailboxes/${encodeURIComponent(address)}/reports`, {
      startedAt: iso(at - 60_000),
      finishedAt: iso(at),
      itemsIn: 1,
      itemsOut: 0,
    });
  const stalledGroup = async (path: string): Promise<ProblemGroup | undefined> => {
    const res = await s.admin.get(path);
    expect(res.status, res.text).toBe(200);
    return (res.body.data as Problems).groups.find((g) => g.cause === "stalled");
  };

  beforeAll(async () => {
    s = await startTestServer({
      dialect,
      clock,
      env: { JOBS_RUNNER: "false", MONITOR_INTERVAL_MINUTES: "0" },
    });
    P = (await s.admin.post("/profiles", { name: "Head office" })).body.data.id;
    Q = (await s.admin.post("/profiles", { name: "Branch" })).body.data.id;
    expect((await s.admin.patch(`/profiles/${Q}`, { stalledAfterHours: 48 })).status).toBe(200);
    const one = async (profileId: string, prefix: string, values: Record<string, unknown>) => {
      const [row] = await insertUsers(s.ctx, profileId, 1, {
        prefix,
        state: "active",
        activeSince: iso(T0 - 100 * HOUR),
        ...values,
      });
      ids[prefix] = row.id;
    };
    await one(P, "reporter", {});
    await one(P, "silent", { activeSince: iso(T0 - 48 * HOUR) });
    await one(P, "old", { lastSyncAt: iso(T0 - 30 * HOUR) });
    await one(P, "fresh", { activeSince: iso(T0 - 2 * HOUR) });
    await one(P, "paused", { state: "paused", stateBefore: "active" });
    await one(Q, "qreporter", {});
    await one(Q, "qold", { lastSyncAt: iso(T0 - 60 * HOUR) });
    await one(Q, "qrecent", { lastSyncAt: iso(T0 - 30 * HOUR) });
    const key = await s.admin.post("/service-keys", {
      name: "CRM sync",
      scopes: ["roster:read", "reports:write"],
    });
    expect(key.status).toBe(201);
    sync = new ApiClient(s.url, { authorization: `Bearer ${key.body.data.key}` });
    for (const address of ["reporter00000@contoso.com", "qreporter00000@contoso.com"]) {
      expect((await report(address, T0 - HOUR)).status).toBe(201);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it("groups a profile's stalled mailboxes: count, when the first and the latest stalled, the fix, the users", async () => {
    const group = await stalledGroup(`/profiles/${P}/problems`);
    expect(group).toMatchObject({
      title: "Sync stalled",
      count: 2,
      // silent: active since T0 - 48 h, stalled 24 h later; old: last report T0 - 30 h, stalled at T0 - 6 h.
      firstSeen: iso(T0 - 24 * HOUR),
      lastSeen: iso(T0 - 6 * HOUR),
      powershell: null,
      action: "recheck",
      actions: ["recheck", "pause"],
      profiles: [
        { profileId: P, name: "Head office", count: 2, usersUrl: `/profiles/${P}/users?stalled=true` },
      ],
    });
    expect(group!.fix).toMatch(/more than 24 hours/);
    expect(group!.users.map((u) => [u.address, u.state, u.since, u.message])).toEqual([
      ["old00000@contoso.com", "active", iso(T0 - 6 * HOUR), `No sync report since ${iso(T0 - 30 * HOUR)}.`],
      [
        "silent00000@contoso.com",
        "active",
        iso(T0 - 24 * HOUR),
        `No sync report since it became active (${iso(T0 - 48 * HOUR)}).`,
      ],
    ]);
  });

  it("counts every profile in the all-profiles view, each at its own threshold", async () => {
    const group = await stalledGroup("/problems");
    // Q's threshold is 48 h: qold (last report T0 - 60 h) is stalled since T0 - 12 h, qrecent not yet.
    expect(group).toMatchObject({ count: 3, firstSeen: iso(T0 - 24 * HOUR), lastSeen: iso(T0 - 6 * HOUR) });
    expect(group!.profiles.map((p) => [p.name, p.count])).toEqual([
      ["Head office", 2],
      ["Branch", 1],
    ]);
    expect(group!.fix).toMatch(/the profile's stalled threshold/);
    const res = await s.admin.get("/problems");
    expect(res.body.data.total).toBeGreaterThanOrEqual(3);
  });

  it("moves with the clock: a recent activation joins; a silent sync service empties the group", async () => {
    // 23 h later the reporter's report is exactly 24 h old (still reporting); fresh has been quiet 25 h.
    clock.advance(23 * HOUR);
    const group = await stalledGroup(`/profiles/${P}/problems`);
    expect(group).toMatchObject({ count: 3, lastSeen: iso(T0 + 22 * HOUR) });
    expect(group!.users.map((u) => u.address)).toContain("fresh00000@contoso.com");
    clock.advance(2 * HOUR);
    expect(await stalledGroup(`/profiles/${P}/problems`)).toBeUndefined();
    expect((await report("reporter00000@contoso.com", clock.now())).status).toBe(201);
    expect((await stalledGroup(`/profiles/${P}/problems`))?.count).toBe(3);
  });

  it("checks the whole group again with one action (a recheck job of exactly its users); pause empties it", async () => {
    const refused = await s.admin.post(`/profiles/${P}/problems/stalled/actions`, { action: "remove" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.id).toBe("action_not_allowed");
    const res = await s.admin.post(`/profiles/${P}/problems/stalled/actions`, { action: "recheck" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({ action: "recheck", count: 3, skipped: [] });
    expect(res.body.data.jobs).toEqual([{ profileId: P, jobId: expect.any(String) }]);
    const job = await jobRow(s.ctx, res.body.data.jobs[0].jobId);
    expect(job).toMatchObject({ kind: "recheck-users", total: 3 });
    const items = await jobItems(s.ctx, { jobId: job.id });
    expect(items.map((i) => i.userId).sort()).toEqual([ids.fresh, ids.old, ids.silent].sort());

    // Q (48 h): qold and, 25 h on, qrecent (last report T0 - 30 h) are stalled; qreporter reported at T0 + 25 h.
    expect((await report("qreporter00000@contoso.com", clock.now())).status).toBe(201);
    expect((await stalledGroup(`/profiles/${Q}/problems`))?.count).toBe(2);
    const paused = await s.admin.post(`/profiles/${Q}/problems/stalled/actions`, { action: "pause" });
    expect(paused.status, paused.text).toBe(200);
    expect(paused.body.data.count).toBe(2);
    expect(await stalledGroup(`/profiles/${Q}/problems`)).toBeUndefined();
  });
});
