import { createHash, randomBytes } from "node:crypto";
import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import type { AccessFailure } from "../domain/access-outcome";
import type { Principal } from "../auth/principal";
import { AppError, conflict, preconditionFailed } from "../errors";
import type { Logger } from "../logger";
import type { Sealer } from "../secrets/sealer";
import { recordAudit } from "./audit";
import type { ProfileService } from "./profiles";
import { isoNow as nowIso } from "../domain/clock";
import type { StoreAccess } from "../store/unit-of-work";
import {
  EMPTY_SECRET,
  parseSecret,
  parseSettings,
  type ConnectedAccount,
  type OAuthSecret,
} from "../oauth/connection";
import { mapAuthorizeError, mapTokenError, tokenFailure } from "../oauth/errors";
import { signInScopes } from "../oauth/settings";
import type { OAuthTokens } from "../oauth/tokens";

/** The one-time URL works for 5 minutes; once opened, the sign-in has 10 minutes to come back. */
const START_TTL_MS = 5 * 60_000;
const SIGN_IN_TTL_MS = 10 * 60_000;

export type { ConnectResult, PopupHost } from "../oauth/connect-result";
import type { ConnectResult } from "../oauth/connect-result";

const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");
const random = () => randomBytes(32).toString("base64url");

/** A refusal shown as a page (the popup is a browser window, not an API client). */
export class ConnectPageError extends Error {
  constructor(
    readonly status: number,
    readonly failure: AccessFailure,
  ) {
    super(failure.message);
  }
}

const refused = (code: string, message: string, status = 400) =>
  new ConnectPageError(status, {
    code,
    message,
    remediation: "Close this window and choose Connect account again on the Connectivity tab.",
    transient: false,
  });

/** Someone other than the account the admin named signed in. */
function wrongAccount(upn: string, expected: string, actorName: string): AccessFailure {
  return {
    code: "OAuthWrongAccount",
    message: `${upn} signed in, but ${actorName} asked for ${expected}. Nothing was connected.`,
    remediation: `Close this window. Only ${expected} can complete this link; to connect another account, choose Connect account again and enter its UPN.`,
    transient: false,
  };
}

/** The ID token has no `upn` claim: the account can't be compared with the one the admin named. */
function upnMissing(expected: string): AccessFailure {
  return {
    code: "OAuthUpnMissing",
    message: `The identity provider's ID token has no upn claim, so the account can't be checked against ${expected}. Nothing was connected.`,
    remediation:
      "In the Entra admin center, open the app registration > Token configuration > Add optional claim > ID > upn, save, and choose Connect account again.",
    transient: false,
  };
}

/**
 * "Connect account" for the OAuth impersonated logon: a server-side authorization-code flow with PKCE.
 * `start` (an admin of the profile) stores a one-time URL; `open` (the popup, any instance) consumes it,
 * binds the sign-in to this browser with a cookie and a random state, and sends the browser to the
 * authority; `complete` (the callback) consumes the state once, exchanges the code, and records the
 * account and its token cache as a new version of the profile's mailbox access, audited.
 */
export class ConnectAccountService {
  constructor(
    private readonly store: StoreAccess,
    private readonly sealer: Sealer,
    private readonly profiles: ProfileService,
    private readonly tokens: OAuthTokens | undefined,
    private readonly baseUrl: string,
    private readonly log: Logger,
  ) {}

  private requireTokens(): OAuthTokens {
    if (!this.tokens) {
      throw new AppError(
        412,
        "precondition_failed",
        "Connect account is not configured on this server: set ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET (or ENTRA_CLIENT_CERT_FILE), and ENTRA_TENANT_ID.",
      );
    }
    return this.tokens;
  }

