/** The connected service account, as the panel shows it (never a token). */
export interface ConnectedAccount {
  upn: string;
  tenantId: string;
  objectId: string;
  connectedAt: string;
  /** When a token was last fetched from the identity provider (a refresh), or null. */
  lastRefreshAt: string | null;
}

/** Stored, non-secret settings of the OAuth impersonated type. */
export interface OAuthSettings {
  ewsUrl: string;
  account: ConnectedAccount | null;
}

/** Sealed part: msal-node's serialized token cache and the account's cache key. */
export interface OAuthSecret {
  /** msal-node's serialized cache (JSON text), or null once disconnected. */
  tokenCache: string | null;
  /** msal-node's `homeAccountId` of the connected account. */
  homeAccountId: string | null;
  /** The connected account, kept here too so a PUT that changes the EWS URL keeps the connection. */
  account: ConnectedAccount | null;
}

export const EMPTY_SECRET: OAuthSecret = { tokenCache: null, homeAccountId: null, account: null };

/** Parses a stored secret, tolerating older shapes. */
export function parseSecret(json: string | null): OAuthSecret {
  if (!json) return { ...EMPTY_SECRET };
  const value = JSON.parse(json) as Partial<OAuthSecret>;
  return {
    tokenCache: value.tokenCache ?? null,
    homeAccountId: value.homeAccountId ?? null,
    account: value.account ?? null,
  };
}

/** Parses stored settings. */
export function parseSettings(json: string): OAuthSettings {
  const value = JSON.parse(json) as Partial<OAuthSettings>;
  return { ewsUrl: value.ewsUrl ?? "", account: value.account ?? null };
}
