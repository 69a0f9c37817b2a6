import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";
import { advanceProcessClock, restoreProcessClock } from "../../test/helpers/process-clock";

const ISSUER = "https://login.example.test/tenant-1/v2.0";
const AUDIENCE = "https://graph.microsoft.com";
let sim: ExchangeSimulator;
let jwksServer: http.Server;
let privateKey: CryptoKey;

beforeAll(async () => {
  const keys = await generateKeyPair("RS256", { extractable: true });
  privateKey = keys.privateKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  jwksServer = http.createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/keys`;
  sim = await startExchangeSimulator({
    tenant: {
      ...demoTenant({ users: 20 }),
      oauth: {
        issuers: [{ issuer: ISSUER, jwksUrl, audiences: [AUDIENCE] }],
        apps: [{ appId: "scoped-app", scope: ["adele.vance@contoso.com"] }],
      },
    },
  });
});
afterAll(async () => {
  restoreProcessClock();
  await sim.close();
  jwksServer.close();
});

const token = (claims: JWTPayload) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(privateKey);
async function get(
  path: string,
  claims: JWTPayload | null,
): Promise<{
  status: number;
  headers: Headers;
  body: { error?: { code: string }; value?: { emailAddress: string }[]; [k: string]: unknown };
}> {
  const headers: Record<string, string> = claims ? { Authorization: `Bearer ${await token(claims)}` } : {};
  const res = await fetch(`${sim.graph.baseUrl}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as never };
}

describe("Graph simulator", () => {
  const scoped = { appid: "scoped-app" };
  const wide = { appid: "wide-app", roles: ["Mail.ReadWrite", "Place.Read.All"] };

  it("serves mailbox settings, Inbox and calendar inside the app's RBAC scope; 403 outside; 404 for unknown users", async () => {
    expect((await get("/users/adele.vance@contoso.com/mailboxSettings", scoped)).body.timeZone).toBeTypeOf(
      "string",
    );
    expect((await get("/users/adele.vance@contoso.com/mailFolders/inbox", scoped)).body.displayName).toBe(
      "Inbox",
    );
    expect((await get("/users/ADELE.VANCE@contoso.com/calendar", scoped)).body.name).toBe("Calendar");
    const denied = await get("/users/alex.vance@contoso.com/calendar", scoped);
    expect([denied.status, denied.body.error?.code]).toEqual([403, "ErrorAccessDenied"]);
    const unknown = await get("/users/nobody@contoso.com/calendar", scoped);
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, "ErrorInvalidUser"]);
  });

  it("lets consented mailbox roles reach every mailbox; an app with neither roles nor scope reaches none", async () => {
    expect((await get("/users/alex.vance@contoso.com/calendar", wide)).status).toBe(200);
    expect((await get("/users/adele.vance@contoso.com/calendar", { appid: "unknown-app" })).status).toBe(403);
  });

  it("refuses a missing or delegated token with 401 InvalidAuthenticationToken", async () => {
    expect((await get("/users/adele.vance@contoso.com/calendar", null)).body.error?.code).toBe(
      "InvalidAuthenticationToken",
    );
    expect(
      (
        await get("/users/adele.vance@contoso.com/calendar", {
          scp: "Mail.Read",
          upn: "adele.vance@contoso.com",
        })
      ).status,
    ).toBe(401);
  });

  it("lists rooms with Place.Read.All only, in pages", async () => {
    expect((await get("/places/microsoft.graph.room", scoped)).status).toBe(403);
    const first = await get("/places/microsoft.graph.room?$top=4", wide);
    expect(first.body.value).toHaveLength(4);
    const next = String(first.body["@odata.nextLink"]);
    const rest = await get(next.slice(sim.graph.baseUrl.length), wide);
    expect(rest.body.value![0].emailAddress).toBe("room-105@contoso.com");
  });

  it("throttles with 429 Retry-After and counts calls made before it ran out", async () => {
    sim.resetCounters();
    sim.graph.faults.retryAfterSeconds = 0.3;
    sim.graph.faults.inFlightGraceMs = 0;
    sim.graph.faults.throttleNext = 1;
    const first = await get("/users/adele.vance@contoso.com/calendar", scoped);
    expect([first.status, first.headers.get("retry-after")]).toEqual([429, "0.3"]);
    advanceProcessClock(20); // a call soon after the 429, within Retry-After (the simulator reads Date.now())
    expect((await get("/users/adele.vance@contoso.com/calendar", scoped)).status).toBe(429);
    expect(sim.graph.counters.callsDuringRetryAfter).toBe(1);
    advanceProcessClock(300); // Graph's Retry-After (0.3 s) has passed
    expect((await get("/users/adele.vance@contoso.com/calendar", scoped)).status).toBe(200);
    expect(sim.graph.counters.byOutcome).toMatchObject({ "429 TooManyRequests": 2, "200": 1 });
    sim.graph.faults.inFlightGraceMs = 50;
  });
});
