import { namedUserAddresses } from "../server/jobs/testing/factories";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { jobEvents } from "./helpers/job-events";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "./helpers/server";

announcePostgresSkip();

const TOKEN = "metrics-token-0123456789abcdef0123456789abcdef";
const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
const T = "http://schemas.microsoft.com/exchange/services/2006/types";
const soap = (operation: string, inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="${T}" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header><soap:Body><m:${operation}>${inner}</m:${operation}></soap:Body></soap:Envelope>`;
const getInbox = soap(
  "GetFolder",
  `<m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds>`,
);
const deleteItem = soap("DeleteItem", `<m:ItemIds><t:ItemId Id="AAA="/></m:ItemIds>`);

/** The value of one sample (`name{labels} value`), or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(testDatabases())("Prometheus metrics on %s", (dialect) => {
  let off: TestServer;
  let s: TestServer;
  let sim: ExchangeSimulator;
  let profileId: string;
  let key: string;
  let readOnlyKey: string;
  let addresses: string[];
  let userIds: string[];

  const scrape = (token: string | null = TOKEN, server = s) =>
    fetch(`${server.url}/metrics`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  const text = async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    return res.text();
  };
  const gateway = (address: string, body: string, bearer = key) =>
    fetch(`${s.url}/api/v1/sync/mailboxes/${encodeURIComponent(address)}/ews`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "text/xml; charset=utf-8" },
      body,
    });

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 20 }) });
    // Two servers in one process, one with metrics: each has a registry of its own.
    [off, s] = await Promise.all([
      startTestServer({ dialect }),
      startTestServer({ dialect, env: { EWS_ALLOWED_HOSTS: "127.0.0.1", METRICS_TOKEN: TOKEN } }),
    ]);
    profileId = (await s.admin.post("/profiles", { name: "Metrics Profile Secret-Name" })).body.data.id;
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: DEMO.serviceAccount.logon,
      password: DEMO.serviceAccount.password,
      ewsUrl: sim.ewsUrl,
    });
    expect(put.status).toBe(200);
    addresses = namedUserAddresses(sim.tenant, 3);
    const added = await s.admin.post(`/profiles/${profileId}/users`, { text: addresses.join("\n") });
    expect(added.status).toBe(200);
    const users = await s.admin.get(`/profiles/${profileId}/users`);
    userIds = (users.body.data as { id: string }[]).map((u) => u.id);
    expect(userIds).toHaveLength(3);
    key = (await s.admin.post("/service-keys", { name: "crm", scopes: ["ews:read", "ews:write"] })).body.data
      .key;
    readOnlyKey = (await s.admin.post("/service-keys", { name: "reader", scopes: ["ews:read"] })).body.data
      .key;
  });
  afterAll(async () => {
    await Promise.all([off?.close(), s?.close()]);
    await sim?.close();
  });

  it("is off without METRICS_TOKEN: 404 whatever is sent, not the panel's page", async () => {
    for (const token of [null, TOKEN, "wrong"]) {
      const res = await scrape(token, off);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("<");
    }
  });

  it("refuses a scrape without the token or with a wrong one (401), and logs it at most once a minute", async () => {
    const none = await scrape(null);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    for (const wrong of ["wrong", TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase()]) {
      expect((await scrape(wrong)).status).toBe(401);
    }
    const basic = await fetch(`${s.url}/metrics`, { headers: { authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
    expect(s.logs.filter((l) => l.includes("metrics scrape refused"))).toHaveLength(1);
  });

  it("answers the Prometheus text format (0.0.4) with process metrics, not logged one line per scrape", async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(PROMETHEUS_TEXT);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.text();
    expect(body).toContain("# TYPE process_cpu_user_seconds_total counter");
    expect(body).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");
    expect(body).toContain("# TYPE mailbox_sync_checks_total counter");
    expect(body).toContain("# TYPE mailbox_sync_upstream_response_seconds histogram");
    expect(body).toContain("# TYPE mailbox_sync_gateway_requests_total counter");
    // The stalled rule's count (server/store/stalled-repo.ts), read at scrape time: none stalled here.
    expect(body).toMatch(/^mailbox_sync_stalled_mailboxes 0$/m);
    expect(s.logs.some((l) => l.includes('"url":"/metrics"'))).toBe(false);
  });

  it("counts a check now and a connectivity test by access type and outcome, and the EWS calls they made", async () => {
    const before = await text();
    const checked = await s.admin.post(`/profiles/${profileId}/checks`, { userIds: [userIds[0]] });
    expect(checked.status).toBe(200);
    expect(checked.body.data[0].ok).toBe(true);
    const tested = await s.admin.post(`/profiles/${profileId}/connectivity-tests`, {});
    expect(tested.status).toBe(200);
    const after = await text();
    const ok = 'mailbox_sync_checks_total{access_type="ews-basic-impersonation",outcome="ok"}';
    expect((sample(after, ok) ?? 0) - (sample(before, ok) ?? 0)).toBe(1);
    const passed =
      'mailbox_sync_connectivity_tests_total{access_type="ews-basic-impersonation",outcome="passed"}';
    expect(sample(after, passed)).toBe(1);
    const calls = 'mailbox_sync_upstream_requests_total{api="ews",outcome="success"}';
    expect(sample(after, calls)!).toBeGreaterThan(sample(before, calls) ?? 0);
    const timed = 'mailbox_sync_upstream_response_seconds_count{api="ews"}';
    expect(sample(after, timed)!).toBeGreaterThan(sample(before, timed) ?? 0);
  });

  it("counts an activation's job items and jobs by state", async () => {
    const started = await s.admin.post(`/profiles/${profileId}/jobs`, { kind: "activate-profile" });
    expect(started.status).toBe(202);
    let last: { state?: string } = {};
    for await (const { job } of jobEvents<{ state: string }>(s.admin, started.body.data.id)) last = job;
    expect(last.state).toBe("done");
    const body = await text();
    expect(sample(body, 'mailbox_sync_job_items_total{kind="activate-profile",outcome="ok"}')).toBe(3);
    expect(sample(body, 'mailbox_sync_jobs{state="done"}')).toBe(1);
  });

  it("counts gateway calls by the scope they needed and their outcome", async () => {
    const before = await text();
    const read = await gateway(addresses[1], getInbox);
    expect(read.status).toBe(200);
    await read.text();
    const refused = await gateway(addresses[1], deleteItem, readOnlyKey);
    expect(refused.status).toBe(500);
    expect(refused.headers.get("x-mailbox-sync-refused")).toBe("DeleteItem");
    await refused.text();
    const badKey = await gateway(addresses[1], getInbox, "msk_not-a-key");
    expect(badKey.status).toBe(401);
    await badKey.text();
    const after = await text();
    const moved = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(moved('mailbox_sync_gateway_requests_total{gateway="ews",scope="ews:read",outcome="ok"}')).toBe(1);
    expect(
      moved('mailbox_sync_gateway_requests_total{gateway="ews",scope="ews:write",outcome="refused"}'),
    ).toBe(1);
    expect(moved('mailbox_sync_gateway_requests_total{gateway="ews",scope="none",outcome="refused"}')).toBe(
      1,
    );
  });

  it("names no mailbox, user, profile, account or secret", async () => {
    const body = await text();
    const forbidden = [
      ...addresses,
      ...addresses.map((a) => encodeURIComponent(a)),
      ...userIds,
      profileId,
      "Secret-Name",
      DEMO.serviceAccount.logon,
      DEMO.serviceAccount.password,
      key,
      readOnlyKey,
      TOKEN,
      "contoso",
      "@",
    ];
    for (const value of forbidden) expect(body, value).not.toContain(value);
    // Every label of the product's metrics is one of the bounded sets OPERATIONS.md documents.
    const own = body.split("\n").filter((l) => l.startsWith("mailbox_sync_"));
    const labels = new Set(own.flatMap((l) => [...l.matchAll(/(\w+)="[^"]*"/g)].map((m) => m[1])));
    for (const label of labels) {
      expect(["access_type", "outcome", "code", "api", "kind", "state", "gateway", "scope", "le"]).toContain(
        label,
      );
    }
  });
});
