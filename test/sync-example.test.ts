import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import type { SyncStateFile } from "../scripts/sync-example/state-file";
import { userRow } from "./factories/users";
import { startTestServer, type TestServer } from "./helpers/server";
import { finishedJob } from "./helpers/job-events";

const run = promisify(execFile);

/** The README's runnable example of the sync service, run as a separate process holding only a service key. */
describe("sync service example script", () => {
  let s: TestServer;
  let sim: ExchangeSimulator;
  let key: string;
  let profileId: string;
  let stateFile: string;
  const mailbox = DEMO.user.address;

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 5 }) });
    // No monitor rechecks: the tests count the calls each sync run makes (a recheck 30 s after the start
    // of a slow run landed among them).
    s = await startTestServer({ env: { EWS_ALLOWED_HOSTS: "127.0.0.1", MONITOR_INTERVAL_MINUTES: "0" } });
    stateFile = path.join(await mkdtemp(path.join(tmpdir(), "sync-example-")), "sync-state.json");
    profileId = (await s.admin.post("/profiles", { name: "Example" })).body.data.id;
    await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    });
    await s.admin.post(`/profiles/${profileId}/users`, { text: `${mailbox}\n${DEMO.blockedUser}` });
    const job = (await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" })).body.data;
    await finishedJob(s.admin, job.id);
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

  const example = (...args: string[]) =>
    run(
      process.execPath,
      [
        "--import",
        "tsx",
        path.resolve("scripts/sync-service-example.ts"),
        "--url",
        s.url,
        "--key",
        key,
        "--state",
        stateFile,
        ...args,
      ],
      { timeout: 60_000 },
    );

  async function lastSyncAt(): Promise<string | null> {
    const list = await s.admin.get(`/profiles/${profileId}/users?q=${encodeURIComponent(mailbox)}`);
    return (list.body.data as { address: string; lastSyncAt: string | null }[]).find(
      (u) => u.address === mailbox,
    )!.lastSyncAt;
  }

  it("syncs Inbox and Calendar incrementally: the second run, after new items, reads only those", async () => {
    sim.resetCounters();
    const first = await example();
    expect(first.stdout).toContain("Roster: 2 mailboxes, 1 to sync.");
    expect(first.stdout).toContain(`${mailbox}: inbox 3 new or changed, 0 deleted`);
    expect(first.stdout).toContain("calendar 2 new or changed, 0 deleted");
    expect(first.stdout).toMatch(/Sync report: 1 mailboxes, 5 items in, 0 out, 0 with errors/);
    expect(sim.counters.calls.map((c) => [c.account, c.target, c.operation])).toEqual([
      [DEMO.serviceAccount.logon, mailbox, "SyncFolderItems"],
      [DEMO.serviceAccount.logon, mailbox, "GetItem"],
      [DEMO.serviceAccount.logon, mailbox, "SyncFolderItems"],
      [DEMO.serviceAccount.logon, mailbox, "GetItem"],
    ]);
    const state = JSON.parse(await readFile(stateFile, "utf8")) as SyncStateFile;
    expect(Object.keys(state.servers[s.url][mailbox]).sort()).toEqual(["calendar", "inbox"]);
    const firstSyncAt = await lastSyncAt();
    expect(firstSyncAt).not.toBeNull();

    sim.addItem(mailbox, { subject: "Order 4711 confirmed" });
    sim.resetCounters();
    const second = await example();
    expect(second.stdout).toContain(`${mailbox}: inbox 1 new or changed, 0 deleted [Order 4711 confirmed]`);
    expect(second.stdout).toContain("calendar 0 new or changed, 0 deleted");
    expect(second.stdout).toMatch(/1 items in, 0 out, 0 with errors/);
    // Only the new item is read: one GetItem (Inbox), none for the unchanged Calendar.
    expect(sim.counters.calls.map((c) => c.operation)).toEqual([
      "SyncFolderItems",
      "GetItem",
      "SyncFolderItems",
    ]);
    const secondSyncAt = await lastSyncAt();
    expect(Date.parse(secondSyncAt!)).toBeGreaterThan(Date.parse(firstSyncAt!));
    const user = await userRow(s.ctx, { addressLower: mailbox });
    expect(user.syncErrors).toBeNull();
  });

  it("starts over when the server refuses a saved sync state", async () => {
    const state = JSON.parse(await readFile(stateFile, "utf8")) as SyncStateFile;
    state.servers[s.url][mailbox].inbox = Buffer.from("stale|state").toString("base64");
    await writeFile(stateFile, JSON.stringify(state));
    const { stdout } = await example();
    expect(stdout).toContain(`${mailbox}: inbox 4 new or changed, 0 deleted (state refused: full sync)`);
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
