import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { startTestServer, type TestServer } from "./helpers/server";
import { realDelay } from "./helpers/real-delay";

const run = promisify(execFile);

/** The README's runnable example of the sync service, run as a separate process holding only a service key. */
describe("sync service example script", () => {
  let s: TestServer;
  let sim: ExchangeSimulator;
  let key: string;
  const mailbox = DEMO.user.address;

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 5 }) });
    s = await startTestServer({ env: { EWS_ALLOWED_HOSTS: "127.0.0.1" } });
    const profileId = (await s.admin.post("/profiles", { name: "Example" })).body.data.id;
    await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    });
    await s.admin.post(`/profiles/${profileId}/users`, { text: `${mailbox}\n${DEMO.blockedUser}` });
    const job = (await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" })).body.data;
    for (let i = 0; i < 200 && (await s.admin.get(`/jobs/${job.id}`)).body.data.state !== "done"; i++) {
      await realDelay(100, "poll: the job runs in the background");
    }
    key = (
      await s.admin.post("/service-keys", {
        name: "example",
        scopes: ["roster:read", "ews:proxy", "reports:write"],
      })
    ).body.data.key;
  });
  afterAll(async () => {
    await s.close();
    await sim.close();
  });

  it("lists the roster, reads the Inbox through the gateway and reports the session", async () => {
    sim.resetCounters();
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", path.resolve("scripts/sync-service-example.ts"), "--url", s.url, "--key", key],
      { timeout: 30_000 },
    );
    expect(stdout).toContain("Roster: 2 mailboxes, 1 to sync.");
    expect(stdout).toMatch(new RegExp(`Inbox of ${mailbox} through the gateway .*: \\d+ items`));
    expect(sim.counters.calls.map((c) => [c.account, c.target, c.operation])).toEqual([
      [DEMO.serviceAccount.logon, mailbox, "FindItem"],
    ]);
    const user = await s.ctx.store.db
      .selectFrom("users")
      .selectAll()
      .where("addressLower", "=", mailbox)
      .executeTakeFirstOrThrow();
    expect(user.lastSyncAt).not.toBeNull();
    expect(user.syncErrors).toBeNull();
  });

  it("refuses to run without a service key", async () => {
    await expect(
      run(
        process.execPath,
        ["--import", "tsx", path.resolve("scripts/sync-service-example.ts"), "--url", s.url],
        { timeout: 30_000, env: { ...process.env, MSA_SERVICE_KEY: "" } },
      ),
    ).rejects.toMatchObject({ code: 2 });
  });
});
