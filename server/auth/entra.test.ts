import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityFixture, type IdentityFixture } from "../../test/helpers/identity";
import { badToken, TEST_ACCOUNTS, TEST_API_CLIENT_ID, type BadTokenKind } from "../../test/idp";
import { startTestServer } from "../../test/helpers/server";
import { acceptedAudiences, allowedTenants, createEntraVerifier, principalFromClaims } from "./entra";

let f: IdentityFixture;
beforeAll(async () => {
  f = await startIdentityFixture("sqlite");
});
afterAll(async () => {
  await f?.close();
});

describe("Entra bearer tokens", () => {
  it("accepts a valid token from the configured authority and reads roles", async () => {
    const admin = await (await f.as(TEST_ACCOUNTS.platformAdmin)).get("/auth/me");
    expect(admin.status).toBe(200);
    expect(admin.body.data).toMatchObject({
      kind: "entra",
      id: TEST_ACCOUNTS.platformAdmin.oid,
      name: TEST_ACCOUNTS.platformAdmin.upn,
      platformAdmin: true,
      profileIds: null,
    });
    const profileAdmin = await (await f.as(TEST_ACCOUNTS.profileAdmin)).get("/auth/me");
    expect(profileAdmin.body.data).toMatchObject({ platformAdmin: false, profileIds: [f.profileA] });
  });

  it("accepts the Application ID URI as audience", async () => {
    const audience = acceptedAudiences(TEST_API_CLIENT_ID, f.server.ctx.config.baseUrl)[1];
    const token = await f.idp.issueToken(TEST_ACCOUNTS.activeUser, { audience });
    expect((await (await f.as(TEST_ACCOUNTS.activeUser, token)).get("/me/status")).status).toBe(200);
  });

  it("accepts ENTRA_APP_ID_URI (api://<client id>) as audience, and the panel asks for its scope", async () => {
    const server = await startTestServer({
      env: { ...f.idp.serverEnv(), ENTRA_APP_ID_URI: `api://${TEST_API_CLIENT_ID}` },
    });
    try {
      const token = await f.idp.issueToken(TEST_ACCOUNTS.platformAdmin, {
        audience: `api://${TEST_API_CLIENT_ID}`,
      });
      const res = await fetch(`${server.url}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const config = (await (await fetch(`${server.url}/api/v1/auth/config`)).json()) as {
        data: { entra: { scope: string } };
      };
      expect(config.data.entra.scope).toBe(`api://${TEST_API_CLIENT_ID}/access_as_user`);
      // The host form is no longer an accepted audience once another URI is configured.
      const hostForm = acceptedAudiences(TEST_API_CLIENT_ID, server.ctx.config.baseUrl)[1];
      const other = await f.idp.issueToken(TEST_ACCOUNTS.platformAdmin, { audience: hostForm });
      expect(
        (await fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${other}` } }))
          .status,
      ).toBe(401);
    } finally {
      await server.close();
    }
  });

  it("accepts a token that expired within the clock skew", async () => {
    const token = await f.idp.issueToken(TEST_ACCOUNTS.activeUser, { expiresIn: -20 });
    expect((await (await f.as(TEST_ACCOUNTS.activeUser, token)).get("/me/status")).status).toBe(200);
  });

  const refusals: [BadTokenKind, RegExp][] = [
    ["wrong-key", /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/],
    ["wrong-audience", /ERR_JWT_CLAIM_VALIDATION_FAILED.*aud/],
    ["wrong-issuer", /ERR_JWT_CLAIM_VALIDATION_FAILED.*iss/],
    ["other-tenant", /tenant .* is not in ENTRA_ALLOWED_TENANTS/],
    ["expired", /ERR_JWT_EXPIRED/],
    ["alg-none", /alg|JWS|Unsupported/i],
    ["hs256", /alg|"alg"/i],
  ];
  it.each(refusals)(
    "refuses a token with %s: 401, the reason in the log and not in the response",
    async (kind, reason) => {
      const token = await badToken(kind, TEST_ACCOUNTS.platformAdmin, {
        issuer: f.idp.issuer,
        audience: TEST_API_CLIENT_ID,
      });
      const before = f.server.logs.length;
      const res = await (await f.as(TEST_ACCOUNTS.platformAdmin, token)).get("/profiles");
      expect(res.status).toBe(401);
      expect(res.body.error.id).toBe("unauthorized");
      expect(res.text).not.toMatch(reason);
      expect(res.text).not.toMatch(/ERR_J|signature|aud|iss|exp|tenant/i);
      const logged = f.server.logs.slice(before).join("\n");
      expect(logged).toMatch(/bearer token refused/);
      expect(logged).toMatch(reason);
      // The token itself never reaches the log.
      expect(logged).not.toContain(token.split(".")[1]);
    },
  );

  it("refuses an app-only token (no scp) and a token without oid", async () => {
    const appOnly = await f.idp.issueToken(TEST_ACCOUNTS.platformAdmin, { claims: { scp: undefined } });
    expect((await (await f.as(TEST_ACCOUNTS.platformAdmin, appOnly)).get("/profiles")).status).toBe(401);
    const noOid = await f.idp.issueToken(TEST_ACCOUNTS.platformAdmin, { claims: { oid: undefined } });
    expect((await (await f.as(TEST_ACCOUNTS.platformAdmin, noOid)).get("/profiles")).status).toBe(401);
  });

  it("refuses a malformed Authorization header and tokens on a server without Entra", async () => {
    const res = await f.server.anonymous.get("/profiles", { authorization: "Bearer not.a.jwt" });
    expect(res.status).toBe(401);
    const plain = await startTestServer();
    try {
      const token = await f.idp.issueToken(TEST_ACCOUNTS.platformAdmin);
      expect((await plain.anonymous.get("/profiles", { authorization: `Bearer ${token}` })).status).toBe(401);
      expect((await plain.anonymous.get("/auth/config")).body.data).toEqual({ entra: null });
    } finally {
      await plain.close();
    }
  });

  it("answers the panel's sign-in settings from the configuration", async () => {
    const res = await f.server.anonymous.get("/auth/config");
    expect(res.status).toBe(200);
    expect(res.body.data.entra).toEqual({
      clientId: TEST_API_CLIENT_ID,
      authority: f.idp.issuer,
      knownAuthorities: [new URL(f.idp.issuer).host],
      scope: `api://${new URL(f.server.ctx.config.baseUrl).host}/${TEST_API_CLIENT_ID}/access_as_user`,
      protocolMode: "OIDC",
    });
  });
});

describe("claims to principal", () => {
  it("marks guests by acct or #EXT# and platform admins by app role", () => {
    expect(principalFromClaims({ oid: "o", tid: "t", upn: "a#EXT#@x.com", acct: 0 }).guest).toBe(true);
    expect(principalFromClaims({ oid: "o", tid: "t", upn: "a@x.com", acct: 1 }).guest).toBe(true);
    expect(
      principalFromClaims({ oid: "o", tid: "t1", upn: "a@x.com", idp: "https://sts.windows.net/t2/" }).guest,
    ).toBe(true);
    expect(principalFromClaims({ oid: "o", tid: "t1", upn: "a@x.com", idp: "live.com" }).guest).toBe(true);
    expect(principalFromClaims({ oid: "o", tid: "t1", upn: "a@x.com" }).guest).toBe(false);
    expect(
      principalFromClaims({ oid: "o", tid: "t", upn: "a@x.com", acct: 0, roles: ["SyncAdmin.Platform"] }),
    ).toMatchObject({ guest: false, platformAdmin: true });
    expect(
      principalFromClaims({ oid: "o", tid: "t", preferred_username: "a@x.com", roles: ["Other"] }),
    ).toMatchObject({ upn: undefined, platformAdmin: false });
  });

  it("falls back from ENTRA_ALLOWED_TENANTS to ENTRA_TENANT_ID", () => {
    const entra = {
      clientId: "c",
      clientSecret: undefined,
      clientCertFile: undefined,
      authority: "https://login.microsoftonline.com",
      caFile: undefined,
      appIdUri: undefined,
    };
    expect(allowedTenants({ ...entra, tenantId: "T1", allowedTenants: [] })).toEqual(["t1"]);
    expect(allowedTenants({ ...entra, tenantId: "T1", allowedTenants: ["A", "b"] })).toEqual(["a", "b"]);
  });
});

describe("signing key rotation", () => {
  it("fetches the JWKS again when a token names an unknown kid", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const { createLogger } = await import("../logger");
    const { startTestIdentityProvider, TEST_SIGNING_JWK } = await import("../../test/idp");
    const { testConfig } = await import("../config");
    const first = await startTestIdentityProvider();
    const config = testConfig({ BASE_URL: "https://panel.example.com", ...first.serverEnv() });
    const verify = createEntraVerifier({
      entra: config.entra,
      baseUrl: config.baseUrl,
      log: createLogger("silent"),
      jwksCooldownMs: 0,
    });
    const req = {} as Parameters<typeof verify>[1];
    const rotated = {
      ...(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as Record<
        string,
        unknown
      >),
      kid: "rotated-key-2",
      use: "sig",
      alg: "RS256",
    };
    let second: Awaited<ReturnType<typeof startTestIdentityProvider>> | undefined;
    try {
      expect((await verify(await first.issueToken(TEST_ACCOUNTS.activeUser), req)).oid).toBe(
        TEST_ACCOUNTS.activeUser.oid,
      );
      // The provider restarts with a new key published beside the old one.
      await first.close();
      second = await startTestIdentityProvider({
        port: first.port,
        certificate: first.certificate,
        jwks: { keys: [rotated, TEST_SIGNING_JWK] },
      });
      const token = await second.issueToken(TEST_ACCOUNTS.errorUser, { key: rotated });
      expect((await verify(token, req)).oid).toBe(TEST_ACCOUNTS.errorUser.oid);
    } finally {
      await second?.close();
      await first.close().catch(() => undefined);
    }
  });
});
