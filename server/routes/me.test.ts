import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../test/factories/audit";
import { setProfileAlert } from "../../test/factories/profiles";
import { setUserState, userRow } from "../../test/factories/users";
import { startIdentityFixture, type IdentityFixture } from "../../test/helpers/identity";
import { announcePostgresSkip, testDatabases } from "../../test/helpers/server";
import { startTestIdentityProvider, TEST_ACCOUNTS, type TestIdentityProvider } from "../../test/idp";

announcePostgresSkip();

let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await startTestIdentityProvider();
});
afterAll(async () => {
  await idp?.close();
});

describe.each(testDatabases())("GET /me/status (%s)", (dialect) => {
  let f: IdentityFixture;
  beforeAll(async () => {
    f = await startIdentityFixture(dialect, idp);
  });
  afterAll(async () => {
    await f?.close();
  });

  const status = async (account: (typeof TEST_ACCOUNTS)[keyof typeof TEST_ACCOUNTS], path = "/me/status") => {
    const res = await (await f.as(account)).get(path);
    expect(res.status).toBe(200);
    return res.body.data;
  };
  const linkAudits = () => auditEvents(f.server.ctx, { action: "user.link_entra" });

  it("requires sign-in", async () => {
    expect((await f.server.anonymous.get("/me/status")).status).toBe(401);
  });

  it("shows an active user their mailbox, linking it by upn once (case-insensitively) and auditing that once", async () => {
    const first = await status(TEST_ACCOUNTS.activeUser);
    expect(first).toMatchObject({
      enrolled: true,
      address: TEST_ACCOUNTS.activeUser.upn.toUpperCase(),
      profileName: "Profile A",
      profileSyncEnabled: true,
      accessType: "ews-basic-impersonation",
      state: "active",
      lastError: null,
      adminAlerted: false,
    });
    expect(first.lastCheckedAt).toEqual(expect.any(String));
    expect(first.lastSyncAt).toEqual(expect.any(String));
    expect(Date.parse(first.nextCheckAt) - Date.parse(first.lastCheckedAt)).toBe(30 * 60_000);
    expect(first.whatToDoNext).toMatch(/Nothing to do/);
    const user = await userRow(f.server.ctx, { id: f.userIds["active-user"] });
    expect(user.entraObjectId).toBe(TEST_ACCOUNTS.activeUser.oid);
    expect(await linkAudits()).toHaveLength(1);
    // Polling again: the same answer, no further audit.
    expect(await status(TEST_ACCOUNTS.activeUser)).toEqual(first);
    expect(await linkAudits()).toHaveLength(1);
  });

  it("shows an error user the error, its remediation and sync errors, and whether the admin was alerted", async () => {
    const before = await status(TEST_ACCOUNTS.errorUser);
    expect(before).toMatchObject({
      enrolled: true,
      state: "error",
      lastError: {
        code: "ErrorImpersonateUserDenied",
        remediation: expect.stringMatching(/ApplicationImpersonation/),
      },
      syncErrors: [{ code: "ErrorItemNotFound", message: expect.any(String) }],
      adminAlerted: false,
    });
    expect(before.whatToDoNext).toMatch(/Nothing needed from you.*admin needs to fix/);
    expect(before.whatToDoNext).not.toMatch(/alerted/);
    expect(before.yourAction).toBe("none");
    await setProfileAlert(f.server.ctx, f.profileA, {
      kind: "failure-share",
      message: "60% failed",
      since: new Date().toISOString(),
    });
    const after = await status(TEST_ACCOUNTS.errorUser);
    expect(after.adminAlerted).toBe(true);
    expect(after.whatToDoNext).toMatch(/Nothing needed from you/);
    expect(after.whatToDoNext).not.toMatch(/tell them/);
    await setProfileAlert(f.server.ctx, f.profileA, null);
  });

  it("says plainly when nothing is needed (a mailbox move resolves by itself) and when something is (a full mailbox)", async () => {
    const userId = f.userIds["error-user"];
    const { lastError } = await userRow(f.server.ctx, { id: userId });
    const setError = (code: string) =>
      setUserState(f.server.ctx, userId, {
        lastError: JSON.stringify({ code, message: `${code} happened`, remediation: "-" }),
      });
    try {
      await setError("ErrorMailboxMoveInProgress");
      const moving = await status(TEST_ACCOUNTS.errorUser);
      expect(moving).toMatchObject({ state: "error", yourAction: "wait", adminAlerted: false });
      expect(moving.whatToDoNext).toMatch(/Nothing needed from you: .*being moved.*resolves by itself/);
      await setError("ErrorServerBusy");
      expect(await status(TEST_ACCOUNTS.errorUser)).toMatchObject({
        yourAction: "wait",
        whatToDoNext: expect.stringMatching(/busy.*resolves by itself/),
      });
      await setError("ErrorQuotaExceeded");
      const full = await status(TEST_ACCOUNTS.errorUser);
      expect(full).toMatchObject({ yourAction: "act" });
      expect(full.whatToDoNext).toMatch(/Your mailbox is full: delete or archive/);
    } finally {
      await setUserState(f.server.ctx, userId, { lastError });
    }
    expect((await status(TEST_ACCOUNTS.activeUser)).yourAction).toBe("none");
  });

  it("shows a paused user that an admin paused it, with no next check", async () => {
    const paused = await status(TEST_ACCOUNTS.pausedUser);
    expect(paused).toMatchObject({ enrolled: true, state: "paused", nextCheckAt: null });
    expect(paused.whatToDoNext).toMatch(/paused/);
  });

  it("answers a clear 'not enrolled' for someone with no mailbox in any profile", async () => {
    expect(await status(TEST_ACCOUNTS.notEnrolledUser)).toEqual({
      enrolled: false,
      reason: "not-found",
      message: expect.stringMatching(/not set up for sync/),
    });
  });

  it("never links a guest, even one whose home address matches", async () => {
    await f.server.admin.post(`/profiles/${f.profileB}/users`, { text: TEST_ACCOUNTS.guest.email });
    expect(await status(TEST_ACCOUNTS.guest)).toMatchObject({ enrolled: false, reason: "guest" });
    const row = await userRow(f.server.ctx, { addressLower: TEST_ACCOUNTS.guest.email });
    expect(row.entraObjectId).toBeNull();
  });

  it("never links by email or preferred_username without a matching upn", async () => {
    // Nora is enrolled now, but Mallory's token only carries her address in email / preferred_username.
    await f.server.admin.post(`/profiles/${f.profileB}/users`, { text: "mallory.target@contoso.test" });
    const token = await idp.issueToken(TEST_ACCOUNTS.emailOnly, {
      claims: { email: "mallory.target@contoso.test", preferred_username: "mallory.target@contoso.test" },
    });
    const res = await (await f.as(TEST_ACCOUNTS.emailOnly, token)).get("/me/status");
    expect(res.body.data).toMatchObject({ enrolled: false, reason: "not-found" });
    const row = await userRow(f.server.ctx, { addressLower: "mallory.target@contoso.test" });
    expect(row.entraObjectId).toBeNull();
  });

  it("refuses a mailbox already linked to another account", async () => {
    // The active user's mailbox is linked to Ada's oid; another member presenting the same upn gets nothing.
    const token = await idp.issueToken({
      ...TEST_ACCOUNTS.activeUser,
      oid: "00000000-0000-4000-8000-0000000000ff",
    });
    const res = await (await f.as(TEST_ACCOUNTS.activeUser, token)).get("/me/status");
    expect(res.body.data).toMatchObject({ enrolled: false, reason: "linked-to-another-account" });
  });

  it("only ever returns the caller's own status, whatever the request names", async () => {
    const own = await status(
      TEST_ACCOUNTS.pausedUser,
      `/me/status?userId=${f.userIds["active-user"]}&upn=${TEST_ACCOUNTS.activeUser.upn}`,
    );
    expect(own).toMatchObject({ state: "paused", address: TEST_ACCOUNTS.pausedUser.upn.toUpperCase() });
    // And the admin routes that read another person's mailbox refuse end users.
    expect(
      (await (await f.as(TEST_ACCOUNTS.pausedUser)).get(`/users/${f.userIds["active-user"]}`)).status,
    ).toBe(403);
  });

  it("answers people asking at the same moment each with their own mailbox (their lookups share queries)", async () => {
    const accounts = [
      TEST_ACCOUNTS.activeUser,
      TEST_ACCOUNTS.errorUser,
      TEST_ACCOUNTS.pausedUser,
      TEST_ACCOUNTS.notEnrolledUser,
    ];
    const clients = await Promise.all(accounts.map((a) => f.as(a)));
    await Promise.all(clients.map((c) => c.get("/me/status"))); // each mailbox linked before the burst
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => clients[i % 4].get("/me/status")));
    for (const [i, res] of answers.entries()) {
      expect(res.status).toBe(200);
      const account = accounts[i % 4];
      if (account === TEST_ACCOUNTS.notEnrolledUser) {
        expect(res.body.data).toMatchObject({ enrolled: false, reason: "not-found" });
      } else expect(res.body.data.address.toLowerCase()).toBe(account.upn.toLowerCase());
    }
  });

  it("answers on its short path with the headers and body of the app's route (reached with a trailing slash)", async () => {
    const client = await f.as(TEST_ACCOUNTS.activeUser);
    const short = await client.get("/me/status");
    const routed = await client.get("/me/status/");
    expect(short.status).toBe(200);
    expect(routed.status).toBe(200);
    const headers = (res: typeof short) =>
      [...res.headers].filter(([name]) => name !== "date" && name !== "x-request-id");
    expect(headers(short)).toEqual(headers(routed));
    expect(short.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(short.headers.get("cache-control")).toBe("private, no-store");
    expect(short.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(short.body.data.nextCheckAt).toEqual(expect.any(String));
    expect({ ...short.body.data, nextCheckAt: null }).toEqual({ ...routed.body.data, nextCheckAt: null });
    // A conditional request gets Express's own answer, as on the app's route.
    const conditional = await client.get("/me/status", { "if-none-match": "*" });
    expect(conditional.status).toBe((await client.get("/me/status/", { "if-none-match": "*" })).status);
  });

  it("tells a local admin they have no mailbox here", async () => {
    const res = await f.server.admin.get("/me/status");
    expect(res.body.data).toMatchObject({ enrolled: false, reason: "local-admin" });
  });
});
