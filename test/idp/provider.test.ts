import { createHash, randomBytes } from "node:crypto";
import https from "node:https";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTrusting } from "../../server/auth/ca-fetch";
import {
  startTestIdentityProvider,
  TEST_ACCOUNTS,
  TEST_SERVER_CLIENT_ID,
  TEST_SERVER_CLIENT_SECRET,
  type TestIdentityProvider,
} from "./index";

const REDIRECT = "http://127.0.0.1:9/api/v1/oauth/callback";
const EWS_SCOPE = "https://ews.contoso.test/EWS.AccessAsUser.All";

let idp: TestIdentityProvider;
let agent: https.Agent;
beforeAll(async () => {
  idp = await startTestIdentityProvider({ serverRedirectUris: [REDIRECT], accessTokenTtl: 60 });
  agent = new https.Agent({ ca: idp.certificate.cert });
});
afterAll(async () => {
  await idp?.close();
});

/** One https request trusting only the provider's certificate; never follows redirects. */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = https.request(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Follows the browser part of the authorization-code flow (cookies kept) and returns the code. */
async function authorize(loginHint: string, verifier: string): Promise<string> {
  const cookies = new Map<string, string>();
  let url = `${idp.issuer}/auth?${new URLSearchParams({
    client_id: TEST_SERVER_CLIENT_ID,
    response_type: "code",
    redirect_uri: REDIRECT,
    scope: `openid profile offline_access ${EWS_SCOPE}`,
    prompt: "select_account",
    login_hint: loginHint,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    state: "s1",
  }).toString()}`;
  for (let hop = 0; hop < 10; hop++) {
    const res = await request(url, {
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of [res.headers["set-cookie"] ?? []].flat()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair.split("=");
      cookies.set(name, value.join("="));
    }
    const location = res.headers.location as string | undefined;
    if (!location) throw new Error(`the flow stopped at ${url}: ${res.status} ${res.body.slice(0, 300)}`);
    const next = new URL(location, url);
    if (next.href.startsWith(REDIRECT)) {
      const code = next.searchParams.get("code");
      if (!code) throw new Error(`no code: ${next.href}`);
      return code;
    }
    url = next.href;
  }
  throw new Error("too many redirects");
}

const token = (params: Record<string, string>) =>
  request(`${idp.issuer}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: TEST_SERVER_CLIENT_ID,
      client_secret: TEST_SERVER_CLIENT_SECRET,
      ...params,
    }).toString(),
  });

describe("test identity provider", () => {
  it("publishes its discovery document over https to clients that trust its certificate by configuration", async () => {
    const res = await fetchTrusting(idp.caFile)(`${idp.issuer}/.well-known/openid-configuration`, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ issuer: idp.issuer, jwks_uri: `${idp.issuer}/jwks` });
    await expect(fetch(`${idp.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });

  it("runs Connect account's flow: code with PKCE for a chosen account, short-lived EWS token, refresh, revoke", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const code = await authorize(TEST_ACCOUNTS.profileAdmin.upn, verifier);
    const exchanged = await token({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(exchanged.status, exchanged.body).toBe(200);
    const tokens = JSON.parse(exchanged.body) as {
      access_token: string;
      refresh_token: string;
      expires_in: number;
      id_token: string;
    };
    expect(tokens.expires_in).toBeLessThanOrEqual(60);
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      aud: "https://ews.contoso.test",
      upn: TEST_ACCOUNTS.profileAdmin.upn,
      tid: TEST_ACCOUNTS.profileAdmin.tid,
      scp: expect.stringContaining("EWS.AccessAsUser.All"),
    });
    expect(decodeJwt(tokens.id_token)).toMatchObject({
      oid: TEST_ACCOUNTS.profileAdmin.oid,
      preferred_username: TEST_ACCOUNTS.profileAdmin.upn,
    });

    // MSAL re-sends offline_access when refreshing; Entra accepts that, so the provider does too.
    const refreshed = await token({
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      scope: `${EWS_SCOPE} offline_access openid`,
    });
    expect(refreshed.status, refreshed.body).toBe(200);
    const next = JSON.parse(refreshed.body) as { refresh_token: string };
    expect(idp.counters.grants).toMatchObject({ authorization_code: 1, refresh_token: 1 });

    expect(idp.revokeGrants(TEST_ACCOUNTS.profileAdmin)).toBeGreaterThanOrEqual(1);
    const refused = await token({ grant_type: "refresh_token", refresh_token: next.refresh_token });
    expect(refused.status).toBe(400);
    const error = JSON.parse(refused.body) as {
      error: string;
      error_codes: number[];
      error_description: string;
    };
    expect(error).toMatchObject({ error: "invalid_grant", error_codes: [70000] });
    expect(error.error_description).toMatch(/^AADSTS70000: /);
    expect(idp.counters.errors.invalid_grant).toBe(1);
  });

  it("answers a wrong client secret the way Entra does", async () => {
    const res = await token({ grant_type: "client_credentials", client_secret: "wrong" });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({
      error: "invalid_client",
      error_codes: [7000215],
      error_description: expect.stringMatching(/^AADSTS7000215/),
    });
  });

  it("signs tokens with fixed keys, so they stay valid across restarts", async () => {
    const again = await startTestIdentityProvider();
    try {
      const jwks = async (p: TestIdentityProvider) =>
        (await (await fetchTrusting(p.caFile)(`${p.issuer}/jwks`, {})).json()) as unknown;
      expect(await jwks(again)).toEqual(await jwks(idp));
    } finally {
      await again.close();
    }
  });
});
