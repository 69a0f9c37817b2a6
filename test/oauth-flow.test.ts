import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  announcePostgresSkip,
  freshSchema,
  startTestServer,
  testDatabases,
  type ApiResponse,
  type DialectName,
  type TestServer,
} from "./helpers/server";
import { TEST_ACCOUNTS } from "./idp";
import {
  freePort,
  NO_UPN_ACCOUNT,
  PopupBrowser,
  SERVICE_ACCOUNT,
  serverEnvFor,
  startOAuthStack,
  type OAuthStack,
} from "./oauth-helpers";
import { auditEvents } from "./factories/audit";
import { checkHistory } from "./factories/checks";
import { mailboxAccessRows, oauthAuthorizationRows } from "./factories/mailbox-access";
import { tableRows } from "./factories/tables";
import { advanceProcessClock, restoreProcessClock } from "./helpers/process-clock";

announcePostgresSkip();

/** Access tokens live 10 s here; the tests move the process clock past that to reach the refresh path. */
const ACCESS_TOKEN_TTL = 10;
const USERS = ["adele.vance@contoso.com", "alex.vance@contoso.com"];

describe.each(testDatabases())(
  "Connect account (OAuth impersonated logon) end to end on %s",
  (dialect: DialectName) => {
    let stack: OAuthStack;
    let s: TestServer;
    let env: Record<string, string>;
    let profileId: string;
    let userIds: string[];
    const sqliteFile = path.join(mkdtempSync(path.join(tmpdir(), "msa-oauth-")), "db.sqlite");
    const schema = dialect === "postgres" ? freshSchema() : undefined;
    /** Every API answer and page the tests saw: none may hold a token. */
    const seen: string[] = [];
    const logsBefore: string[] = [];

    const start = () =>
      startTestServer({ dialect, env, sqliteFile, pgSchema: schema?.schema, keepSchema: true });
    const record = <T extends ApiResponse>(r: T): T => {
      seen.push(r.text);
      return r;
    };
    const startLink = () =>
      s.admin.post(`/profiles/${profileId}/oauth/start`, { expectedUpn: SERVICE_ACCOUNT.upn.toUpperCase() });
    const connect = async (browser = new PopupBrowser(stack.idp.caFile)) => {
      const started = record(await startLink());
      expect(started.status).toBe(200);
      const page = await browser.openConnectLink(started.body.data.url);
      seen.push(page.body);
      return { page, browser, url: started.body.data.url as string };
    };
    const checkUsers = async () => record(await s.admin.post(`/profiles/${profileId}/checks`, { userIds }));

    beforeAll(async () => {
      stack = await startOAuthStack({ accessTokenTtl: ACCESS_TOKEN_TTL });
      env = await serverEnvFor(stack.idp, await freePort());
      s = await start();
      profileId = record(await s.admin.post("/profiles", { name: `OAuth ${dialect}` })).body.data.id;
      record(await s.admin.post(`/profiles/${profileId}/users`, { text: USERS.join("\n") }));
      const users = record(await s.admin.get(`/profiles/${profileId}/users`)).body.data as { id: string }[];
      userIds = users.map((u) => u.id);
      const put = record(
        await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
          type: "ews-oauth-impersonation",
          ewsUrl: stack.sim.ewsUrl,
        }),
      );
      expect(put.status).toBe(200);
    }, 60_000);
    afterAll(async () => {
      restoreProcessClock();
      await s?.close();
      await schema?.drop();
      await stack?.close();
    });

    it("should require authentication to start or disconnect", async () => {
      expect((await s.anonymous.post(`/profiles/${profileId}/oauth/start`)).status).toBe(401);
      expect((await s.anonymous.delete(`/profiles/${profileId}/oauth`)).status).toBe(401);
    });

    it("shows no account before Connect account, and a check says to connect", async () => {
      const view = record(await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data;
      expect(view).toMatchObject({
        type: "ews-oauth-impersonation",
        ewsUrl: stack.sim.ewsUrl,
        connectedAccount: null,
      });
      const checked = await checkUsers();
      expect(checked.body.data[0].error.code).toBe("OAuthNotConnected");
    });

    it("connects the service account: select_account + PKCE at the authority, the account named on the page and recorded", async () => {
      const { page, browser } = await connect();
      const authorize = browser.hops.find((h) => h.url.startsWith(`${stack.idp.issuer}/auth?`))!;
      const params = new URL(authorize.url).searchParams;
      expect(params.get("prompt")).toBe("select_account");
      expect(params.get("code_challenge_method")).toBe("S256");
      expect(params.get("scope")!.split(" ")).toEqual(
        expect.arrayContaining(["https://127.0.0.1/EWS.AccessAsUser.All", "offline_access"]),
      );
      expect(page.status).toBe(200);
      expect(page.body).toContain("Connected as <strong>svc-sync@contoso.com</strong>");
      // The link's first page named the profile, the admin who asked and the account expected.
      const first = browser.hops[0];
      expect(first.status).toBe(200);
      expect(first.body).toContain(
        `<strong>admin@example.com</strong> asked to connect the service account <strong>svc-sync@contoso.com</strong> to the profile <strong>OAuth ${dialect}</strong>`,
      );
      const view = record(await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data;
      expect(view.connectedAccount).toMatchObject({
        upn: SERVICE_ACCOUNT.upn,
        tenantId: SERVICE_ACCOUNT.tid,
        objectId: SERVICE_ACCOUNT.oid,
        lastRefreshAt: null,
      });
      expect(stack.idp.counters.grants.authorization_code).toBe(1);
      const audit = await auditEvents(s.ctx, { action: "mailbox-access.oauth.connect" });
      expect(audit).toHaveLength(1);
      expect(audit[0].actor).toBe("admin@example.com");
    });

    it("passes the connectivity test and checks over OAuth", async () => {
      const test = record(
        await s.admin.post(`/profiles/${profileId}/connectivity-tests`, { targetUser: USERS[0] }),
      );
      expect(test.status).toBe(200);
      const steps = test.body.data.steps as { name: string; status: string }[];
      expect(steps.filter((x) => x.status === "failed")).toEqual([]);
      expect(steps.map((x) => x.name)).toEqual(
        expect.arrayContaining([
          "Get a token for the service account",
          "Authenticate",
          `Impersonate ${USERS[0]}`,
        ]),
      );
      const checked = await checkUsers();
      expect(checked.body.data.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
    });

    it("a second instance on the same store serves the one-time URL and uses the shared token cache", async () => {
      // Same BASE_URL (as behind a load balancer), another port: the popup's first URL lands on B, the callback on A.
      const b = await startTestServer({
        dialect,
        env: { ...env, PORT: String(await freePort()) },
        sqliteFile,
        pgSchema: schema?.schema,
        keepSchema: true,
      });
      try {
        const started = record(await startLink());
        const onB = started.body.data.url.replace(env.BASE_URL, b.url.replace("localhost", "127.0.0.1"));
        const browser = new PopupBrowser(stack.idp.caFile);
        const page = await browser.openConnectLink(onB);
        seen.push(page.body);
        expect(page.status).toBe(200);
        expect(browser.hops[0].status).toBe(200);
        expect(browser.hops[1].status).toBe(302);
        expect(page.url.startsWith(env.BASE_URL)).toBe(true);
        const checked = record(await b.admin.post(`/profiles/${profileId}/checks`, { userIds }));
        expect(checked.body.data.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
        logsBefore.push(...b.logs);
      } finally {
        await b.close();
      }
    }, 30_000);

    it("after a restart on the same store, once the access token expired, a check passes through a refresh-token grant", async () => {
      logsBefore.push(...s.logs);
      // The restart reuses the port (the redirect URI): fetch must drop its sockets to the old server first.
      await s.closeForRestart();
      s = await start();
      const refreshesBefore = stack.idp.counters.grants.refresh_token ?? 0;
      advanceProcessClock(ACCESS_TOKEN_TTL * 1000 + 500); // the access token expired, at the provider and in msal
      const checked = await checkUsers();
      expect(checked.body.data.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
      expect(stack.idp.counters.grants.refresh_token).toBe(refreshesBefore + 1);
      const view = record(await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data;
      expect(view.connectedAccount.lastRefreshAt).toEqual(expect.any(String));
    }, 30_000);

    it("fails with a Reconnect remediation once the grant is revoked at the provider, and Reconnect works", async () => {
      expect(stack.idp.revokeGrants(SERVICE_ACCOUNT)).toBeGreaterThan(0);
      advanceProcessClock(ACCESS_TOKEN_TTL * 1000 + 500); // the access token expired, at the provider and in msal
      const failed = await checkUsers();
      const error = failed.body.data[0].error;
      expect(error.code).toBe("OAuthGrantRevoked");
      expect(error.remediation).toContain("Reconnect");
      const test = record(
        await s.admin.post(`/profiles/${profileId}/connectivity-tests`, { targetUser: USERS[0] }),
      );
      const tokenStep = test.body.data.steps.find(
        (x: { name: string }) => x.name === "Get a token for the service account",
      );
      expect(tokenStep).toMatchObject({ status: "failed", code: "OAuthGrantRevoked" });

      const { page } = await connect();
      expect(page.body).toContain("svc-sync@contoso.com");
      const checked = await checkUsers();
      expect(checked.body.data.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
    }, 30_000);

    it("coalesces concurrent token requests of a profile into one refresh-token grant", async () => {
      advanceProcessClock(ACCESS_TOKEN_TTL * 1000 + 500); // the access token expired, at the provider and in msal
      const before = stack.idp.counters.grants.refresh_token ?? 0;
      const opened = await s.ctx.services.mailboxAccess.open(profileId);
      const secret = opened!.config.secret as { homeAccountId: string };
      const oauth = s.ctx.services.mailboxAccess.registry.deps.oauth!;
      const request = {
        profileId,
        homeAccountId: secret.homeAccountId,
        upn: SERVICE_ACCOUNT.upn,
        ewsUrl: stack.sim.ewsUrl,
      };
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => oauth.accessToken(request)));
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(new Set(outcomes.map((o) => (o.ok ? o.accessToken : "")))).toHaveProperty("size", 1);
      expect(stack.idp.counters.grants.refresh_token).toBe(before + 1);
    }, 30_000);

    it("says Exchange refused a valid token (EWS 401) with a Reconnect remediation", async () => {
      stack.sim.faults.byAccount[SERVICE_ACCOUNT.upn] = "unauthorized";
      try {
        const error = (await checkUsers()).body.data[0].error;
        expect(error.code).toBe("OAuthEwsRefusedToken");
        expect(error.remediation).toContain("Reconnect");
      } finally {
        delete stack.sim.faults.byAccount[SERVICE_ACCOUNT.upn];
      }
    });

    it("refuses a used one-time URL, a replayed callback, a tampered state and a callback in another browser", async () => {
      const { browser, url } = await connect();
      const used = await new PopupBrowser(stack.idp.caFile).get(url);
      expect(used.status).toBe(410);
      expect((await new PopupBrowser(stack.idp.caFile).get(`${url}/continue`)).status).toBe(410);
      const callback = browser.hops.find((h) => h.url.includes("/api/v1/oauth/callback"))!;
      const replay = await browser.get(callback.url, { msa_oauth_binding: "browser.x" });
      expect(replay.status).toBe(400);
      expect(replay.body).toContain("OAuthStateRefused");

      const started = record(await startLink());
      const other = new PopupBrowser(stack.idp.caFile);
      const before = await other.openConnectLink(started.body.data.url, (next) =>
        next.includes("/api/v1/oauth/callback"),
      );
      const tampered = new URL(before.location!);
      tampered.searchParams.set("state", `${tampered.searchParams.get("state")}x`);
      expect((await other.get(tampered.toString())).status).toBe(400);
      const elsewhere = await new PopupBrowser(stack.idp.caFile).get(before.location!);
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body).toContain("OAuthBrowserMismatch");
      // The state was consumed by that attempt: even the right browser can't use it now.
      expect((await other.get(before.location!)).status).toBe(400);
    }, 30_000);

    /** Opens a fresh link and signs in as `account` at select_account (the provider signs in whom the interaction names). */
    const signInAs = async (account: string, expectedUpn = SERVICE_ACCOUNT.upn) => {
      const started = record(await s.admin.post(`/profiles/${profileId}/oauth/start`, { expectedUpn }));
      const browser = new PopupBrowser(stack.idp.caFile);
      const atInteraction = await browser.openConnectLink(started.body.data.url, (next) =>
        next.includes("/interaction/"),
      );
      const page = await browser.follow(`${atInteraction.location!}?account=${account}`);
      seen.push(page.body);
      return page;
    };
    const refusals = () => auditEvents(s.ctx, { action: "mailbox-access.oauth.connect-refused" });

    it("needs the expected account's UPN to start", async () => {
      const res = await s.admin.post(`/profiles/${profileId}/oauth/start`, {});
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe("expectedUpn");
    });

    it("refuses another account than the one the admin named, audited, and keeps the connected one", async () => {
      const page = await signInAs(TEST_ACCOUNTS.platformAdmin.key);
      expect(page.status).toBe(403);
      expect(page.body).toContain("OAuthWrongAccount");
      expect(page.body).toContain(
        `${TEST_ACCOUNTS.platformAdmin.upn} signed in, but admin@example.com asked for svc-sync@contoso.com`,
      );
      const refused = (await refusals()).at(-1)!;
      expect(JSON.parse(refused.after!)).toMatchObject({
        reason: "OAuthWrongAccount",
        signedIn: TEST_ACCOUNTS.platformAdmin.upn,
      });
      expect(refused.target).toBe("svc-sync@contoso.com");
      const view = record(await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data;
      expect(view.connectedAccount.upn).toBe(SERVICE_ACCOUNT.upn);
    });

    it("refuses a token without upn, even when its preferred_username is the expected account", async () => {
      const page = await signInAs(NO_UPN_ACCOUNT.key);
      expect(page.status).toBe(403);
      expect(page.body).toContain("OAuthUpnMissing");
      expect(page.body).toContain("Add optional claim &#62; ID &#62; upn");
      expect(JSON.parse((await refusals()).at(-1)!.after!)).toMatchObject({
        reason: "OAuthUpnMissing",
        signedIn: null,
      });
    });

    it("refuses an account of another tenant and keeps the connected one", async () => {
      // Its UPN is the one the admin named: the tenant check still refuses it.
      const page = await signInAs(TEST_ACCOUNTS.otherTenantUser.key, TEST_ACCOUNTS.otherTenantUser.upn);
      expect(page.status).toBe(403);
      expect(page.body).toContain("OAuthWrongTenant");
      const view = record(await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data;
      expect(view.connectedAccount.upn).toBe(SERVICE_ACCOUNT.upn);
    });

    it("disconnects: wipes the cache, audited, and checks say to connect", async () => {
      const res = record(await s.admin.delete(`/profiles/${profileId}/oauth`));
      expect(res.status).toBe(204);
      const view = record(await s.admin.get(`/profiles/${profileId}/mailbox-access`)).body.data;
      expect(view.connectedAccount).toBeNull();
      const opened = await s.ctx.services.mailboxAccess.open(profileId);
      expect((opened!.config.secret as { tokenCache: string | null }).tokenCache).toBeNull();
      expect((await checkUsers()).body.data[0].error.code).toBe("OAuthNotConnected");
      const audit = await auditEvents(s.ctx, { action: "mailbox-access.oauth.disconnect" });
      expect(audit).toHaveLength(1);
    });

    it("never shows a token or refresh token in an API answer, a log line or the database", async () => {
      // Reconnect to have tokens to look for, then read them from the sealed cache.
      await connect();
      await checkUsers();
      const opened = await s.ctx.services.mailboxAccess.open(profileId);
      const cache = JSON.parse((opened!.config.secret as { tokenCache: string }).tokenCache) as Record<
        string,
        Record<string, { secret: string }>
      >;
      const secrets = [
        ...Object.values(cache.AccessToken ?? {}),
        ...Object.values(cache.RefreshToken ?? {}),
        ...Object.values(cache.IdToken ?? {}),
      ].map((e) => e.secret);
      expect(secrets.length).toBeGreaterThanOrEqual(3);
      const rows = JSON.stringify([
        await mailboxAccessRows(s.ctx),
        await oauthAuthorizationRows(s.ctx),
        await auditEvents(s.ctx),
        await tableRows(s.ctx.store, "connectivity_tests"),
        await checkHistory(s.ctx),
      ]);
      const logs = [...logsBefore, ...s.logs].join("");
      for (const secret of secrets) {
        expect(rows).not.toContain(secret);
        expect(logs).not.toContain(secret);
        for (const text of seen) expect(text).not.toContain(secret);
      }
      expect(logs).not.toMatch(/\/oauth\/go\/[A-Za-z0-9_-]{20,}/);
    });
  },
);
