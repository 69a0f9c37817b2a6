import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../test/factories/audit";
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

describe.each(testDatabases())("GET|PUT /profiles/:id/admins (%s)", (dialect) => {
  let f: IdentityFixture;
  beforeAll(async () => {
    f = await startIdentityFixture(dialect, idp);
  });
  afterAll(async () => {
    await f?.close();
  });

  const audits = () => auditEvents(f.server.ctx, { action: "profile.admins_change" });

  it("lists and replaces a profile's admins (lower-cased, de-duplicated, sorted) and audits the change once", async () => {
    expect((await f.server.admin.get(`/profiles/${f.profileB}/admins`)).body.data).toEqual({
      userPrincipalNames: [],
    });
    const before = (await audits()).length;
    const put = await f.server.admin.put(`/profiles/${f.profileB}/admins`, {
      userPrincipalNames: ["Zed@Contoso.test", "ana@contoso.test", "ANA@contoso.test"],
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toEqual({ userPrincipalNames: ["ana@contoso.test", "zed@contoso.test"] });
    expect((await f.server.admin.get(`/profiles/${f.profileB}/admins`)).body.data.userPrincipalNames).toEqual(
      ["ana@contoso.test", "zed@contoso.test"],
    );
    const events = await audits();
    expect(events).toHaveLength(before + 1);
    expect(JSON.parse(events.at(-1)!.after!)).toEqual({
      userPrincipalNames: ["ana@contoso.test", "zed@contoso.test"],
    });
    // The same list again changes nothing and is not audited.
    await f.server.admin.put(`/profiles/${f.profileB}/admins`, {
      userPrincipalNames: ["zed@contoso.test", "ana@contoso.test"],
    });
    expect(await audits()).toHaveLength(before + 1);
  });

  it("lets a platform admin by token assign, and the new profile admin then sees that profile only", async () => {
    const platform = await f.as(TEST_ACCOUNTS.platformAdmin);
    expect(
      (
        await platform.put(`/profiles/${f.profileB}/admins`, {
          userPrincipalNames: [TEST_ACCOUNTS.pausedUser.upn],
        })
      ).status,
    ).toBe(200);
    const paula = await f.as(TEST_ACCOUNTS.pausedUser);
    const list = await paula.get("/profiles");
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([f.profileB]);
    expect((await paula.get(`/profiles/${f.profileA}`)).status).toBe(403);
    const events = await audits();
    expect(events.at(-1)!.actor).toBe(TEST_ACCOUNTS.platformAdmin.upn);
    await platform.put(`/profiles/${f.profileB}/admins`, { userPrincipalNames: [] });
    expect((await paula.get("/profiles")).status).toBe(403);
  });

  it("refuses profile admins and end users, and changes nothing", async () => {
    const profileAdmin = await f.as(TEST_ACCOUNTS.profileAdmin);
    expect((await profileAdmin.get(`/profiles/${f.profileA}/admins`)).status).toBe(403);
    expect(
      (await profileAdmin.put(`/profiles/${f.profileA}/admins`, { userPrincipalNames: ["x@contoso.test"] }))
        .status,
    ).toBe(403);
    expect(
      (
        await (
          await f.as(TEST_ACCOUNTS.activeUser)
        ).put(`/profiles/${f.profileA}/admins`, { userPrincipalNames: [] })
      ).status,
    ).toBe(403);
    expect((await f.server.admin.get(`/profiles/${f.profileA}/admins`)).body.data.userPrincipalNames).toEqual(
      [TEST_ACCOUNTS.profileAdmin.upn],
    );
  });

  it("answers 400 with what to fix for a bad body, and 404 for an unknown profile", async () => {
    const bad = await f.server.admin.put(`/profiles/${f.profileA}/admins`, {
      userPrincipalNames: ["not a upn"],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/user principal name/);
    expect((await f.server.admin.put(`/profiles/${f.profileA}/admins`, { upns: [] })).status).toBe(400);
    expect((await f.server.admin.get("/profiles/00000000-0000-4000-8000-00000000dead/admins")).status).toBe(
      404,
    );
    expect((await f.server.admin.get(`/profiles/${f.profileA}/admins`)).body.data.userPrincipalNames).toEqual(
      [TEST_ACCOUNTS.profileAdmin.upn],
    );
  });
});
