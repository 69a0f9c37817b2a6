import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPS, IN_SCOPE, startAppOnlyStack, TEST_TENANT_ID, type AppOnlyStack } from "./app-only-helpers";
import { lastSyncSession } from "./factories/sync";
import { startTestServer, type TestServer } from "./helpers/server";
import { httpsServerEnv } from "./helpers/tls";
import { finishedJob } from "./helpers/job-events";

const run = promisify(execFile);

/** The sync example's Graph half, run as its own process with only a service key and a state file. */
describe("sync service example through the Graph gateway", () => {
  let stack: AppOnlyStack;
  let s: TestServer;
  let baseUrl = "";
  let key = "";
  const [mailbox] = IN_SCOPE;
  const state = path.join(mkdtempSync(path.join(tmpdir(), "sync-state-")), "state.json");
  const example = () =>
    run(
      process.execPath,
      [
        "--import",
        "tsx",
        path.resolve("scripts/sync-service-example.ts"),
        "--url",
        baseUrl,
        "--key",
        key,
        "--state",
        state,
      ],
      { timeout: 60_000 },
    );

  beforeAll(async () => {
    const tls = await httpsServerEnv();
    if (!tls) throw new Error("the global setup's test certificate is missing (test/global-setup.ts)");
    stack = await startAppOnlyStack();
    s = await startTestServer({ env: { ...stack.env, ...tls } });
    baseUrl = tls.BASE_URL;
    const profileId = (await s.admin.post("/profiles", { name: "Graph example" })).body.data.id as string;
    await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "graph-app-only",
      tenantId: TEST_TENANT_ID,
      clientId: APPS.scopedSecret.clientId,
      clientSecret: APPS.scopedSecret.secret,
    });
    await s.admin.post(`/profiles/${profileId}/users`, { text: mailbox });
    const job = (await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" })).body.data;
    await finishedJob(s.admin, job.id);
    key = (
      await s.admin.post("/service-keys", {
        name: "graph example",
        scopes: ["roster:read", "graph:read", "reports:write"],
      })
    ).body.data.key as string;
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await stack?.close();
  });

  it("syncs in full, then incrementally: only the items added in between", async () => {
    const first = await example();
    expect(first.stdout).toContain(`Graph full sync of ${mailbox}: 5 new or changed, 0 removed`);
    const saved = JSON.parse(readFileSync(state, "utf8")) as {
      servers: Record<string, Record<string, { inbox: string }>>;
    };
    expect(
      Object.values(saved.servers)[0][mailbox].inbox.startsWith(`${baseUrl}/api/v1/sync/graph/v1.0/users/`),
    ).toBe(true);
    stack.sim.graph.addItems(mailbox, { messages: 2, events: 1 });
    const calls = stack.sim.graph.counters.requests;
    const second = await example();
    expect(second.stdout).toContain(`Graph incremental sync of ${mailbox}: 3 new or changed, 0 removed`);
    // Two delta calls (Inbox and calendar), each one page: nothing was read again.
    expect(stack.sim.graph.counters.requests - calls).toBe(2);
    const user = await lastSyncSession(s.ctx);
    expect(user).toMatchObject({ itemsIn: 3 });
  });
});
