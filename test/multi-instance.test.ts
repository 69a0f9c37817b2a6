/**
 * Several instances on one PostgreSQL schema with no sticky sessions: whichever instance answers, a
 * session, a job and its live progress work the same. Instance A runs the job runner; B runs none, so
 * B's event stream can only know the progress from the store. (The OAuth token cache shared by
 * instances is proved in test/oauth-flow.test.ts: "a second instance on the same store serves the
 * one-time URL and uses the shared token cache".) The connectivity-test limit is shared the same way,
 * checked on SQLite (two instances on one file) too; the sync API's batched limiter is tested in
 * test/security/rate-limit-store.test.ts.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { mailboxAddresses } from "../server/jobs/testing/factories";
import { profileWithUsers } from "./faults/helpers";
import { jobEvents, type JobEvent } from "./helpers/job-events";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  announcePostgresSkip,
  ApiClient,
  freshSchema,
  startTestServer,
  testDatabases,
  type TestServer,
} from "./helpers/server";

announcePostgresSkip();

const USERS = 400;

type ProgressEvent = JobEvent<{ state: string; progress: { done: number; total: number } }>;

/** Reads a job's event stream until "done"; answers every event. */
async function readEvents(client: ApiClient, jobId: string): Promise<ProgressEvent[]> {
  const events: ProgressEvent[] = [];
  for await (const e of jobEvents<ProgressEvent["job"]>(client, jobId)) events.push(e);
  return events;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "two instances on one PostgreSQL schema, no sticky sessions",
  () => {
    const schema = freshSchema();
    let sim: ExchangeSimulator;
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      sim = await startExchangeSimulator({
        tenant: demoTenant({ users: USERS + 10, rooms: 0 }),
        latencyMs: 10,
        maxRecordedCalls: 0,
      });
      const env = { EWS_ALLOWED_HOSTS: "127.0.0.1", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" };
      a = await startTestServer({
        dialect: "postgres",
        pgSchema: schema.schema,
        keepSchema: true,
        env: { ...env, JOBS_RUNNER: "on" },
      });
      b = await startTestServer({
        dialect: "postgres",
        pgSchema: schema.schema,
        keepSchema: true,
        env: { ...env, JOBS_RUNNER: "off" },
      });
    }, 60_000);
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await sim?.close();
      await schema.drop();
    });

    it("a session signed in on A works on B, and signing out on B ends it on A", async () => {
      const onA = new ApiClient(a.url);
      await onA.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
      const onB = new ApiClient(b.url).withHeaders({ origin: b.url });
      onB.cookie = onA.cookie;
      const me = await onB.get("/auth/me");
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({ kind: "local", name: ADMIN_EMAIL, platformAdmin: true });
      // A state-changing request on B with A's session (same-origin check against B's own origin).
      expect((await onB.post("/profiles", { name: "Made on B" })).status).toBe(201);
      expect((await onB.post("/auth/logout")).status).toBeLessThan(300);
      expect((await onA.get("/auth/me")).status).toBe(401);
    });

    it("a job started on A (which runs it) streams its progress from B (which runs nothing)", async () => {
      const tenant = demoTenant({ users: USERS + 10, rooms: 0 });
      const profileId = await profileWithUsers(
        a.admin,
        sim,
        mailboxAddresses(tenant, USERS),
        "Two instances",
      );
      const started = await a.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
      expect(started.status).toBe(202);
      const events = await readEvents(b.admin, started.body.data.id);
      const progress = events.filter((e) => e.event === "progress").map((e) => e.job.progress.done);
      const done = events.at(-1)!;
      expect(done.event).toBe("done");
      expect(done.job.state).toBe("done");
      expect(done.job.progress.done).toBe(USERS);
      // Live progress, not one final answer: B saw the count grow while A worked.
      expect(new Set(progress).size).toBeGreaterThan(2);
      expect(progress).toEqual([...progress].sort((x, y) => x - y));
      // And either instance can act on it: B lists it as done.
      expect((await b.admin.get(`/jobs/${started.body.data.id}`)).body.data.state).toBe("done");
    }, 60_000);

    it("the sign-in rate limit is shared: once A refuses a client, B refuses it too (counts in the store)", async () => {
      const wrong = { email: ADMIN_EMAIL, password: "wrong-password-123" };
      const attempt = async (s: TestServer) => (await new ApiClient(s.url).post("/auth/login", wrong)).status;
      // Every sign-in counts (10 per 15 minutes per address), on either instance: the fixtures' and the first test's sign-ins are in the count.
      const onA: number[] = [];
      for (let i = 0; i < 11 && onA.at(-1) !== 429; i++) onA.push(await attempt(a));
      expect(onA.at(-1)).toBe(429);
      expect(onA.slice(0, -1).every((st) => st === 401)).toBe(true);
      expect(onA.length).toBeLessThan(10); // the fixtures' sign-ins on A and B already counted
      // A per-process limit would give N instances N × 10 tries per 15 minutes; the store-backed one gives 10.
      expect(await attempt(b)).toBe(429);
      // B refuses even the right password now, as A does.
      expect(
        (await new ApiClient(b.url).post("/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }))
          .status,
      ).toBe(429);
    });
  },
);

