import type { AccountInfo, IPublicClientApplication } from "@azure/msal-browser";
import type { AuthConfig } from "../../contract/me";
import { detectHost, type HostContext } from "./host";

/** The Entra part of `GET /api/v1/auth/config`. */
export type EntraConfig = NonNullable<AuthConfig["entra"]>;

/** How the panel gets the signed-in person's token. */
export interface EntraSignIn {
  /** "naa" (nested app auth in a host), "host-sso" (teams-js getAuthToken) or "popup" (a plain browser). */
  mode: "naa" | "host-sso" | "popup";
  /** A bearer token for the API, or null when the person must sign in first (browser only). */
  getToken: () => Promise<string | null>;
  /** Browser: opens the Microsoft sign-in popup. Hosts sign in silently and never need it. */
  signIn: (loginHint?: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Who is signed in (from MSAL's account, or the host's context). */
  account(): { username: string; name: string | null } | null;
}

/** The page MSAL's popups come back to; it hands the response to this window and closes. */
export const REDIRECT_PATH = "/redirect.html";

/**
 * Reads how to sign in from the server; null when Entra ID is not configured (local admins only).
 * @example const entra = await fetchEntraConfig();
 */
export async function fetchEntraConfig(): Promise<EntraConfig | null> {
  const res = await fetch("/api/v1/auth/config", { headers: { accept: "application/json" } });
  if (!res.ok) return null;
  const body = (await res.json()) as { data?: AuthConfig };
  return body.data?.entra ?? null;
}

function msalConfig(entra: EntraConfig) {
  return {
    auth: {
      clientId: entra.clientId,
      authority: entra.authority,
      knownAuthorities: entra.knownAuthorities,
      redirectUri: `${window.location.origin}${REDIRECT_PATH}`,
    },
    cache: { cacheLocation: "sessionStorage" as const },
    system: { protocolMode: entra.protocolMode === "OIDC" ? ("OIDC" as const) : ("AAD" as const) },
  };
}

const view = (account: AccountInfo | null) =>
  account ? { username: account.username, name: account.name ?? null } : null;

/**
 * Builds the token source for where the panel runs. MSAL and teams-js are imported lazily, so a page
 * that never signs in with Entra doesn't load them.
 * - In a host (teams-js initialized): nested app authentication (`createNestablePublicClientApplication`)
 *   when the host offers its bridge, else teams-js `authentication.getAuthToken`.
 * - In a browser: MSAL with a popup and the same-origin redirect page.
 * @example const signIn = await createEntraSignIn(entra); setTokenProvider(signIn.getToken);
 */
export async function createEntraSignIn(entra: EntraConfig, host?: HostContext): Promise<EntraSignIn> {
  host ??= await detectHost();
  const scopes = [entra.scope];
  if (host.inHost) return hostSignIn(entra, host, scopes);
  const { createStandardPublicClientApplication, InteractionRequiredAuthError } =
    await import("@azure/msal-browser");
  const pca = await createStandardPublicClientApplication(msalConfig(entra));
  const active = () => pca.getActiveAccount() ?? pca.getAllAccounts()[0] ?? null;
  return {
    mode: "popup",
    async getToken() {
      const account = active();
      if (!account) return null;
      try {
        return (await pca.acquireTokenSilent({ scopes, account })).accessToken;
      } catch (error) {
        if (error instanceof InteractionRequiredAuthError) return null;
        throw error;
      }
    },
    async signIn(loginHint) {
      const result = await pca.loginPopup({
        scopes,
        loginHint,
        prompt: loginHint ? undefined : "select_account",
      });
      pca.setActiveAccount(result.account);
    },
    async signOut() {
      const account = active();
      pca.setActiveAccount(null);
      // Forget the tokens here without signing the person out of Microsoft everywhere.
      if (account) await pca.clearCache({ account });
    },
    account: () => view(active()),
  };
}

async function hostSignIn(entra: EntraConfig, host: HostContext, scopes: string[]): Promise<EntraSignIn> {
  const bridge = (window as Window & { nestedAppAuthBridge?: unknown }).nestedAppAuthBridge;
  let naa: IPublicClientApplication | undefined;
  if (bridge) {
    const { createNestablePublicClientApplication } = await import("@azure/msal-browser");
    naa = await createNestablePublicClientApplication(msalConfig(entra));
  }
  const viaHostSso = async (): Promise<string> => {
    const { authentication } = await import("@microsoft/teams-js");
    return authentication.getAuthToken();
  };
  const viaNaa = async (pca: IPublicClientApplication): Promise<string> => {
    const account = pca.getActiveAccount() ?? pca.getAllAccounts()[0];
    try {
      const result = account
        ? await pca.acquireTokenSilent({ scopes, account })
        : await pca.ssoSilent({ scopes, loginHint: host.upn ?? undefined });
      pca.setActiveAccount(result.account);
      return result.accessToken;
    } catch {
      // The host can always answer getAuthToken (Teams SSO) when nested auth can't.
      return viaHostSso();
    }
  };
  return {
    mode: naa ? "naa" : "host-sso",
    getToken: () => (naa ? viaNaa(naa) : viaHostSso()),
    // Hosts sign people in themselves; nothing to open.
    signIn: () => Promise.resolve(),
    signOut: () => {
      naa?.setActiveAccount(null);
      return Promise.resolve();
    },
    account: () =>
      view(naa?.getActiveAccount() ?? null) ?? (host.upn ? { username: host.upn, name: null } : null),
  };
}

/**
 * Caches a token source's answers until shortly before the token expires, so every API call doesn't
 * ask MSAL or the host again.
 * @example setTokenProvider(cachedTokens(signIn.getToken));
 */
export function cachedTokens(
  getToken: () => Promise<string | null>,
  marginSeconds = 120,
): () => Promise<string | null> {
  let cached: { token: string; exp: number } | undefined;
  let pending: Promise<string | null> | undefined;
  return async () => {
    if (cached && cached.exp - marginSeconds > Date.now() / 1000) return cached.token;
    pending ??= getToken()
      .then((token) => {
        cached = token ? { token, exp: expiryOf(token) } : undefined;
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

function expiryOf(token: string): number {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as {
      exp?: number;
    };
    return payload.exp ?? 0;
  } catch {
    return 0;
  }
}
