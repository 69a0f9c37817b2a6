/**
 * The Exchange simulator drops connections mid-response (and sometimes truncates a body) during a bulk
 * activation: each is a transient fault, retried; every user ends with exactly one result, active unless
 * all of its attempts met a fault, on SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it } from "vitest";
import { demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../../server/ews-simulator";
import { mailboxAddresses } from "../../server/jobs/testing/factories";
import { userRows } from "../factories/users";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "../helpers/server";
import { expectExactlyOneResultEach, profileWithUsers, waitForJob } from "./helpers";

announcePostgresSkip();

const USERS = process.env.LONG_TESTS === "1" ? 2000 : 300;

describe.each(testDatabases())(
  "Exchange dropping connections mid-response during a bulk job on %s",
  (dialect) => {
    let sim: ExchangeSimulator | undefined;
    let s: TestServer | undefined;
    afterEach(async () => {
      await s?.close();
      await sim?.close();
    });

    it(`activates ${USERS} users with 5 % of calls dropped and 2 % truncated: one final state each`, async () => {
      const tenant = demoTenant({ users: USERS + 10, rooms: 0 });
      sim = await startExchangeSimulator({ tenant, latencyMs: 2, maxRecordedCalls: 0 });
      s = await startTestServer({
        dialect,
        env: { EWS_ALLOWED_HOSTS: "127.0.0.1", MONITOR_INTERVAL_MINUTES: "0", LOG_LEVEL: "warn" },
      });
      const profileId = await profileWithUsers(s.admin, sim, mailboxAddresses(tenant, USERS));
      sim.faults.rates = { drop: 0.05, truncated: 0.02 };
      sim.resetCounters();
      const started = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
      expect(started.status, started.text).toBe(202);
      const job = await waitForJob(
        s.admin,
        started.body.data.id,
        (j) => ["done", "failed", "cancelled"].includes(j.state),
        120_000,
      );
      sim.faults.rates = {};
      expect(job.state).toBe("done");
      expect(job.progress).toMatchObject({ total: USERS, done: USERS });
      await expectExactlyOneResultEach(s.ctx.store, job.id, USERS);
      // A user fails only when every one of its 4 attempts met a fault (0.07^4 each: about one run in ten
      // sees one among 2,000 users), and then with the transient error of its last attempt.
      const failed = await userRows(s.ctx, { state: "error" });
      expect(failed).toHaveLength(job.progress.failed);
      expect(job.progress.failed).toBeLessThanOrEqual(3);
      for (const user of failed) {
        expect(["ConnectionDropped", "MalformedResponse"]).toContain(
          (JSON.parse(user.lastError!) as { code: string }).code,
        );
        expect(sim.counters.byTarget[user.address], user.address).toBe(4);
      }
      const calls = sim.counters.byOperation.GetFolder ?? 0;
      // Retries happened (the faults were real) and stayed near the fault rate, not a storm.
      expect(calls).toBeGreaterThan(USERS);
      expect(calls).toBeLessThan(USERS * 1.3);
      console.log(
        `${dialect}: ${USERS} users, ${calls} GetFolder calls (${calls - USERS} retries after dropped or truncated answers)`,
      );
    }, 150_000);
  },
);
