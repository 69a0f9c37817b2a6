import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";
import { mailboxAddresses } from "../jobs/testing/factories";
import { defaultFaults } from "./faults";
import { envelope, faultOf, getFolderBody, post, responseCodes } from "./test-helpers";

let sim: ExchangeSimulator;
beforeAll(async () => {
  sim = await startExchangeSimulator({ tenant: demoTenant({ users: 40 }), maxRecordedCalls: 50 });
});
afterAll(() => sim.close());
afterEach(() => {
  Object.assign(sim.faults, defaultFaults());
  Object.assign(sim.limits, {
    maxConcurrencyPerAccount: 27,
    targetBudget: null,
    capacityPerAccount: null,
    capacityBackOffMs: 300,
  });
  sim.resetCounters();
});

const TARGET = "adele.vance@contoso.com";
const inbox = (target = TARGET) => envelope(getFolderBody(["inbox"]), { impersonate: target });

describe("throttling", () => {
  it("answers ErrorServerBusy over the per-account concurrency limit and counts peak concurrency", async () => {
    sim.limits.maxConcurrencyPerAccount = 3;
    // Long enough that all six calls overlap even when a loaded machine opens their connections slowly.
    sim.faults.latencyMs = 300;
    const results = await Promise.all(Array.from({ length: 6 }, () => post(sim.ewsUrl, inbox())));
    const busy = results.filter((r) => r.status === 500);
    expect(busy.length).toBe(3);
    expect(faultOf(busy[0]).code).toBe("ErrorServerBusy");
    expect(Number(faultOf(busy[0]).values.BackOffMilliseconds)).toBeGreaterThan(0);
    expect(sim.counters.peakConcurrency).toBe(6);
    expect(sim.counters.peakConcurrencyByAccount[DEMO.serviceAccount.logon]).toBe(6);
    expect(sim.counters.inFlight).toBe(0);
  });

  it("serves at most capacityPerAccount calls at once and charges the busy answers above it to each impersonated mailbox", async () => {
    sim.limits.capacityPerAccount = 2;
    sim.limits.capacityBackOffMs = 5_000;
    sim.faults.latencyMs = 400; // longer than the five requests take to arrive on a loaded machine
    const five = mailboxAddresses(sim.tenant, 5);
    const results = await Promise.all(five.map((t) => post(sim.ewsUrl, inbox(t))));
    const busy = results.flatMap((r, i) => (r.status === 500 ? [five[i]] : []));
    expect(busy).toHaveLength(3);
    expect(faultOf(results.find((r) => r.status === 500)!).values.BackOffMilliseconds).toBe("5000");
    // Capacity is free again; the refused mailboxes are held, the others and the account are not.
    const served = five.find((t) => !busy.includes(t))!;
    expect((await post(sim.ewsUrl, inbox(served))).status).toBe(200);
    expect(sim.counters.callsDuringBackOff.total).toBe(0);
    await post(sim.ewsUrl, inbox(busy[0]));
    expect(sim.counters.callsDuringBackOff.byTarget[busy[0]]).toBe(1);
    expect(sim.counters.callsDuringBackOff.byAccount).toEqual({});
  });

  it("spends a per-target budget, announces BackOffMilliseconds and counts calls made before it ended", async () => {
    sim.limits.targetBudget = { calls: 2, windowMs: 10_000 };
    expect((await post(sim.ewsUrl, inbox())).status).toBe(200);
    expect((await post(sim.ewsUrl, inbox())).status).toBe(200);
    const busy = await post(sim.ewsUrl, inbox());
    expect(faultOf(busy).code).toBe("ErrorServerBusy");
    const backOff = Number(faultOf(busy).values.BackOffMilliseconds);
    expect(backOff).toBeGreaterThan(9_000);
    expect(sim.counters.callsDuringBackOff.total).toBe(0);
    await post(sim.ewsUrl, inbox());
    expect(sim.counters.callsDuringBackOff.byTarget[TARGET]).toBe(1);
    expect((await post(sim.ewsUrl, inbox("alex.vance@contoso.com"))).status).toBe(200);
    expect(sim.counters.callsDuringBackOff.total).toBe(1);
  });
});

