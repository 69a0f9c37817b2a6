import type { IPublicClientApplication } from "@azure/msal-browser";
import {
  cachedTokens,
  createEntraSignIn,
  REDIRECT_PATH,
  type EntraConfig,
  type EntraSignIn,
} from "../host/auth";
import type { HostContext } from "../host/host";
import type { OfficeApi } from "./office";

/** How the status view gets the signed-in person's token. */
export type StatusSignInMode = EntraSignIn["mode"] | "office-sso" | "cookie";

/** The status view's token source: silent in hosts, a "Sign in" button as the last resort. */
export interface StatusSignIn {
  /** The source in use now (it moves to "popup" when the host's SSO fails). */
  mode(): StatusSignInMode;
  /** A bearer token; null when there is none and the person must press "Sign in" (or, in "cookie" mode, use the cookie). */
  getToken(): Promise<string | null>;
  /** Opens the Microsoft sign-in popup. */
  signIn(): Promise<void>;
}

const OUTSIDE_HOST: HostContext = {
  hostName: "browser",
  theme: null,
  locale: null,
  upn: null,
  tid: null,
  inHost: false,
};

/**
 * Wraps a host's silent source so that, when it fails (SSO not set up, consent missing, an older
 * host), the view falls back to the MSAL popup instead of showing an error.
 */
function withPopupFallback(
  entra: EntraConfig,
  mode: StatusSignInMode,
  silent: () => Promise<string | null>,
): StatusSignIn {
  let popup: EntraSignIn | undefined;
  let current = mode;
  const cachedSilent = cachedTokens(silent);
  const switchToPopup = async (): Promise<EntraSignIn> => {
    popup ??= await createEntraSignIn(entra, OUTSIDE_HOST);
    current = "popup";
    return popup;
  };
  return {
    mode: () => current,
    async getToken() {
      if (popup) return popup.getToken();
      try {
        return await cachedSilent();
      } catch (error) {
        console.warn("Host sign-in failed; offering the Microsoft sign-in popup instead.", error);
        return (await switchToPopup()).getToken();
      }
    },
    async signIn() {
      await (await switchToPopup()).signIn();
    },
  };
}

/** Tabs in Teams, Outlook and Microsoft 365 (teams-js initialized): nested app auth, else getAuthToken. */
export async function tabSignIn(entra: EntraConfig, host: HostContext): Promise<StatusSignIn> {
  const hostSource = await createEntraSignIn(entra, host);
  return withPopupFallback(entra, hostSource.mode, () => hostSource.getToken());
}

/** A plain browser: the MSAL popup with the same-origin redirect page. */
export async function browserSignIn(entra: EntraConfig): Promise<StatusSignIn> {
  const popup = await createEntraSignIn(entra, OUTSIDE_HOST);
  return { mode: () => "popup", getToken: () => popup.getToken(), signIn: () => popup.signIn() };
}

/**
 * The Outlook task pane (after `Office.onReady`): nested app auth when Outlook supports it
 * (requirement set NestedAppAuth 1.1), else Office SSO (`Office.auth.getAccessToken`), else the popup.
 */
export async function officeSignIn(entra: EntraConfig, office: OfficeApi): Promise<StatusSignIn> {
  const supportsNaa = office.context?.requirements?.isSetSupported("NestedAppAuth", "1.1") === true;
  if (supportsNaa) {
    const { createNestablePublicClientApplication } = await import("@azure/msal-browser");
    const pca = await createNestablePublicClientApplication({
      auth: {
        clientId: entra.clientId,
        authority: entra.authority,
        knownAuthorities: entra.knownAuthorities,
        redirectUri: `${window.location.origin}${REDIRECT_PATH}`,
      },
      cache: { cacheLocation: "sessionStorage" },
      system: { protocolMode: entra.protocolMode === "OIDC" ? "OIDC" : "AAD" },
    });
    return withPopupFallback(entra, "naa", () => naaToken(pca, [entra.scope], office));
  }
  return withPopupFallback(entra, "office-sso", () => officeSsoToken(office));
}

async function naaToken(pca: IPublicClientApplication, scopes: string[], office: OfficeApi): Promise<string> {
  const account = pca.getActiveAccount() ?? pca.getAllAccounts()[0];
  try {
    const result = account
      ? await pca.acquireTokenSilent({ scopes, account })
      : await pca.ssoSilent({ scopes });
    pca.setActiveAccount(result.account);
    return result.accessToken;
  } catch {
    // Office SSO still answers where nested auth can't (admin consent missing for the bridge, say).
    return officeSsoToken(office);
  }
}

async function officeSsoToken(office: OfficeApi): Promise<string> {
  if (!office.auth) throw new Error("This Outlook does not offer single sign-on to add-ins.");
  return office.auth.getAccessToken({
    allowSignInPrompt: true,
    allowConsentPrompt: true,
    forMSGraphAccess: false,
  });
}

/** No Entra ID on this server: only a local admin's cookie can call the API. */
export const cookieSignIn: StatusSignIn = {
  mode: () => "cookie",
  getToken: () => Promise.resolve(null),
  signIn: () => Promise.reject(new Error("Sign-in with Microsoft is not configured on this server.")),
};
