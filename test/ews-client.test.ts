import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import { autodiscover, credentialHostsFor } from "../server/ews/autodiscover";
import { EwsEnvironment, type EwsAccount } from "../server/ews/client";
import { FAILURES } from "../server/ews/errors";

let sim: ExchangeSimulator;
let env: EwsEnvironment;
let profileSeq = 0;

beforeAll(async () => {
  sim = await startExchangeSimulator({ tenant: demoTenant({ users: 30 }) });
  env = new EwsEnvironment({
    allowedHosts: ["127.0.0.1", "autodiscover.contoso.com"],
    resolver: () => Promise.resolve([{ address: "127.0.0.1" as const, family: 4 as const }]),
    timeoutMs: 2_000,
  });
});
afterAll(async () => {
  env.close();
  await sim.close();
});
afterEach(() => {
  sim.faults.byMailbox = {};
  sim.faults.byAccount = {};
  sim.setTenant(demoTenant({ users: 30 }));
});

/** A fresh profile id per client, so back-offs of one test don't slow another. */
function account(
  logon: string = DEMO.serviceAccount.logon,
  password: string = DEMO.serviceAccount.password,
  ewsUrl = sim.ewsUrl,
): EwsAccount {
  return { profileId: `p${++profileSeq}`, ewsUrl, credentials: { kind: "basic", logon, password } };
}