  /**
   * POST /profiles/:id/oauth/start {expectedUpn} → a one-time URL of this server (single use, 5 minutes,
   * bound to the admin, the profile and the service account's UPN the admin expects to sign in).
   */
  async start(principal: Principal, profileId: string, expectedUpn: string): Promise<{ url: string }> {
    this.requireTokens();
    await this.profiles.authorize(principal, profileId);
    const repo = this.store.repos.oauth;
    const access = await repo.findAccess(profileId);
    if (!access) {
      throw preconditionFailed(
        "Choose the Microsoft 365 OAuth impersonated logon type and save its EWS URL first.",
      );
    }
    const settings = parseSettings(access.settings);
    const token = random();
    const now = Date.now();
    await repo.insertAuthorization({
      id: sha256(token),
      profileId,
      actorId: principal.id,
      actorName: principal.name,
      stateHash: null,
      bindingHash: null,
      sealedVerifier: null,
      scopes: signInScopes(settings.ewsUrl).join(" "),
      expectedUpn: expectedUpn.trim().toLowerCase(),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + START_TTL_MS).toISOString(),
      openedAt: null,
      completedAt: null,
    });
    await repo.deleteExpiredAuthorizations(new Date(now - 24 * 3600_000).toISOString());
    return { url: `${this.baseUrl}/api/v1/oauth/go/${token}` };
  }

  /**
   * GET /oauth/go/:token: the link's first page, before anything is consumed: which profile, which admin
   * asked, and whom they expect to sign in (so whoever opens a forwarded link sees what it is for).
   */
  async describe(token: string): Promise<{ profileName: string; actorName: string; expectedUpn: string }> {
    this.requireTokens();
    const row = await this.store.repos.oauth.findPendingAuthorization(sha256(token), nowIso());
    if (!row?.expectedUpn) {
      throw refused("OAuthLinkUsed", "This sign-in link was already used or has expired.", 410);
    }
    return { profileName: row.profileName, actorName: row.actorName, expectedUpn: row.expectedUpn };
  }

  /** GET /oauth/go/:token/continue: consumes the one-time URL; answers the authority's URL and the browser binding. */
  async open(token: string): Promise<{ redirect: string; binding: string }> {
    const tokens = this.requireTokens();
    const id = sha256(token);
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const state = random();
    const binding = random();
    const now = Date.now();
    const row = await this.store.repos.oauth.openAuthorization(id, new Date(now).toISOString(), {
      stateHash: sha256(state),
      bindingHash: sha256(binding),
      sealedVerifier: this.sealer.seal(verifier, id),
      expiresAt: new Date(now + SIGN_IN_TTL_MS).toISOString(),
    });
    if (!row?.expectedUpn) {
      throw refused("OAuthLinkUsed", "This sign-in link was already used or has expired.", 410);
    }
    const redirect = await new ConfidentialClientApplication(tokens.configuration()).getAuthCodeUrl({
      scopes: row.scopes.split(" "),
      redirectUri: tokens.settings.redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      state,
      prompt: "select_account",
      responseMode: "query",
    });
    return { redirect, binding };
  }

  /** GET /oauth/callback: the state once, the same browser, then the code exchange and the new connection. */
  async complete(
    query: { code?: string; state?: string; error?: string; errorDescription?: string },
    binding: string | undefined,
  ): Promise<ConnectResult> {
    const tokens = this.requireTokens();
    if (!query.state) throw refused("OAuthStateMissing", "The sign-in answer has no state.");
    const row = await this.store.repos.oauth.completeAuthorization(sha256(query.state), nowIso());
    if (!row || !row.sealedVerifier) {
      throw refused("OAuthStateRefused", "This sign-in answer is unknown, was already used or has expired.");
    }
    if (!binding || sha256(binding) !== row.bindingHash) {
      throw refused(
        "OAuthBrowserMismatch",
        "This sign-in answer did not come back to the browser that started it.",
        403,
      );
    }
    if (query.error) {
      return {
        ok: false,
        profileId: row.profileId,
        status: 400,
        failure: mapAuthorizeError(query.error, query.errorDescription),
      };
    }
    if (!query.code) throw refused("OAuthCodeMissing", "The sign-in answer has no authorization code.");

    const app = new ConfidentialClientApplication(tokens.configuration());
    let result;
    try {
      result = await app.acquireTokenByCode({
        code: query.code,
        scopes: row.scopes.split(" "),
        redirectUri: tokens.settings.redirectUri,
        codeVerifier: this.sealer.open(row.sealedVerifier, row.id),
      });
    } catch (error) {
      const failure = mapTokenError(error);
      this.log.warn(
        { profileId: row.profileId, code: failure.code, raw: failure.raw },
        "Connect account: the code exchange failed",
      );
      return { ok: false, profileId: row.profileId, status: 400, failure };
    }
    const claims = (result.idTokenClaims ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    // Only `upn`: `preferred_username` and `email` can be changed by the user or be unverified.
    const upn = text(claims.upn) ?? "";
    const tenantId = text(claims.tid) ?? result.account?.tenantId ?? "";
    const objectId = text(claims.oid) ?? result.account?.localAccountId ?? "";
    if (!result.account) {
      return {
        ok: false,
        profileId: row.profileId,
        status: 400,
        failure: tokenFailure("OAuthSignInFailed", undefined, "The identity provider returned no account."),
      };
    }
    const expected = row.expectedUpn ?? "";
    if (!upn || upn.toLowerCase() !== expected) {
      const failure = upn ? wrongAccount(upn, expected, row.actorName) : upnMissing(expected);
      await recordAudit(this.store.repos, {
        actor: { kind: "local", id: row.actorId, name: row.actorName, platformAdmin: false },
        action: "mailbox-access.oauth.connect-refused",
        profileId: row.profileId,
        target: expected || null,
        after: { reason: failure.code, signedIn: upn || null, objectId: objectId || null, tenantId },
      });
      this.log.warn(
        { profileId: row.profileId, code: failure.code, expected, signedIn: upn || null },
        "Connect account: refused the account that signed in",
      );
      return { ok: false, profileId: row.profileId, status: 403, failure };
    }
    if (tokens.settings.tenantId && tenantId.toLowerCase() !== tokens.settings.tenantId.toLowerCase()) {
      return {
        ok: false,
        profileId: row.profileId,
        status: 403,
        failure: tokenFailure(
          "OAuthWrongTenant",
          upn,
          `Tenant ${tenantId}; this app serves ${tokens.settings.tenantId}.`,
        ),
      };
    }
    const account: ConnectedAccount = { upn, tenantId, objectId, connectedAt: nowIso(), lastRefreshAt: null };
    const secret: OAuthSecret = {
      tokenCache: app.getTokenCache().serialize(),
      homeAccountId: result.account.homeAccountId,
      account,
    };
    const actor: Principal = { kind: "local", id: row.actorId, name: row.actorName, platformAdmin: false };
    const saved = await this.store.transaction(async (tx) => {
      const access = await tx.oauth.findAccess(row.profileId);
      if (!access) return false;
      const settings = parseSettings(access.settings);
      // The EWS host changed since the link was made: the token is for the old one.
      if (signInScopes(settings.ewsUrl).join(" ") !== row.scopes) return false;
      const before = settings.account;
      const ok = await tx.oauth.saveVersion(row.profileId, access.version, {
        sealedSecret: this.sealer.seal(JSON.stringify(secret), row.profileId),
        settings: JSON.stringify({ ...settings, account }),
        updatedAt: account.connectedAt,
        updatedBy: row.actorName,
      });
      if (ok) {
        await recordAudit(tx, {
          actor,
          action: "mailbox-access.oauth.connect",
          profileId: row.profileId,
          before: before ? { account: before } : undefined,
          after: { account, version: access.version + 1 },
        });
      }
      return ok;
    });
    if (!saved) {
      return {
        ok: false,
        profileId: row.profileId,
        status: 409,
        failure: refused(
          "OAuthProfileChanged",
          "The profile's mailbox access changed meanwhile (another type, or another save).",
        ).failure,
      };
    }
    tokens.forget(row.profileId);
    this.log.info(
      { profileId: row.profileId, account: upn, tenantId },
      "Connect account: service account connected",
    );
    return { ok: true, profileId: row.profileId, account };
  }

  /** DELETE /profiles/:id/oauth: wipes the token cache and the connected account (a new version, audited). */
  async disconnect(principal: Principal, profileId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      await this.profiles.authorizeIn(tx, principal, profileId);
      const access = await tx.oauth.findAccess(profileId);
      if (!access) throw conflict("This profile does not use the Microsoft 365 OAuth impersonated logon.");
      const settings = parseSettings(access.settings);
      const secret = parseSecret(
        access.sealedSecret ? this.sealer.open(access.sealedSecret, profileId) : null,
      );
      if (!settings.account && !secret.tokenCache) return;
      const saved = await tx.oauth.saveVersion(profileId, access.version, {
        sealedSecret: this.sealer.seal(JSON.stringify(EMPTY_SECRET), profileId),
        settings: JSON.stringify({ ...settings, account: null }),
        updatedAt: nowIso(),
        updatedBy: principal.name,
      });
      if (!saved) {
        throw preconditionFailed(
          "The mailbox access settings were changed meanwhile. Reload them and try again.",
        );
      }
      await recordAudit(tx, {
        actor: principal,
        action: "mailbox-access.oauth.disconnect",
        profileId,
        before: { account: settings.account },
        after: { account: null, version: access.version + 1 },
      });
    });
    this.tokens?.forget(profileId);
  }
}
