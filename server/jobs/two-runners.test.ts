import { afterEach, describe, expect, it } from "vitest";
import { checkHistory } from "../../test/factories/checks";
import { buildProfile, buildUsers } from "../../test/factories/jobs";
import { mailboxAddresses } from "./testing/factories";
import { startJobHarness, SYSTEM, type JobHarness } from "./testing/harness";

const pgOnly = process.env.TEST_DATABASE_URL ? describe : describe.skip;

pgOnly("two runners on one PostgreSQL", () => {
  let h: JobHarness;
  afterEach(() => h?.close());

  it("share the jobs and never check an item twice", async () => {
    h = await startJobHarness({ dialect: "postgres", users: 400, tenantUsers: 1000, latencyMs: 2 });
    // Three more profiles so both runners have work at once.
    const more = mailboxAddresses(h.sim.tenant, 1000).slice(400, 1000);
    const jobIds = [(await h.jobs.start(SYSTEM, h.profileId, { kind: "activate-profile" })).id];
    for (let i = 0; i < 3; i++) {
      const pid = await buildProfile(h);
      await buildUsers(h, pid, more.slice(i * 200, (i + 1) * 200));
      jobIds.push((await h.jobs.start(SYSTEM, pid, { kind: "activate-profile" })).id);
    }
    // A lease that a loaded machine's late heartbeat doesn't lapse: with 1 s (and load 11 on 2 cores) a
    // lease lapsed, and the other runner took the job over and checked a mailbox again, as a lapsed
    // lease allows. Both runners still claim jobs: they do by their concurrency caps, not by lapses.
    const a = h.runner({ leaseMs: 5_000, maxConcurrency: 20 });
    const b = h.runner({ leaseMs: 5_000, maxConcurrency: 20 });
    for (const id of jobIds) await h.waitFor(id, ["done"], 90_000);

    // Each runner takes jobs up to its global cap (20 = two profiles of 10), so both worked.
    expect(a.jobsClaimed).toBeGreaterThan(0);
    expect(b.jobsClaimed).toBeGreaterThan(0);
    const perTarget = Object.values(h.sim.counters.byTarget);
    expect(perTarget.length).toBe(1000);
    expect(perTarget.every((n) => n === 1)).toBe(true); // the simulator saw each mailbox exactly once
    const history = await checkHistory(h);
    expect(history).toHaveLength(1000);
  }, 90_000); // 1,000 simulated users: ~15 s alone, slower beside the other job tests on 2 cores
});
