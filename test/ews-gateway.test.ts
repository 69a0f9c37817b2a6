import { namedUserAddresses } from "../server/jobs/testing/factories";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { mailboxAccessRow, updateMailboxAccess } from "./factories/mailbox-access";
import { insertUsers, insertUsersAt } from "./factories/users";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "./helpers/server";
import { finishedJob } from "./helpers/job-events";

announcePostgresSkip();

const T = "http://schemas.microsoft.com/exchange/services/2006/types";
const getInbox = (header = "") =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="${T}" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013"/>${header}</soap:Header><soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`;

describe.each(testDatabases())("EWS gateway for the sync service on %s", (dialect) => {
  let s: TestServer;
  let sim: ExchangeSimulator;
  let profileId: string;
  let key: string;
  let addresses: string[];

  const gateway = (address: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${s.url}/api/v1/sync/mailboxes/${encodeURIComponent(address)}/ews`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "text/xml; charset=utf-8", ...headers },
      body,
    });

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 40 }) });
    s = await startTestServer({ dialect, env: { EWS_ALLOWED_HOSTS: "127.0.0.1" } });
    profileId = (await s.admin.post("/profiles", { name: "Gateway" })).body.data.id;
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    });
    expect(put.status).toBe(200);
    addresses = namedUserAddresses(sim.tenant, 30);
    const now = new Date().toISOString();
    await insertUsersAt(s.ctx, profileId, addresses, {
      idOf: (i) => `gw-${dialect}-${i}`,
      state: "active",
      mailboxKind: "user",
      lastCheckedAt: now,
    });
    await insertUsers(s.ctx, profileId, 1, {
      state: "paused",
      prefix: "paused",
      domain: "contoso.com",
    });
    key = (await s.admin.post("/service-keys", { name: "crm", scopes: ["ews:proxy", "roster:read"] })).body
      .data.key;
  });
  afterAll(async () => {
    await s.close();
    await sim.close();
  });

  it("forwards a SOAP request as the service account impersonating the mailbox, and answers Exchange's response", async () => {
    sim.resetCounters();
    const res = await gateway(addresses[0], getInbox());
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-mailbox-sync-profile")).toBe(profileId);
    expect(body).toContain('ResponseClass="Success"');
    expect(sim.counters.calls.map((c) => [c.account, c.target, c.operation])).toEqual([
      [DEMO.serviceAccount.logon, addresses[0], "GetFolder"],
    ]);
    expect(body).not.toContain(DEMO.serviceAccount.password);
  });

  it("replaces an impersonation header the caller sent with the mailbox in the URL", async () => {
    sim.resetCounters();
    const forged = `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${addresses[5]}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`;
    const res = await gateway(addresses[1], getInbox(forged));
    expect(res.status).toBe(200);
    expect(sim.counters.calls.map((c) => c.target)).toEqual([addresses[1]]);
  });

  it("passes Exchange's own errors through as they came (SOAP fault, HTTP 500)", async () => {
    sim.faults.byMailbox = { [addresses[2].toLowerCase()]: "moveInProgress" };
    const res = await gateway(addresses[2], getInbox());
    sim.faults.byMailbox = {};
    expect([200, 500]).toContain(res.status);
    expect(await res.text()).toContain("ErrorMailboxMoveInProgress");
  });

  it("holds a mailbox that Exchange answered ErrorServerBusy for its back-off, and only that mailbox", async () => {
    sim.faults.backOffMs = 2_000;
    sim.faults.byMailbox = { [addresses[3].toLowerCase()]: "serverBusy" };
    sim.resetCounters();
    const busy = await gateway(addresses[3], getInbox());
    const answeredBy = Date.now(); // the 2 s back-off started before this
    sim.faults.byMailbox = {};
    expect(busy.status).toBe(500);
    expect(await busy.text()).toContain("ErrorServerBusy");
    const statuses = await Promise.all(
      [addresses[3], addresses[4]].map(async (a) => (await gateway(a, getInbox())).status),
    );
    expect(statuses).toEqual([200, 200]);
    // The busy mailbox's call waited for the end of its back-off (the simulator counts any that didn't) ...
    expect(sim.counters.callsDuringBackOff.total).toBe(0);
    // ... and the other mailbox's call reached Exchange long before it (held by the profile, it would come 2 s after the answer).
    const otherAt = sim.counters.calls.filter((c) => c.target === addresses[4]).map((c) => c.at);
    expect(otherAt).toHaveLength(1);
    expect(otherAt[0]).toBeLessThan(answeredBy + 1_000);
  });

  it("refuses mailboxes that are not active, unknown, or bodies that are not SOAP, calling Exchange for none", async () => {
    sim.resetCounters();
    const paused = await gateway("paused00000@contoso.com", getInbox());
    expect(paused.status).toBe(409);
    expect((await paused.json()).error).toMatchObject({ id: "mailbox_not_active" });
    expect((await gateway("nobody@contoso.com", getInbox())).status).toBe(404);
    const malformed = await gateway(addresses[0], "<soap:Envelope><soap:Body>");
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.id).toBe("invalid_soap");
    expect((await gateway(addresses[0], getInbox(), { "content-type": "application/json" })).status).toBe(
      415,
    );
    const huge = await gateway(
      addresses[0],
      getInbox().replace("</soap:Body>", `<!--${"x".repeat(1_100_000)}--></soap:Body>`),
    );
    expect(huge.status).toBe(413);
    expect(sim.counters.requests).toBe(0);
  });

  it("answers on its own path like every API route: security headers, request id, rate-limit headers, error bodies", async () => {
    const ok = await gateway(addresses[0], getInbox());
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
    expect(ok.headers.get("content-security-policy")).toContain("frame-ancestors");
    expect(ok.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.headers.get("ratelimit")).toMatch(/r=\d+/);
    expect(ok.headers.get("x-mailbox-sync-profile")).toBe(profileId);
    sim.resetCounters();
    const noKey = await fetch(`${s.url}/api/v1/sync/mailboxes/${addresses[0]}/ews`, {
      method: "POST",
      headers: { "content-type": "text/xml" },
      body: getInbox(),
    });
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.id).toBe("invalid_service_key");
    expect((await gateway(addresses[0], getInbox(), { authorization: "Bearer msk_forged" })).status).toBe(
      401,
    );
    const latin1 = await gateway(addresses[0], getInbox(), {
      "content-type": "text/xml; charset=iso-8859-1",
    });
    expect(latin1.status).toBe(415);
    expect((await latin1.json()).error.message).toContain("UTF-8");
    expect((await gateway(addresses[0], "", {})).status).toBe(415);
    const badUrl = await fetch(`${s.url}/api/v1/sync/mailboxes/%E0%A4%A/ews`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "text/xml" },
      body: getInbox(),
    });
    expect(badUrl.status).toBe(400);
    // Other methods on the path are the API's 404, as before.
    expect(
      (
        await fetch(`${s.url}/api/v1/sync/mailboxes/${addresses[0]}/ews`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).status,
    ).toBe(404);
    expect(sim.counters.requests).toBe(0);
  });

  it("needs an EWS scope", async () => {
    const rosterOnly = (await s.admin.post("/service-keys", { name: "roster", scopes: ["roster:read"] })).body
      .data.key;
    const res = await fetch(`${s.url}/api/v1/sync/mailboxes/${addresses[0]}/ews`, {
      method: "POST",
      headers: { authorization: `Bearer ${rosterOnly}`, "content-type": "text/xml" },
      body: getInbox(),
    });
    expect(res.status).toBe(403);
  });

  it("shares the profile's concurrency with bulk jobs: Exchange never sees more than maxConcurrentConnections", async () => {
    expect((await s.admin.patch(`/profiles/${profileId}`, { maxConcurrentConnections: 3 })).status).toBe(200);
    sim.faults.latencyMs = 40;
    sim.resetCounters();
    const job = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "recheck-profile" });
    expect(job.status).toBe(202);
    const proxied = await Promise.all(
      addresses.slice(0, 20).map((a) => gateway(a, getInbox()).then((r) => r.status)),
    );
    expect(proxied.every((status) => status === 200)).toBe(true);
    await finishedJob(s.admin, job.body.data.id);
    sim.faults.latencyMs = 0;
    expect(sim.counters.byAccount[DEMO.serviceAccount.logon]).toBeGreaterThanOrEqual(20 + addresses.length);
    expect(sim.counters.peakConcurrencyByAccount[DEMO.serviceAccount.logon]).toBeLessThanOrEqual(3);
    expect(sim.counters.peakConcurrencyByAccount[DEMO.serviceAccount.logon]).toBeGreaterThanOrEqual(2);
  });

  it("uses a changed mailbox access at once, whether saved here or written by another instance", async () => {
    expect((await gateway(addresses[3], getInbox())).status).toBe(200);
    const stored = await mailboxAccessRow(s.ctx, profileId);
    // Another instance saves a wrong password: the row changes under this instance's feet.
    const wrong = s.ctx.sealer.seal(JSON.stringify({ password: "not-the-password" }), profileId);
    await updateMailboxAccess(s.ctx, profileId, { sealedSecret: wrong, version: stored.version + 1 });
    expect((await gateway(addresses[3], getInbox())).status).toBe(401);
    // Saved here with the right password again.
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    });
    expect(put.status).toBe(200);
    expect((await gateway(addresses[3], getInbox())).status).toBe(200);
    // The same secret re-sealed (key rotation): a new sealed value, the same version; still works.
    const resealed = s.ctx.sealer.seal(JSON.stringify({ password: DEMO.serviceAccount.password }), profileId);
    await updateMailboxAccess(s.ctx, profileId, { sealedSecret: resealed });
    expect((await gateway(addresses[3], getInbox())).status).toBe(200);
  });

  it("never shows the service account's password in a response or a log line", () => {
    expect(s.logs.join("\n")).not.toContain(DEMO.serviceAccount.password);
    expect(s.logs.join("\n")).not.toContain(
      Buffer.from(`${DEMO.serviceAccount.logon}:${DEMO.serviceAccount.password}`).toString("base64"),
    );
  });
});
