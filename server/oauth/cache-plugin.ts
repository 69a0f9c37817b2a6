import type { ICachePlugin, TokenCacheContext } from "@azure/msal-node";
import type { Sealer } from "../secrets/sealer";
import { isoNow } from "../domain/clock";
import type { OAuthRepository } from "../store/oauth-repo";
import { parseSecret, parseSettings } from "./connection";

/** msal-node's empty cache: deserializing it clears what an earlier read left in memory. */
const EMPTY_CACHE = JSON.stringify({
  Account: {},
  IdToken: {},
  AccessToken: {},
  RefreshToken: {},
  AppMetadata: {},
});

/**
 * One profile's msal-node cache partition, kept sealed (context = profile id) in the profile's
 * `mailbox_access` row, so every instance shares it. Reads before each cache access; after a change
 * (a refresh) writes back with compare-and-swap, so a reconnect or another instance's newer cache is
 * never overwritten, and stamps the account's `lastRefreshAt`. Callers serialize access per profile.
 */
export class SealedStoreCachePlugin implements ICachePlugin {
  /** The sealed value last read: the expected value for the compare-and-swap. */
  private lastRead: string | null = null;

  constructor(
    private readonly repo: OAuthRepository,
    private readonly sealer: Sealer,
    readonly profileId: string,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const row = await this.repo.findAccess(this.profileId);
    this.lastRead = row?.sealedSecret ?? null;
    const secret = parseSecret(row?.sealedSecret ? this.sealer.open(row.sealedSecret, this.profileId) : null);
    context.tokenCache.deserialize(secret.tokenCache ?? EMPTY_CACHE);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    const row = await this.repo.findAccess(this.profileId);
    if (!row || (row.sealedSecret ?? null) !== this.lastRead) return; // disconnected, reconnected or refreshed elsewhere meanwhile
    const secret = parseSecret(row.sealedSecret ? this.sealer.open(row.sealedSecret, this.profileId) : null);
    if (!secret.homeAccountId) return; // disconnected: nothing to keep
    const settings = parseSettings(row.settings);
    const now = isoNow();
    const account = settings.account ? { ...settings.account, lastRefreshAt: now } : null;
    const sealedSecret = this.sealer.seal(
      JSON.stringify({
        ...secret,
        tokenCache: context.tokenCache.serialize(),
        account: secret.account ? { ...secret.account, lastRefreshAt: now } : account,
      }),
      this.profileId,
    );
    if (
      await this.repo.swapTokenCache(this.profileId, this.lastRead, {
        sealedSecret,
        settings: JSON.stringify({ ...settings, account }),
      })
    ) {
      this.lastRead = sealedSecret;
    }
  }
}
