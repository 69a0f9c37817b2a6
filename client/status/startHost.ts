import { fetchEntraConfig } from "../host/auth";
import { detectHost } from "../host/host";
import { isDarkOfficeTheme, loadOffice, type OfficeLoad } from "./office";
import { browserSignIn, cookieSignIn, officeSignIn, tabSignIn, type StatusSignIn } from "./signIn";

/** The view's color scheme: the host's theme, or the browser's preference outside a host. */
export type ThemeName = "light" | "dark" | "contrast";

/** Where the view runs. `?host=outlook` is the Outlook task pane (Office.js); anything else tries teams-js. */
export type HostKind = "tab" | "outlook" | "browser";

/** The host glue's outcome, before any status is read. */
export type HostSetup =
  | {
      kind: "ready";
      where: HostKind;
      hostName: string;
      upn: string | null;
      signIn: StatusSignIn;
      theme: ThemeName;
      watchTheme(onChange: (theme: ThemeName) => void): void;
    }
  /** The task pane could not get Office.js (CDN blocked, offline, or the page is not inside Outlook). */
  | { kind: "office-unavailable"; reason: Extract<OfficeLoad, { ok: false }>["reason"] }
  | { kind: "failed"; message: string };

/** Maps a Teams theme name ("default" | "dark" | "contrast") to the view's. */
export function themeFromTeams(theme: string | null | undefined): ThemeName {
  return theme === "dark" ? "dark" : theme === "contrast" ? "contrast" : "light";
}

function browserTheme(): ThemeName {
  if (window.matchMedia("(forced-colors: active)").matches) return "contrast";
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function watchBrowserTheme(onChange: (theme: ThemeName) => void): void {
  for (const query of ["(forced-colors: active)", "(prefers-color-scheme: dark)"]) {
    window.matchMedia(query).addEventListener("change", () => onChange(browserTheme()));
  }
}

/** The host the page was opened for, from `?host=` (the manifest sets it). */
export function requestedHost(search = window.location.search): "tab" | "outlook" | null {
  const host = new URLSearchParams(search).get("host");
  return host === "tab" || host === "outlook" ? host : null;
}

/**
 * Connects to the host and picks the token source: Office.js in the Outlook task pane, teams-js in
 * tabs (also tried whenever the page is framed), the MSAL popup in a plain browser.
 * @example const setup = await startHost(); if (setup.kind === "ready") await setup.signIn.getToken();
 */
export async function startHost(): Promise<HostSetup> {
  try {
    if (requestedHost() === "outlook") {
      // Office.js first: the CDN may be unreachable, and that must be said even when sign-in is off.
      const office = await loadOffice();
      if (!office.ok) return { kind: "office-unavailable", reason: office.reason };
      const entra = await fetchEntraConfig();
      return {
        kind: "ready",
        where: "outlook",
        hostName: office.host ?? "Outlook",
        upn: office.office.context?.mailbox?.userProfile?.emailAddress ?? null,
        signIn: entra ? await officeSignIn(entra, office.office) : cookieSignIn,
        theme: isDarkOfficeTheme(office.office) ? "dark" : browserTheme(),
        watchTheme: watchBrowserTheme,
      };
    }
    const [host, entra] = await Promise.all([detectHost(), fetchEntraConfig()]);
    if (host.inHost) {
      return {
        kind: "ready",
        where: "tab",
        hostName: host.hostName,
        upn: host.upn,
        signIn: entra ? await tabSignIn(entra, host) : cookieSignIn,
        theme: themeFromTeams(host.theme),
        watchTheme: (onChange) => {
          void import("@microsoft/teams-js").then(({ app }) =>
            app.registerOnThemeChangeHandler((theme) => onChange(themeFromTeams(theme))),
          );
        },
      };
    }
    return {
      kind: "ready",
      where: "browser",
      hostName: "browser",
      upn: null,
      signIn: entra ? await browserSignIn(entra) : cookieSignIn,
      theme: browserTheme(),
      watchTheme: watchBrowserTheme,
    };
  } catch (error) {
    return { kind: "failed", message: error instanceof Error ? error.message : "The page could not start." };
  }
}
