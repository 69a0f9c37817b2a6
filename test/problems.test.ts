import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import type { ProblemActionResult, ProblemGroup, Problems } from "../contract/problems";
import { SYSTEM } from "../server/auth/principal";
import { TEST_ACCOUNTS } from "./idp";
import { auditEvents } from "./factories/audit";
import { createPausedJob } from "./factories/jobs";
import { startIdentityFixture, type IdentityFixture } from "./helpers/identity";
import { jobEvents } from "./helpers/job-events";
import { announcePostgresSkip, ApiClient, testDatabases } from "./helpers/server";

announcePostgresSkip();

/** Failures of a real EWS (the simulator), grouped by cause; profile admins see their own profiles only. */
describe.each(testDatabases())("problems API on %s", (dialect) => {
  let f: IdentityFixture;
  let sim: ExchangeSimulator;
  let admin: ApiClient;
  let profileAdmin: ApiClient;
  let sync: ApiClient;
  let A: string;
  let B: string;
  const ids: Record<string, string> = {};

  const group = (p: Problems, cause: string): ProblemGroup | undefined =>
    p.groups.find((g) => g.cause === cause);
  const problemsOf = async (client: ApiClient, path: string): Promise<Problems> => {
    const res = await client.get(path);
    expect(res.status, res.text).toBe(200);
    return res.body.data as Problems;
  };
  const waitForJob = async (jobId: string) => {
    for await (const { event } of jobEvents(admin, jobId)) if (event === "done") return;
  };
  const audit = (action: string) => auditEvents(f.server.ctx, { action });

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 10 }) });
    f = await startIdentityFixture(dialect, undefined, { EWS_ALLOWED_HOSTS: "127.0.0.1" });
    admin = f.server.admin;
    profileAdmin = await f.as(TEST_ACCOUNTS.profileAdmin);
    ({ profileA: A, profileB: B } = f);
    const access = {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    };
    for (const p of [A, B]) {
      expect((await admin.put(`/profiles/${p}/mailbox-access`, access)).status).toBe(200);
    }
    const add = async (profileId: string, addresses: string[]) =>
      expect((await admin.post(`/profiles/${profileId}/users`, { text: addresses.join("\n") })).status).toBe(
        200,
      );
    await add(A, [
      `${DEMO.alias},Zoltan Aliasname`,
      "jdoe@contoso.com",
      DEMO.noMailboxAddress,
      DEMO.blockedUser,
      DEMO.ewsDisabledUser,
    ]);
    await add(B, ["nobody.b@contoso.com", DEMO.movingUser]);
    for (const p of [A, B]) {
      const users = (await admin.get(`/profiles/${p}/users?limit=500`)).body.data as {
        id: string;
        address: string;
      }[];
      for (const u of users) ids[u.address.toLowerCase()] = u.id;
      const contoso = users.filter((u) => u.address.endsWith("@contoso.com"));
      const checked = await admin.post(`/profiles/${p}/checks`, { userIds: contoso.map((u) => u.id) });
      expect(checked.status, checked.text).toBe(200);
    }
    const key = await admin.post("/service-keys", { name: "CRM", scopes: ["roster:read", "reports:write"] });
    sync = new ApiClient(f.server.url, { authorization: `Bearer ${key.body.data.key}` });
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it("groups a profile's failed checks by cause, with the fix, PowerShell filled in and the first users", async () => {
    const p = await problemsOf(admin, `/profiles/${A}/problems`);
    expect(Object.fromEntries(p.groups.map((g) => [g.cause, g.count]))).toEqual({
      "mailbox-alias": 2,
      "mailbox-missing": 1,
      "impersonation-scope": 1,
      "ews-blocked": 1,
    });
    expect(p.total).toBe(5);
    expect(p.groups[0].cause).toBe("mailbox-alias"); // largest first
    const alias = group(p, "mailbox-alias")!;
    expect(alias).toMatchObject({ title: "Address is an alias", action: "replace-alias" });
    expect(alias.users.map((u) => [u.address, u.code, u.primaryAddress])).toEqual([
      [DEMO.alias, "ErrorNonPrimarySmtpAddress", DEMO.user.address],
      ["jdoe@contoso.com", "ErrorNonPrimarySmtpAddress", DEMO.user.address],
    ]);
    expect(alias.firstSeen).not.toBeNull();
    expect(alias.lastSeen! >= alias.firstSeen!).toBe(true);
    expect(alias.profiles).toEqual([
      { profileId: A, name: "Profile A", count: 2, usersUrl: `/profiles/${A}/users?cause=mailbox-alias` },
    ]);
    const scope = group(p, "impersonation-scope")!;
    expect(scope.powershell).toContain(`-Role ApplicationImpersonation -User "${DEMO.serviceAccount.logon}"`);
    expect(scope.users[0]).toMatchObject({ address: DEMO.blockedUser, code: "ErrorImpersonateUserDenied" });
    expect(group(p, "ews-blocked")!.users[0]).toMatchObject({ code: "ErrorAccessDenied" });
    // The profile reaches an on-premises Exchange (the simulator): EWS turned on there, no Exchange
    // Online allow list.
    expect(group(p, "ews-blocked")!.powershell).toContain("Set-OrganizationConfig -EwsEnabled $true");
    expect(group(p, "ews-blocked")!.powershell).not.toContain("EwsAllowedAppIDs");
    expect(group(p, "mailbox-missing")!.action).toBe("remove");
  });

  it("lists the users of a group through the user list's cause filter; a bad cause is a 400", async () => {
    const res = await admin.get(`/profiles/${A}/users?cause=mailbox-alias`);
    expect(res.body.data.map((u: { address: string }) => u.address)).toEqual([
      DEMO.alias,
      "jdoe@contoso.com",
    ]);
    const paged = await admin.get(`/profiles/${A}/users?cause=mailbox-alias&limit=1`);
    expect(paged.body.data).toHaveLength(1);
    const next = await admin.get(
      `/profiles/${A}/users?cause=mailbox-alias&limit=1&cursor=${paged.body.nextCursor}`,
    );
    expect(next.body.data[0].address).toBe("jdoe@contoso.com");
    const searched = await admin.get(`/profiles/${A}/users?cause=mailbox-alias&q=jdoe`);
    expect(searched.body.data.map((u: { address: string }) => u.address)).toEqual(["jdoe@contoso.com"]);
    const bad = await admin.get(`/profiles/${A}/users?cause=bogus`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("cause");
  });

  it("across profiles: a platform admin sees every profile, a profile admin only theirs", async () => {
    const all = await problemsOf(admin, "/problems");
    expect(group(all, "mailbox-missing")).toMatchObject({ count: 2 });
    expect(
      group(all, "mailbox-missing")!
        .profiles.map((x) => [x.name, x.count])
        .sort(),
    ).toEqual([
      ["Profile A", 1],
      ["Profile B", 1],
    ]);
    expect(group(all, "mailbox-moving")).toMatchObject({ count: 1 });
    const mine = await problemsOf(profileAdmin, "/problems");
    expect(group(mine, "mailbox-missing")!.count).toBe(1);
    expect(group(mine, "mailbox-moving")).toBeUndefined();
    expect(mine.groups.flatMap((g) => g.profiles.map((x) => x.profileId))).not.toContain(B);
    expect((await profileAdmin.get(`/profiles/${B}/problems`)).status).toBe(403);
    const refused = await profileAdmin.post(`/profiles/${B}/problems/mailbox-missing/actions`, {
      action: "remove",
    });
    expect(refused.status).toBe(403);
    expect((await f.server.anonymous.get("/problems")).status).toBe(401);
  });

  it("classifies the sync service's reports: a Conditional Access block, then a clean session clears it", async () => {
    // Sessions after everything the fixture wrote (a report older than the user's last sync doesn't
    // move it): whole minutes from the next one on, minute n finishing at its 30th second.
    const base = Math.ceil(Date.now() / 60_000) * 60_000;
    const at = (minute: number, second: number) =>
      new Date(base + minute * 60_000 + second * 1000).toISOString();
    const report = (errors: { code: string; message: string }[], minute: number) =>
      sync.post(`/sync/mailboxes/${TEST_ACCOUNTS.activeUser.upn}/reports`, {
        startedAt: at(minute, 0),
        finishedAt: at(minute, 30),
        itemsIn: 0,
        itemsOut: 0,
        errors,
      });
    expect(
      (
        await report(
          [
            {
              code: "SyncFailed",
              message: "AADSTS53003: Access has been blocked by Conditional Access policies.",
            },
          ],
          1,
        )
      ).status,
    ).toBe(201);
    const blocked = group(await problemsOf(admin, `/profiles/${A}/problems`), "mfa-conditional-access");
    expect(blocked).toMatchObject({
      count: 1,
      firstSeen: at(1, 30),
      lastSeen: at(1, 30),
    });
    expect(blocked!.users[0]).toMatchObject({
      code: "SyncFailed",
      address: TEST_ACCOUNTS.activeUser.upn.toUpperCase(),
    });
    expect((await report([{ code: "report_500", message: "the CRM refused the item" }], 2)).status).toBe(201);
    expect(group(await problemsOf(admin, `/profiles/${A}/problems`), "sync-service")).toMatchObject({
      count: 1,
    });
    expect((await report([], 3)).status).toBe(201);
    const after = await problemsOf(admin, `/profiles/${A}/problems`);
    expect(group(after, "sync-service")).toBeUndefined();
    expect(group(after, "mfa-conditional-access")).toBeUndefined();
  });

  it("refuses an action that doesn't fit the group (400) and an unknown group (404)", async () => {
    const wrong = await admin.post(`/profiles/${A}/problems/mailbox-missing/actions`, {
      action: "replace-alias",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.id).toBe("action_not_allowed");
    expect((await admin.post(`/profiles/${A}/problems/nothing/actions`, { action: "pause" })).status).toBe(
      404,
    );
    expect((await admin.post(`/profiles/${A}/problems/other/actions`, { action: "explode" })).status).toBe(
      400,
    );
  });

  it("replaces aliases by their primary address in one audited step: skips reported, old address tombstoned, users rechecked", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const res = await admin.post(`/profiles/${A}/problems/mailbox-alias/actions`, {
      action: "replace-alias",
    });
    expect(res.status, res.text).toBe(200);
    const result = res.body.data as ProblemActionResult;
    expect(result.count).toBe(1);
    expect(result.replaced).toEqual([{ userId: ids[DEMO.alias], from: DEMO.alias, to: DEMO.user.address }]);
    expect(result.skipped).toEqual([
      {
        userId: ids["jdoe@contoso.com"],
        profileId: A,
        address: "jdoe@contoso.com",
        reason: expect.stringContaining(`${DEMO.user.address} is already enrolled`),
      },
    ]);
    expect(result.jobs).toHaveLength(1);
    const events = await audit("users.replace-alias");
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].after!)).toEqual({
      count: 1,
      skipped: 1,
      replaced: [{ from: DEMO.alias, to: DEMO.user.address }],
    });
    // The sync service sees the old address removed and the primary one listed.
    const roster = await sync.get(`/sync/mailboxes?updatedSince=${encodeURIComponent(since)}&limit=500`);
    const rows = roster.body.data as { address: string; state: string }[];
    expect(rows.find((m) => m.address === DEMO.alias)?.state).toBe("removed");
    expect(rows.find((m) => m.address === DEMO.user.address)).toBeDefined();
    await waitForJob(result.jobs[0].jobId);
    const jane = (await admin.get(`/users/${ids[DEMO.alias]}`)).body.data;
    expect(jane).toMatchObject({ address: DEMO.user.address, lastError: null });
    // A search by a word of the name finds the user at the new address (the word index follows it).
    const found = await admin.get(`/profiles/${A}/users?q=aliasname`);
    expect((found.body.data as { address: string }[]).map((u) => u.address)).toContain(DEMO.user.address);
    const p = await problemsOf(admin, `/profiles/${A}/problems`);
    expect(group(p, "mailbox-alias")).toMatchObject({ count: 1 });
    expect(group(p, "mailbox-alias")!.users.map((u) => u.address)).toEqual(["jdoe@contoso.com"]);
  });

  it("checks a group again with a recheck-users job; a profile with a job open is skipped and said so", async () => {
    // A job held open (paused as it was created, so no runner takes it) keeps the profile.
    const held = await createPausedJob(f.server.ctx, SYSTEM, A, "recheck-profile");
    const refused = await admin.post(`/profiles/${A}/problems/ews-blocked/actions`, { action: "recheck" });
    expect(refused.status, refused.text).toBe(200);
    expect(refused.body.data).toMatchObject({ count: 0, jobs: [] });
    expect((refused.body.data as ProblemActionResult).skipped).toEqual([
      {
        userId: null,
        profileId: A,
        address: null,
        reason: expect.stringContaining(`already running for this profile (${held.id})`),
      },
    ]);
    expect((await admin.post(`/jobs/${held.id}/cancel`, {})).status).toBeLessThan(300);

    const res = await admin.post(`/profiles/${A}/problems/ews-blocked/actions`, { action: "recheck" });
    const started = res.body.data as ProblemActionResult;
    expect(started).toMatchObject({ action: "recheck", count: 1, skipped: [] });
    expect(started.jobs).toEqual([{ profileId: A, jobId: expect.any(String) }]);
    const job = (await admin.get(`/jobs/${started.jobs[0].jobId}`)).body.data;
    expect(job).toMatchObject({ kind: "recheck-users", profileId: A });
    expect((await audit("job.start")).some((e) => e.target === started.jobs[0].jobId)).toBe(true);
    await waitForJob(started.jobs[0].jobId);
    // Still blocked after the recheck: the group stays.
    expect(group(await problemsOf(admin, `/profiles/${A}/problems`), "ews-blocked")).toMatchObject({
      count: 1,
    });
  });

  it("pauses a group (users.pause audited) and removes one across profiles (users.remove audited)", async () => {
    const paused = await admin.post(`/profiles/${A}/problems/impersonation-scope/actions`, {
      action: "pause",
    });
    expect(paused.body.data).toMatchObject({ action: "pause", count: 1 });
    expect((await admin.get(`/users/${ids[DEMO.blockedUser]}`)).body.data.state).toBe("paused");
    expect(group(await problemsOf(admin, `/profiles/${A}/problems`), "impersonation-scope")).toBeUndefined();
    expect((await audit("users.pause")).some((e) => e.profileId === A)).toBe(true);

    // A profile admin's cross-profile action stays inside their profiles.
    const mine = await profileAdmin.post("/problems/mailbox-missing/actions", { action: "remove" });
    expect(mine.body.data).toMatchObject({ count: 1 });
    expect((await admin.get(`/users/${ids["nobody.b@contoso.com"]}`)).status).toBe(200);
    const rest = await admin.post("/problems/mailbox-missing/actions", { action: "remove" });
    expect(rest.body.data).toMatchObject({ count: 1 });
    expect((await admin.get(`/users/${ids["nobody.b@contoso.com"]}`)).status).toBe(404);
    expect((await audit("users.remove")).map((e) => e.profileId).sort()).toEqual([A, B].sort());
    expect(group(await problemsOf(admin, "/problems"), "mailbox-missing")).toBeUndefined();
  });
});
