import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { HttpAnswer, HttpRequest } from "../server/ews/transport";
import { auditEvents } from "./factories/audit";
import { mailboxAccessRow, updateMailboxAccess } from "./factories/mailbox-access";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "./helpers/server";

announcePostgresSkip();

const LOGON = "svc-sync@contoso.com";
const PASSWORD = "Stored-Pass-1!";
const BASIC = `Basic ${Buffer.from(`${LOGON}:${PASSWORD}`).toString("base64")}`;
const pox = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account>${inner}</Account></Response></Autodiscover>`;
const CHALLENGE: Partial<HttpAnswer> = {
  status: 401,
  challenges: ["Negotiate", "NTLM", 'Basic realm="x"'],
};

/**
 * POST /autodiscover with a profileId lends the profile's stored password. An Exchange answering per host
 * (the transport is replaced: no traffic leaves), recording which hosts received the password.
 */
describe.each(testDatabases())("autodiscover with a profile's credentials on %s", (dialect) => {
  let s: TestServer;
  let profileId: string;
  const received: { host: string; authorization?: string }[] = [];
  const leakedTo = (host: string) => received.filter((r) => r.host === host && r.authorization);

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    profileId = (await s.admin.post("/profiles", { name: `Autodiscover ${dialect}` })).body.data.id;
    vi.spyOn(s.ctx.services.ews.transport, "request").mockImplementation((req: HttpRequest) => {
      const host = new URL(req.url).hostname;
      const authorization = req.headers?.Authorization;
      received.push({ host, authorization });
      const signedIn = authorization === BASIC;
      const answer: Partial<HttpAnswer> =
        host === "contoso.com" || host === "autodiscover.contoso.com"
          ? signedIn
            ? {
                status: 200,
                body: pox(
                  "<Action>redirectUrl</Action><RedirectUrl>https://mail.elsewhere.example/autodiscover/autodiscover.xml</RedirectUrl>",
                ),
              }
            : CHALLENGE
          : host === "mail.elsewhere.example" && signedIn
            ? {
                status: 200,
                body: pox(
                  "<Action>settings</Action><Protocol><Type>EXPR</Type><EwsUrl>https://mail.elsewhere.example/EWS/Exchange.asmx</EwsUrl></Protocol>",
                ),
              }
            : host === "broken.contoso.com"
              ? { status: 302, headers: { location: "https://[::1" } }
              : CHALLENGE;
      return Promise.resolve({ status: 200, headers: {}, challenges: [], body: "", ...answer });
    });
    // Saved before the spy mattered: the PUT checks the EWS URL's name, which doesn't resolve here.
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: LOGON,
      password: PASSWORD,
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await s.close();
  });

  const auditOf = () => auditEvents(s.ctx, { action: "autodiscover.with-credentials", profileId });

  it("never sends them to the domain of the address asked about", async () => {
    received.length = 0;
    const res = await s.admin.post("/autodiscover", { email: "ceo@evil.example", profileId });
    expect(res.status).toBe(200);
    expect(received.length).toBeGreaterThan(0);
    expect(received.filter((r) => r.authorization)).toEqual([]);
    expect(res.body.data).toMatchObject({ ewsUrl: null, sentTo: [] });
    expect(res.body.data.steps[0].code).toBe("AutodiscoverCredentialsWithheld");
  });

  it("sends them to the logon's domain after a 401 offering Basic, and asks before a redirect's host", async () => {
    received.length = 0;
    const res = await s.admin.post("/autodiscover", { email: "jane@contoso.com", profileId });
    expect(res.status).toBe(200);
    expect(leakedTo("contoso.com")).toHaveLength(1);
    expect(received[0]).toEqual({ host: "contoso.com", authorization: undefined });
    expect(leakedTo("mail.elsewhere.example")).toEqual([]);
    expect(res.body.data.confirmRedirect).toEqual({
      host: "mail.elsewhere.example",
      url: "https://mail.elsewhere.example/autodiscover/autodiscover.xml",
    });
    expect(res.text).not.toContain(PASSWORD);

    received.length = 0;
    const confirmed = await s.admin.post("/autodiscover", {
      email: "jane@contoso.com",
      profileId,
      confirmHost: "MAIL.elsewhere.example",
    });
    expect(confirmed.body.data.ewsUrl).toBe("https://mail.elsewhere.example/EWS/Exchange.asmx");
    expect(leakedTo("mail.elsewhere.example")).toHaveLength(1);

    const audit = await auditOf();
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
    const last = JSON.parse(audit.at(-1)!.after!) as Record<string, unknown>;
    expect(last).toMatchObject({
      accountLogon: LOGON,
      sentTo: ["contoso.com", "mail.elsewhere.example"],
      confirmedHost: "mail.elsewhere.example",
    });
    expect(audit.at(-1)!.actor).toBe("admin@example.com");
  });

  it("answers a malformed redirect or an IP-literal address as a failed step, never a 500", async () => {
    for (const email of ["x@broken.contoso.com", "x@127.0.0.1", "x@[::1]"]) {
      const res = await s.admin.post("/autodiscover", { email, profileId });
      expect(res.status, email).toBeLessThan(500);
    }
    const broken = await s.admin.post("/autodiscover", { email: "x@broken.contoso.com", profileId });
    expect(broken.body.data.steps[0]).toMatchObject({ status: "failed", code: "AutodiscoverBadRedirect" });
  });
});

/**
 * A basic access saved before the EWS URL was required has none: its connectivity test autodiscovers one,
 * and the stored password must not follow the answer to a host it wasn't entered for.
 */
describe.each(testDatabases())("a stored access without an EWS URL on %s", (dialect) => {
  let s: TestServer;
  const received: { host: string; authorization?: string }[] = [];

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    vi.spyOn(s.ctx.services.ews.transport, "request").mockImplementation((req: HttpRequest) => {
      const host = new URL(req.url).hostname;
      const authorization = req.headers?.Authorization;
      received.push({ host, authorization });
      const answer: Partial<HttpAnswer> =
        host === "autodiscover.contoso.com" && authorization === BASIC
          ? {
              status: 200,
              body: pox(
                "<Action>settings</Action><Protocol><Type>EXPR</Type><EwsUrl>https://mail.elsewhere.example/EWS/Exchange.asmx</EwsUrl></Protocol>",
              ),
            }
          : CHALLENGE;
      return Promise.resolve({ status: 200, headers: {}, challenges: [], body: "", ...answer });
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await s.close();
  });

  it("fails the step naming the host instead of sending the password there", async () => {
    const profileId = (await s.admin.post("/profiles", { name: `Legacy ${dialect}` })).body.data.id as string;
    const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: LOGON,
      password: PASSWORD,
      ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    });
    expect(put.status).toBe(200);
    // As a row from before the EWS URL was required looks.
    const row = await mailboxAccessRow(s.ctx, profileId);
    const { ewsUrl: _dropped, ...legacy } = JSON.parse(row.settings) as Record<string, unknown>;
    await updateMailboxAccess(s.ctx, profileId, { settings: legacy });
    await s.admin.post(`/profiles/${profileId}/users`, { text: "alex.vance@contoso.com" });

    const res = await s.admin.post(`/profiles/${profileId}/connectivity-tests`, {});
    expect(res.status).toBe(200);
    const steps = res.body.data.steps as { name: string; status: string; code?: string; detail: string }[];
    const refused = steps.find((step) => step.code === "SecretNotBound");
    expect(refused).toMatchObject({ name: "Resolve EWS URL", status: "failed" });
    expect(refused?.detail).toContain("mail.elsewhere.example");
    expect(received.filter((r) => r.host === "mail.elsewhere.example")).toEqual([]);
    expect(received.some((r) => r.host === "autodiscover.contoso.com" && r.authorization === BASIC)).toBe(
      true,
    );
  });
});