describe("latency", () => {
  it("delays each call by latency plus jitter", async () => {
    sim.faults.latencyMs = 80;
    sim.faults.jitterMs = 40;
    const start = performance.now();
    await post(sim.ewsUrl, inbox());
    const ms = performance.now() - start;
    expect(ms).toBeGreaterThanOrEqual(78);
    expect(ms).toBeLessThan(400);
  });
});

describe("injected faults", () => {
  it("http500 and http503 by mailbox", async () => {
    sim.faults.byMailbox[TARGET] = "http503";
    expect((await post(sim.ewsUrl, inbox())).status).toBe(503);
    sim.faults.byMailbox[TARGET] = "http500";
    const res = await post(sim.ewsUrl, inbox());
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect((await post(sim.ewsUrl, inbox("alex.vance@contoso.com"))).status).toBe(200);
  });

  it("serverBusy, moveInProgress and unauthorized", async () => {
    sim.faults.byMailbox[TARGET] = "serverBusy";
    sim.faults.backOffMs = 1234;
    expect(faultOf(await post(sim.ewsUrl, inbox())).values).toEqual({ BackOffMilliseconds: "1234" });
    sim.faults.byMailbox[TARGET] = "moveInProgress";
    expect(responseCodes(await post(sim.ewsUrl, inbox()))).toEqual(["ErrorMailboxMoveInProgress"]);
    sim.faults.byMailbox[TARGET] = "unauthorized";
    expect((await post(sim.ewsUrl, inbox())).status).toBe(401);
  });

  it("truncated and malformed XML", async () => {
    sim.faults.byMailbox[TARGET] = "truncated";
    const truncated = await post(sim.ewsUrl, inbox());
    expect(truncated.status).toBe(200);
    expect(truncated.xml).toBeUndefined();
    sim.faults.byMailbox[TARGET] = "malformed";
    const malformed = await post(sim.ewsUrl, inbox());
    expect(malformed.status).toBe(200);
    expect(malformed.xml).toBeUndefined();
  });

  it("drops the connection mid-response", async () => {
    sim.faults.byMailbox[TARGET] = "drop";
    await expect(post(sim.ewsUrl, inbox())).rejects.toThrow();
  });

  it("hangs (the client times out) and slow answers", async () => {
    sim.faults.byMailbox[TARGET] = "hang";
    const hung = fetch(sim.ewsUrl, {
      method: "POST",
      body: inbox(),
      headers: { Authorization: basic() },
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toThrow();
    sim.faults.byMailbox[TARGET] = "slow";
    sim.faults.slowMs = 150;
    const start = performance.now();
    expect((await post(sim.ewsUrl, inbox())).status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(145);
  });

  it("injects by rate and by account", async () => {
    sim.faults.rates = { http503: 1 };
    expect((await post(sim.ewsUrl, inbox())).status).toBe(503);
    sim.faults.rates = {};
    sim.faults.byAccount[DEMO.serviceAccount.logon] = "http500";
    expect((await post(sim.ewsUrl, inbox())).status).toBe(500);
  });
});

describe("counters", () => {
  it("counts by operation, account, target and outcome, and keeps a bounded call list", async () => {
    for (let i = 0; i < 60; i++) await post(sim.ewsUrl, inbox(i % 2 ? TARGET : DEMO.blockedUser));
    await post(sim.ewsUrl, envelope("<m:GetRoomLists/>"));
    const c = sim.counters;
    expect(c.byOperation).toEqual({ GetFolder: 60, GetRoomLists: 1 });
    expect(c.byAccount[DEMO.serviceAccount.logon]).toBe(61);
    expect(c.byTarget[TARGET]).toBe(30);
    expect(c.byOutcome).toMatchObject({ NoError: 31, ErrorImpersonateUserDenied: 30 });
    expect(c.calls).toHaveLength(50);
    expect(c.calls.at(-1)).toMatchObject({
      account: DEMO.serviceAccount.logon,
      operation: "GetRoomLists",
      target: "svc-sync@contoso.com",
    });
    sim.resetCounters();
    expect(sim.counters.requests).toBe(0);
    expect(sim.counters.calls).toHaveLength(0);
  });
});

function basic(): string {
  return `Basic ${Buffer.from(`${DEMO.serviceAccount.logon}:${DEMO.serviceAccount.password}`).toString("base64")}`;
}
