import {
  ConfidentialClientApplication,
  LogLevel,
  type AuthenticationResult,
  type Configuration,
} from "@azure/msal-node";
import type { AccessFailure } from "../domain/access-outcome";
import type { Logger } from "../logger";
import type { Sealer } from "../secrets/sealer";
import type { OAuthRepository } from "../store/oauth-repo";
import { SealedStoreCachePlugin } from "./cache-plugin";
import { mapTokenError, tokenFailure } from "./errors";
import { TrustingNetworkClient } from "./network";
import { ewsScopes, type ConnectAccountSettings } from "./settings";

/** A token for EWS, or why there is none. */
export type TokenOutcome =
  { ok: true; accessToken: string; expiresAt: number } | { ok: false; failure: AccessFailure };

/** Who the token is for: the connected account's cache key and UPN, and the EWS URL (the resource). */
export interface TokenRequest {
  profileId: string;
  homeAccountId: string | null;
  upn: string;
  ewsUrl: string;
}

interface MemoryToken {
  accessToken: string;
  obtainedAt: number;
  expiresAt: number;
  key: string;
}

/**
 * EWS access tokens for connected service accounts: one msal-node ConfidentialClientApplication per
 * profile (its cache partition, sealed in the store and shared by instances), `acquireTokenSilent`
 * with the account (msal refreshes with the refresh token when needed), concurrent requests per
 * profile coalesced into one, and the token kept in memory until shortly before it expires (msal-node
 * renews five minutes early, which would refresh on every call with short-lived tokens).
 * @example const t = await tokens.accessToken({ profileId, homeAccountId, upn, ewsUrl });
 */
export class OAuthTokens {
  private readonly apps = new Map<string, ConfidentialClientApplication>();
  private readonly memory = new Map<string, MemoryToken>();
  private readonly inflight = new Map<string, Promise<TokenOutcome>>();
  private readonly queues = new Map<string, Promise<unknown>>();
  readonly network: TrustingNetworkClient;

  constructor(
    /** The OAuth type's rows (each profile's sealed token cache), outside any transaction. */
    private readonly repo: OAuthRepository,
    private readonly sealer: Sealer,
    readonly settings: ConnectAccountSettings,
    private readonly log: Logger,
  ) {
    this.network = new TrustingNetworkClient(settings.caFile);
  }

  /** msal-node's configuration; with a cache plugin for a profile's partition, or in memory (code exchange). */
  configuration(cachePlugin?: SealedStoreCachePlugin): Configuration {
    return {
      auth: this.settings.msalAuth,
      cache: cachePlugin ? { cachePlugin } : {},
      system: {
        networkClient: this.network,
        protocolMode: this.settings.protocolMode,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          // msal-node never logs tokens with PII logging off; its messages go to our logger at debug level.
          loggerCallback: (_level, message, containsPii) => {
            if (!containsPii) this.log.debug({ msal: message }, "msal-node");
          },
        },
      },
    };
  }

  /** The profile's application, bound to its cache partition. */
  private app(profileId: string): ConfidentialClientApplication {
    let app = this.apps.get(profileId);
    if (!app) {
      app = new ConfidentialClientApplication(
        this.configuration(new SealedStoreCachePlugin(this.repo, this.sealer, profileId)),
      );
      this.apps.set(profileId, app);
    }
    return app;
  }

  /** Runs msal operations of one profile one at a time (the cache plugin's read-then-write must not interleave). */
  private serialized<T>(profileId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(profileId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.queues.set(profileId, tail);
    void tail.then(() => {
      if (this.queues.get(profileId) === tail) this.queues.delete(profileId);
    });
    return next;
  }

  /** A valid access token for EWS (from memory, msal's cache, or a refresh), or the mapped failure. */
  accessToken(request: TokenRequest): Promise<TokenOutcome> {
    if (!request.homeAccountId) {
      return Promise.resolve({ ok: false, failure: tokenFailure("OAuthNotConnected") });
    }
    const key = `${request.homeAccountId}\u0000${ewsScopes(request.ewsUrl).join(" ")}`;
    const cached = this.memory.get(request.profileId);
    if (cached && cached.key === key && cached.expiresAt - marginMs(cached) > Date.now()) {
      return Promise.resolve({ ok: true, accessToken: cached.accessToken, expiresAt: cached.expiresAt });
    }
    const running = this.inflight.get(request.profileId);
    if (running) return running;
    const promise = this.serialized(request.profileId, () => this.acquire(request, key)).finally(() =>
      this.inflight.delete(request.profileId),
    );
    this.inflight.set(request.profileId, promise);
    return promise;
  }

  private async acquire(request: TokenRequest, key: string): Promise<TokenOutcome> {
    const app = this.app(request.profileId);
    try {
      const account = await app.getTokenCache().getAccountByHomeId(request.homeAccountId!);
      if (!account) {
        return {
          ok: false,
          failure: tokenFailure(
            "OAuthGrantRevoked",
            request.upn,
            "The token cache holds no account: disconnected or never connected.",
          ),
        };
      }
      const result: AuthenticationResult = await app.acquireTokenSilent({
        account,
        scopes: ewsScopes(request.ewsUrl),
      });
      const expiresAt = result.expiresOn?.getTime() ?? Date.now() + 5 * 60_000;
      this.memory.set(request.profileId, {
        accessToken: result.accessToken,
        obtainedAt: Date.now(),
        expiresAt,
        key,
      });
      if (!result.fromCache) {
        this.log.info(
          { profileId: request.profileId, account: request.upn },
          "refreshed the service account's EWS token",
        );
      }
      return { ok: true, accessToken: result.accessToken, expiresAt };
    } catch (error) {
      const failure = mapTokenError(error, request.upn);
      this.log.warn(
        { profileId: request.profileId, account: request.upn, code: failure.code, raw: failure.raw },
        "could not get an EWS token for the service account",
      );
      return { ok: false, failure };
    }
  }

  /** Drops what this instance holds for a profile (its configuration or connection changed). */
  forget(profileId: string): void {
    this.memory.delete(profileId);
    this.apps.delete(profileId);
  }

  close(): void {
    this.network.close();
  }
}

/** How long before expiry a token is no longer handed out: a tenth of its lifetime, between 2 s and 2 min. */
function marginMs(token: MemoryToken): number {
  return Math.min(120_000, Math.max(2_000, (token.expiresAt - token.obtainedAt) / 10));
}