describe.each(testDatabases())(
  "two instances on one %s database share the connectivity-test limit",
  (dialect) => {
    const schema = dialect === "postgres" ? freshSchema() : undefined;
    const sqliteFile = path.join(mkdtempSync(path.join(tmpdir(), "msa-instances-")), "db.sqlite");
    let sim: ExchangeSimulator;
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      sim = await startExchangeSimulator({ tenant: demoTenant({ users: 5, rooms: 0 }), maxRecordedCalls: 0 });
      const options = {
        dialect,
        sqliteFile,
        pgSchema: schema?.schema,
        keepSchema: true,
        env: {
          EWS_ALLOWED_HOSTS: "127.0.0.1",
          MONITOR_INTERVAL_MINUTES: "0",
          LOG_LEVEL: "warn",
          JOBS_RUNNER: "off",
        },
      };
      a = await startTestServer(options);
      b = await startTestServer(options);
    }, 60_000);
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await sim?.close();
      await schema?.drop();
    });

    it("10 connectivity tests split across A and B: the 11th is refused on either (a per-process limit would allow 20)", async () => {
      const profileId = (await a.admin.post("/profiles", { name: `Limited ${dialect}` })).body.data
        .id as string;
      const access = {
        type: "ews-basic-impersonation",
        accountLogon: DEMO.serviceAccount.logon,
        password: DEMO.serviceAccount.password,
        ewsUrl: sim.ewsUrl,
      };
      expect((await a.admin.put(`/profiles/${profileId}/mailbox-access`, access)).status).toBe(200);
      const test = async (s: TestServer) => s.admin.post(`/profiles/${profileId}/connectivity-tests`, {});
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await test(i % 2 === 0 ? a : b)).status);
      expect(statuses).toEqual(Array(10).fill(200));
      for (const s of [a, b]) {
        const refused = await test(s);
        expect(refused.status).toBe(429);
        expect(refused.body.error).toMatchObject({
          id: "rate_limited",
          message: "Too many connectivity tests. Wait a minute and try again.",
        });
      }
      // Counted per limiter and profile: autodiscover and another profile's tests have their own counts.
      expect((await b.admin.post("/autodiscover", { email: DEMO.user.address, profileId })).status).not.toBe(
        429,
      );
      const other = (await b.admin.post("/profiles", { name: `Other ${dialect}` })).body.data.id as string;
      expect((await b.admin.put(`/profiles/${other}/mailbox-access`, access)).status).toBe(200);
      expect((await b.admin.post(`/profiles/${other}/connectivity-tests`, {})).status).toBe(200);
    }, 60_000);
  },
);
