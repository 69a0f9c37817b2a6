import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { auditEvents } from "./factories/audit";
import { mailboxAccessRow, updateMailboxAccess } from "./factories/mailbox-access";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "./helpers/server";

announcePostgresSkip();

const PASSWORD = DEMO.serviceAccount.password;
const TENANT = "7f3c2b1a-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const APP = "11111111-2222-4333-8444-555555555555";

/** A stored secret is bound to where it was entered: a save that moves it needs it again (issue 20). */
describe.each(testDatabases())("stored secrets bound to their host on %s", (dialect) => {
  let s: TestServer;
  let sim: ExchangeSimulator;

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 5 }) });
    s = await startTestServer({ dialect, env: { EWS_ALLOWED_HOSTS: "127.0.0.1,localhost" } });
  });
  afterAll(async () => {
    await s.close();
    await sim.close();
  });

  const newProfile = async (name: string) =>
    (await s.admin.post("/profiles", { name: `${name} ${dialect}` })).body.data.id as string;
  const basic = (extra: Record<string, unknown> = {}) => ({
    type: "ews-basic-impersonation",
    accountLogon: DEMO.serviceAccount.logon,
    ewsUrl: sim.ewsUrl,
    ...extra,
  });
  const rowOf = (profileId: string) => mailboxAccessRow(s.ctx, profileId);

  it("refuses a new EWS host or logon without the password, naming the host at the password field", async () => {
    const id = await newProfile("Basic host");
    expect((await s.admin.put(`/profiles/${id}/mailbox-access`, basic({ password: PASSWORD }))).status).toBe(
      200,
    );
    const before = await rowOf(id);
    // The attacker's move: same stored password, another host of their choosing.
    const moved = sim.ewsUrl.replace("127.0.0.1", "localhost");
    const res = await s.admin.put(`/profiles/${id}/mailbox-access`, basic({ ewsUrl: moved }));
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("validation_failed");
    expect(res.body.error.details).toEqual([
      {
        path: "password",
        message: `Enter the password again to use it with ${new URL(moved).host} as ${DEMO.serviceAccount.logon}.`,
        code: "SecretNotBound",
      },
    ]);
    const logon = await s.admin.put(
      `/profiles/${id}/mailbox-access`,
      basic({ accountLogon: DEMO.serviceAccountWithoutMailbox.logon }),
    );
    expect(logon.status).toBe(400);
    expect(logon.body.error.details[0].path).toBe("password");
    const http = await s.admin.put(
      `/profiles/${id}/mailbox-access`,
      basic({ ewsUrl: sim.ewsUrl.replace("http:", "https:") }),
    );
    expect(http.status).toBe(400);
    // Nothing was written: the stored version still points where the password was entered.
    expect(await rowOf(id)).toEqual(before);
    // So a connectivity test still signs in at the host the password was entered for.
    sim.resetCounters();
    await s.admin.post(`/profiles/${id}/connectivity-tests`, {});
    expect(sim.counters.requests).toBeGreaterThan(0);
  });

  it("keeps the password for the same host (another path, another letter case), and takes a new one anywhere", async () => {
    const id = await newProfile("Basic same");
    await s.admin.put(`/profiles/${id}/mailbox-access`, basic({ password: PASSWORD }));
    const samePlace = await s.admin.put(
      `/profiles/${id}/mailbox-access`,
      basic({
        ewsUrl: sim.ewsUrl.replace("/EWS/Exchange.asmx", "/ews/exchange.asmx"),
        accountLogon: DEMO.serviceAccount.logon.toUpperCase(),
      }),
    );
    expect(samePlace.status).toBe(200);
    expect(samePlace.body.data.passwordSet).toBe(true);
    const moved = await s.admin.put(
      `/profiles/${id}/mailbox-access`,
      basic({ ewsUrl: sim.ewsUrl.replace("127.0.0.1", "localhost"), password: PASSWORD }),
    );
    expect(moved.status).toBe(200);
  });

  it("refuses a changed tenant, app or EWS host of an app-only type without its secret", async () => {
    const id = await newProfile("App-only");
    const app = (extra: Record<string, unknown> = {}) => ({
      type: "ews-app-only",
      tenantId: TENANT,
      clientId: APP,
      ewsUrl: sim.ewsUrl,
      ...extra,
    });
    expect(
      (await s.admin.put(`/profiles/${id}/mailbox-access`, app({ clientSecret: "app-secret-123" }))).status,
    ).toBe(200);
    for (const change of [
      { tenantId: "contoso.onmicrosoft.com" },
      { clientId: "99999999-2222-4333-8444-555555555555" },
      { ewsUrl: sim.ewsUrl.replace("127.0.0.1", "localhost") },
    ]) {
      const res = await s.admin.put(`/profiles/${id}/mailbox-access`, app(change));
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ path: "clientSecret", code: "SecretNotBound" });
      expect(res.body.error.details[0].message).toMatch(/^Enter the client secret again to use it with /);
    }
    const scope = await s.admin.put(
      `/profiles/${id}/mailbox-access`,
      app({ scopeGroup: "sync@contoso.com" }),
    );
    expect(scope.status).toBe(200);
    // Another type never inherits the secret.
    const graph = await s.admin.put(`/profiles/${id}/mailbox-access`, {
      type: "graph-app-only",
      tenantId: TENANT,
      clientId: APP,
    });
    expect(graph.status).toBe(400);
  });

  it("wipes the OAuth token cache, audited, when the EWS host changes", async () => {
    const id = await newProfile("OAuth");
    const put = await s.admin.put(`/profiles/${id}/mailbox-access`, {
      type: "ews-oauth-impersonation",
      ewsUrl: sim.ewsUrl,
    });
    expect(put.status).toBe(200);
    // A connected account, as Connect account leaves it.
    const account = {
      upn: DEMO.serviceAccount.logon,
      tenantId: TENANT,
      objectId: "oid",
      connectedAt: new Date().toISOString(),
      lastRefreshAt: null,
    };
    const row = await rowOf(id);
    await updateMailboxAccess(s.ctx, id, {
      settings: { ...(JSON.parse(row.settings) as object), account },
      sealedSecret: s.ctx.sealer.seal(
        JSON.stringify({ tokenCache: '{"RefreshToken":{}}', homeAccountId: "h", account }),
        id,
      ),
    });
    const samePlace = await s.admin.put(`/profiles/${id}/mailbox-access`, {
      type: "ews-oauth-impersonation",
      ewsUrl: sim.ewsUrl,
    });
    expect(samePlace.body.data.connectedAccount).toMatchObject({ upn: DEMO.serviceAccount.logon });

    const moved = await s.admin.put(`/profiles/${id}/mailbox-access`, {
      type: "ews-oauth-impersonation",
      ewsUrl: sim.ewsUrl.replace("127.0.0.1", "localhost"),
    });
    expect(moved.status).toBe(200);
    expect(moved.body.data.connectedAccount).toBeNull();
    expect(moved.body.warnings.join(" ")).toMatch(/Choose Connect account/);
    const stored = await rowOf(id);
    expect(
      stored.sealedSecret === null || !s.ctx.sealer.open(stored.sealedSecret, id).includes("RefreshToken"),
    ).toBe(true);
    const audit = (await auditEvents(s.ctx, { action: "mailbox-access.update", profileId: id })).at(-1)!;
    expect(JSON.parse(audit.after!)).toMatchObject({ secretDropped: true });
  });
});