describe("EWS client against the simulator", () => {
  it("impersonates a user, binds Inbox and Calendar, and sends X-AnchorMailbox", async () => {
    const sent: { headers?: Record<string, string>; body?: string }[] = [];
    const original = env.transport.request.bind(env.transport);
    env.transport.request = (req) => (sent.push(req), original(req));
    sim.resetCounters();
    try {
      const r = await env.client(account()).check("alex.vance@contoso.com");
      expect(r).toMatchObject({ ok: true, mailboxKind: "user" });
    } finally {
      env.transport.request = original;
    }
    const bind = sent.find((x) => x.body?.includes("GetFolder"))!;
    expect(bind.headers!["X-AnchorMailbox"]).toBe("alex.vance@contoso.com");
    expect(bind.body).toMatch(/ExchangeImpersonation.*alex\.vance@contoso\.com/s);
    expect(bind.body).toMatch(/DistinguishedFolderId Id="inbox".*DistinguishedFolderId Id="calendar"/s);
    expect(
      sim.counters.calls
        .filter((c) => c.target === "alex.vance@contoso.com")
        .map((c) => [c.operation, c.outcome]),
    ).toEqual([["GetFolder", "NoError"]]);
  });

  it("tells a room from a user by room-list membership", async () => {
    expect(await env.client(account()).check("room-101@contoso.com")).toMatchObject({
      ok: true,
      mailboxKind: "room",
    });
  });

  it.each([
    [
      DEMO.blockedUser,
      "ErrorImpersonateUserDenied",
      false,
      /New-ManagementRoleAssignment .*-Role ApplicationImpersonation/,
    ],
    [DEMO.noMailboxAddress, "ErrorNonExistentMailbox", false, /Get-Recipient/],
    [DEMO.ewsDisabledUser, "ErrorAccessDenied", false, /Set-CASMailbox .* -EwsEnabled \$true/],
    [DEMO.movingUser, "ErrorMailboxMoveInProgress", true, /Get-MoveRequest/],
    ["not-an-address", "ErrorInvalidExchangeImpersonationHeaderData", false, /valid SMTP address/],
  ])("maps %s to %s with remediation", async (address, code, transient, remediation) => {
    const r = await env.client(account()).check(address);
    expect(r.ok).toBe(false);
    expect(r.failure).toMatchObject({ code, transient });
    expect(r.failure!.remediation).toMatch(remediation);
    expect(r.failure!.message).toContain(address);
  });

  it("shows the primary address when a user is given by an alias", async () => {
    const r = await env.client(account()).check(DEMO.alias);
    expect(r.failure?.code).toBe("ErrorNonPrimarySmtpAddress");
    expect(r.failure?.message).toContain(DEMO.user.address);
    expect(r.failure?.remediation).toContain(DEMO.user.address);
  });

  it("maps an account without the ApplicationImpersonation role to ErrorImpersonationDenied (service account failure)", async () => {
    const r = await env
      .client(account(DEMO.accountWithoutImpersonation.logon, DEMO.accountWithoutImpersonation.password))
      .check("alex.vance@contoso.com");
    expect(r.failure).toMatchObject({ code: "ErrorImpersonationDenied", serviceAccountFailure: true });
    expect(r.failure!.remediation).toContain("New-ManagementRoleAssignment");
  });

  it("maps a wrong password to Unauthorized, a service account failure", async () => {
    const client = env.client(account(DEMO.serviceAccount.logon, "wrong"));
    const r = await client.check("alex.vance@contoso.com");
    expect(r.failure).toMatchObject({ code: "Unauthorized", transient: false, serviceAccountFailure: true });
    const auth = await client.authenticate();
    expect(auth.ok).toBe(false);
    if (!auth.ok) expect(auth.failure.code).toBe("Unauthorized");
  });

  it("says Basic is not enabled when the server offers only Negotiate/NTLM", async () => {
    const tenant = demoTenant({ users: 30 });
    sim.setTenant({ ...tenant, server: { basicAuthEnabled: false } });
    const r = await env.client(account()).authenticate();
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.failure.code).toBe("BasicAuthNotEnabled");
      expect(r.failure.message).toMatch(/Basic authentication is not enabled on EWS/);
      expect(r.failure.remediation).toContain("Set-WebServicesVirtualDirectory");
    }
  });

  it("maps a service account without a mailbox to ErrorMissingEmailAddress on its own mailbox", async () => {
    const r = await env
      .client(account(DEMO.serviceAccountWithoutMailbox.logon, DEMO.serviceAccountWithoutMailbox.password))
      .ownMailbox();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toMatchObject({ code: "ErrorMissingEmailAddress", transient: false });
  });

  it("holds the busy mailbox's calls for its back-off when an impersonated call is answered ErrorServerBusy, not the other mailboxes'", async () => {
    sim.resetCounters();
    sim.faults.backOffMs = 2_000;
    sim.faults.byMailbox["alex.vance@contoso.com"] = "serverBusy";
    const client = env.client(account());
    const first = await client.check("alex.vance@contoso.com");
    const answeredBy = Date.now(); // the 2 s back-off started before this
    expect(first.failure).toMatchObject({
      code: "ErrorServerBusy",
      transient: true,
      backOffMs: 2_000,
      backOffScope: "mailbox",
    });
    delete sim.faults.byMailbox["alex.vance@contoso.com"];
    const others = ["bianca.vance@contoso.com", "carlos.vance@contoso.com", "diego.vance@contoso.com"];
    const results = await Promise.all(["alex.vance@contoso.com", ...others].map((a) => client.check(a)));
    expect(results.every((r) => r.ok)).toBe(true);
    // alex's call waited for the end of its back-off (the simulator counts any that didn't) ...
    expect(sim.counters.callsDuringBackOff.total).toBe(0);
    // ... and the others' calls reached Exchange long before it (held by the profile, they would come 2 s after the answer).
    for (const other of others) {
      const at = sim.counters.calls
        .filter((c) => c.target === other && c.operation === "GetFolder")
        .map((c) => c.at);
      expect(at, other).toHaveLength(1);
      expect(at[0]).toBeLessThan(answeredBy + 1_000);
    }
  });

  it("holds every call of the profile for the back-off when the service account's own call is answered ErrorServerBusy", async () => {
    sim.resetCounters();
    sim.faults.backOffMs = 400;
    sim.faults.byMailbox[DEMO.serviceAccount.logon] = "serverBusy";
    const client = env.client(account());
    const own = await client.ownMailbox();
    expect(own.ok).toBe(false);
    if (!own.ok) {
      expect(own.failure).toMatchObject({ code: "ErrorServerBusy", backOffMs: 400 });
      expect(own.failure.backOffScope).toBeUndefined();
    }
    delete sim.faults.byMailbox[DEMO.serviceAccount.logon];
    const started = Date.now();
    const results = await Promise.all(
      ["bianca.vance@contoso.com", "carlos.vance@contoso.com"].map((a) => client.check(a)),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(sim.counters.callsDuringBackOff.total).toBe(0);
  });

  it.each([
    ["drop", "ConnectionDropped"],
    ["malformed", "MalformedResponse"],
    ["truncated", "MalformedResponse"],
    ["http503", "ServerUnavailable"],
    ["http500", "ServerUnavailable"],
  ] as const)("maps an injected %s to a transient %s without crashing", async (fault, code) => {
    sim.faults.byMailbox["alex.vance@contoso.com"] = fault;
    const r = await env.client(account()).check("alex.vance@contoso.com");
    expect(r.failure).toMatchObject({ code, transient: true });
    sim.faults.byMailbox = {};
    expect((await env.client(account()).check("alex.vance@contoso.com")).ok).toBe(true);
  });

  it("times out a hung call as a transient Timeout", async () => {
    sim.faults.byMailbox["alex.vance@contoso.com"] = "hang";
    const started = Date.now();
    const r = await env.client(account()).check("alex.vance@contoso.com");
    expect(r.failure).toMatchObject({ code: "Timeout", transient: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("cancels a call with an AbortSignal", async () => {
    sim.faults.byMailbox["alex.vance@contoso.com"] = "hang";
    const r = await env.client(account()).check("alex.vance@contoso.com", AbortSignal.timeout(100));
    expect(r.failure?.code).toBe("Aborted");
  });

  it("cancels a wait for a back-off with an AbortSignal as Aborted, without calling", async () => {
    const acct = account();
    env.gate.announce(acct.profileId, undefined, 10_000);
    sim.resetCounters();
    const r = await env.client(acct).check("alex.vance@contoso.com", AbortSignal.timeout(50));
    expect(r.failure?.code).toBe("Aborted");
    expect(sim.counters.requests).toBe(0);
    env.gate.clear(acct.profileId);
  });

  it("refuses a connection refused as transient, and an EWS URL outside the policy before connecting", async () => {
    const closed = await env
      .client(account(undefined, undefined, "http://127.0.0.1:1/EWS/Exchange.asmx"))
      .check("alex.vance@contoso.com");
    expect(closed.failure).toMatchObject({ code: "ConnectionRefused", transient: true });
    sim.resetCounters();
    const forbidden = await env
      .client(account(undefined, undefined, sim.ewsUrl.replace("127.0.0.1", "localhost")))
      .check("alex.vance@contoso.com");
    expect(forbidden.failure?.code).toBe("UrlNotHttps");
    expect(sim.counters.requests).toBe(0);
  });

  it("has a remediation in every table entry", () => {
    for (const [code, entry] of Object.entries(FAILURES)) {
      const remediation =
        typeof entry.remediation === "function" ? entry.remediation({}, {}) : entry.remediation;
      expect(remediation.length, code).toBeGreaterThan(10);
    }
  });
});

describe("autodiscover against the simulator", () => {
  const cred = {
    logon: DEMO.serviceAccount.logon,
    password: DEMO.serviceAccount.password,
    mayReceive: credentialHostsFor(DEMO.serviceAccount.logon, undefined, () => false),
  };
  const candidates = (domain: string) => [
    `http://autodiscover.${domain}:${sim.port}/autodiscover/autodiscover.xml`,
    `http://autodiscover.${domain}:${sim.port}/autodiscover/autodiscover.svc`,
  ];
  const contosoOnly = () => [`http://autodiscover.contoso.com:${sim.port}/autodiscover/autodiscover.xml`];

  it("finds the EWS URL by POX, and by SOAP GetUserSettings", async () => {
    expect(
      (await autodiscover(DEMO.user.address, { transport: env.transport, credentials: cred, candidates }))
        .ewsUrl,
    ).toBe(sim.ewsUrl);
    const soap = await autodiscover(DEMO.user.address, {
      transport: env.transport,
      credentials: cred,
      candidates: (d) => [candidates(d)[1]],
    });
    expect(soap.ewsUrl).toBe(sim.ewsUrl);
  });

  it("follows a redirect to another address", async () => {
    const r = await autodiscover(DEMO.redirectAddrUser, {
      transport: env.transport,
      credentials: cred,
      candidates,
    });
    expect(r.ewsUrl).toBe(sim.ewsUrl);
    expect(r.steps.map((s) => s.detail).join("\n")).toContain(
      `Redirected to the address ${DEMO.user.address}`,
    );
  });

  it("re-checks a redirect hop and refuses a forbidden host", async () => {
    // Only the contoso name is allowed on a private address; fabrikam resolves to the same 127.0.0.1 but isn't.
    const named = new EwsEnvironment({
      allowedHosts: ["autodiscover.contoso.com"],
      resolver: () => Promise.resolve([{ address: "127.0.0.1" as const, family: 4 as const }]),
    });
    sim.resetCounters();
    const r = await autodiscover("someone@fabrikam.com", {
      transport: named.transport,
      credentials: cred,
      candidates: contosoOnly,
    });
    named.close();
    expect(r.ewsUrl).toBeNull();
    const refused = r.steps.find((s) => s.name.includes("autodiscover.fabrikam.com"));
    expect(refused).toMatchObject({ status: "failed", code: "UrlPrivateAddress" });
    // The contoso answer: once without credentials (401 offering Basic), once with them.
    expect(sim.counters.requests).toBe(2);
  });

  it("reports a refused plain-http start as UrlNotHttps and ends with AutodiscoverFailed", async () => {
    const strict = new EwsEnvironment({
      allowedHosts: [],
      resolver: () => Promise.resolve([{ address: "127.0.0.1" as const, family: 4 as const }]),
    });
    const r = await autodiscover(DEMO.user.address, {
      transport: strict.transport,
      credentials: cred,
      candidates,
    });
    strict.close();
    expect(r.steps[0].code).toBe("UrlNotHttps");
    expect(r.steps.at(-1)).toMatchObject({
      name: "Resolve EWS URL",
      status: "failed",
      code: "AutodiscoverFailed",
    });
  });
});

describe("room-kind lookup", () => {
  it("reads room lists once per profile, and doesn't retry a failure on every check", async () => {
    sim.resetCounters();
    const client = env.client(account());
    for (const a of ["alex.vance@contoso.com", "bianca.vance@contoso.com", "room-102@contoso.com"]) {
      await client.check(a);
    }
    expect(sim.counters.byOperation.GetRoomLists).toBe(1);
    // Room lists fail (GetRoomLists acts on the service account's own mailbox); checks still pass, kind unknown.
    sim.faults.byMailbox[DEMO.serviceAccount.logon] = "http503";
    sim.resetCounters();
    const failing = env.client(account());
    const results = [];
    for (const a of ["alex.vance@contoso.com", "bianca.vance@contoso.com", "carlos.vance@contoso.com"]) {
      results.push(await failing.check(a));
    }
    expect(results.map((r) => [r.ok, r.mailboxKind])).toEqual([
      [true, null],
      [true, null],
      [true, null],
    ]);
    expect(sim.counters.byOperation.GetRoomLists).toBe(1);
  });
});
