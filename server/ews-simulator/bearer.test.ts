import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";
import { envelope, faultOf, getFolderBody, post, responseCodes } from "./test-helpers";

const ISSUER = "https://login.example.test/tenant-1/v2.0";
const AUDIENCE = "https://outlook.office365.com";
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
  const tenant = demoTenant({ users: 20 });
  sim = await startExchangeSimulator({
    tenant: {
      ...tenant,
      oauth: {
        issuers: [{ issuer: ISSUER, jwksUrl, audiences: [AUDIENCE] }],
        apps: [{ appId: "scoped-app", scope: ["adele.vance@contoso.com"] }],
      },
    },
  });
});
afterAll(async () => {
  await sim.close();
  jwksServer.close();
});

function token(claims: JWTPayload, audience = AUDIENCE): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(privateKey);
}

const inbox = (target?: string) => envelope(getFolderBody(["inbox"]), target ? { impersonate: target } : {});

describe("bearer tokens", () => {
  it("app-only tokens with full_access_as_app impersonate anybody", async () => {
    const t = await token({ appid: "any-app", roles: ["full_access_as_app"] });
    expect(responseCodes(await post(sim.ewsUrl, inbox(DEMO.blockedUser), { bearer: t }))).toEqual([
      "NoError",
    ]);
    expect(sim.counters.byAccount["any-app"]).toBe(1);
  });

  it("app-only tokens need the impersonation header", async () => {
    const t = await token({ appid: "any-app", roles: ["full_access_as_app"] });
    expect(faultOf(await post(sim.ewsUrl, inbox(), { bearer: t })).code).toBe(
      "ErrorInvalidExchangeImpersonationHeaderData",
    );
  });

  it("a scoped app reaches its scope only", async () => {
    const t = await token({ appid: "scoped-app", roles: [] });
    expect(responseCodes(await post(sim.ewsUrl, inbox("adele.vance@contoso.com"), { bearer: t }))).toEqual([
      "NoError",
    ]);
    const out = await post(sim.ewsUrl, inbox("alex.vance@contoso.com"), { bearer: t });
    expect(out.status).toBe(500);
    expect(faultOf(out).code).toBe("ErrorAccessDenied");
  });

  it("delegated tokens act as the signed-in user", async () => {
    const t = await token({ upn: DEMO.user.address, scp: "EWS.AccessAsUser.All" });
    expect(responseCodes(await post(sim.ewsUrl, inbox(), { bearer: t }))).toEqual(["NoError"]);
    const svc = await token({ upn: DEMO.serviceAccount.logon, scp: "EWS.AccessAsUser.All" });
    expect(responseCodes(await post(sim.ewsUrl, inbox("alex.vance@contoso.com"), { bearer: svc }))).toEqual([
      "NoError",
    ]);
  });

  it("rejects other audiences, unknown issuers, missing scopes and garbage with 401", async () => {
    const wrongAud = await token(
      { appid: "a", roles: ["full_access_as_app"] },
      "https://graph.microsoft.com",
    );
    const noScope = await token({ upn: DEMO.user.address, scp: "Mail.Read" });
    for (const bearer of [wrongAud, noScope, "not-a-jwt"]) {
      const res = await post(sim.ewsUrl, inbox(DEMO.user.address), { bearer });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
  });
});
