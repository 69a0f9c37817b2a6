import { createHmac, generateKeyPairSync } from "node:crypto";
import { importJWK, SignJWT, type JWK } from "jose";
import fixedJwks from "./jwks.json" with { type: "json" };
import { entraClaims, type TestAccount } from "./accounts";

/** The provider's fixed signing key (test only): tokens stay valid across restarts. */
export const TEST_SIGNING_JWK = fixedJwks.keys[0] as JWK & { kid: string };

/** Ways to make a token the server must refuse. */
export type BadTokenKind =
  "wrong-key" | "wrong-audience" | "wrong-issuer" | "other-tenant" | "expired" | "alg-none" | "hs256";

export interface IssueTokenOptions {
  issuer: string;
  audience: string;
  /** Seconds from now (negative: already expired). Default 3600. */
  expiresIn?: number;
  /** Only RS256 signs with a real key; "none" and "HS256" exist to make forged tokens. */
  alg?: "RS256" | "none" | "HS256";
  /** Sign with another private key (JWK); its `kid` goes in the header, else the fixed key's. */
  key?: JWK;
  /** Claims added or overridden. */
  claims?: Record<string, unknown>;
  scope?: string;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Signs an Entra-shaped access token for a test account, as the test identity provider would.
 * @example const token = await issueToken(TEST_ACCOUNTS.activeUser, { issuer: idp.issuer, audience: TEST_API_CLIENT_ID });
 */
export async function issueToken(account: TestAccount, options: IssueTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (options.expiresIn ?? 3600);
  const payload = {
    ...entraClaims(account),
    scp: options.scope ?? "access_as_user",
    azp: options.audience,
    iss: options.issuer,
    aud: options.audience,
    iat: Math.min(now, exp - 60),
    nbf: Math.min(now, exp - 60),
    exp,
    ...options.claims,
  };
  const alg = options.alg ?? "RS256";
  if (alg === "none") return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`;
  if (alg === "HS256") {
    // The classic confusion attack: HMAC keyed with the provider's public key, which anyone can download.
    const header = b64url({ alg: "HS256", typ: "JWT", kid: TEST_SIGNING_JWK.kid });
    const body = b64url(payload);
    const secret = JSON.stringify({ kty: "RSA", n: TEST_SIGNING_JWK.n, e: TEST_SIGNING_JWK.e });
    return `${header}.${body}.${createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url")}`;
  }
  const key = await importJWK(options.key ?? TEST_SIGNING_JWK, "RS256");
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.key?.kid ?? TEST_SIGNING_JWK.kid })
    .sign(key);
}

/**
 * A token that must be refused, of the given kind, for an otherwise valid account and audience.
 * @example await badToken("expired", TEST_ACCOUNTS.activeUser, { issuer, audience });
 */
export async function badToken(
  kind: BadTokenKind,
  account: TestAccount,
  options: IssueTokenOptions,
): Promise<string> {
  switch (kind) {
    case "wrong-key": {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      return issueToken(account, {
        ...options,
        key: { ...(privateKey.export({ format: "jwk" }) as JWK), kid: TEST_SIGNING_JWK.kid },
      });
    }
    case "wrong-audience":
      return issueToken(account, { ...options, audience: "api://some-other-app" });
    case "wrong-issuer":
      return issueToken(account, { ...options, issuer: "https://evil.example.com" });
    case "other-tenant":
      return issueToken(account, { ...options, claims: { tid: "0a1b2c3d-1111-4222-8333-944455556666" } });
    case "expired":
      return issueToken(account, { ...options, expiresIn: -600 });
    case "alg-none":
      return issueToken(account, { ...options, alg: "none" });
    case "hs256":
      return issueToken(account, { ...options, alg: "HS256" });
  }
}
