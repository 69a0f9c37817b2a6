import type { ICachePlugin, TokenCacheContext } from "@azure/msal-node";
import type { Sealer } from "../secrets/sealer";
import { nowIso, type Db } from "../store/db";
import { parseSecret, parseSettings } from "./connection";
import { OAuthRepository } from "./oauth-repo";

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
    private readonly db: Db,
    private readonly sealer: Sealer,
    readonly profileId: string,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const row = await new OAuthRepository(this.db).findAccess(this.profileId);
    this.lastRead = row?.sealedSecret ?? null;
    const secret = parseSecret(row?.sealedSecret ? this.sealer.open(row.sealedSecret, this.profileId) : null);
    context.tokenCache.deserialize(secret.tokenCache ?? EMPTY_CACHE);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    const repo = new OAuthRepository(this.db);
    const row = await repo.findAccess(this.profileId);
    if (!row || (row.sealedSecret ?? null) !== this.lastRead) return; // disconnected, reconnected or refreshed elsewhere meanwhile
    const secret = parseSecret(row.sealedSecret ? this.sealer.open(row.sealedSecret, this.profileId) : null);
    if (!secret.homeAccountId) return; // disconnected: nothing to keep
    const settings = parseSettings(row.settings);
    const now = nowIso();
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
      await repo.swapTokenCache(this.profileId, this.lastRead, {
        sealedSecret,
        settings: JSON.stringify({ ...settings, account }),
      })
    ) {
      this.lastRead = sealedSecret;
    }
  }
}
