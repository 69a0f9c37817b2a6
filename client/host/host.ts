/** Where the panel runs, as the sign-in glue needs it. */
export interface HostContext {
  /** "Teams", "Outlook", "Office", ... from teams-js; "browser" outside any host. */
  hostName: string;
  /** The host's theme ("default" | "dark" | "contrast"); null in a browser. */
  theme: string | null;
  locale: string | null;
  /** The signed-in person's UPN as the host knows it (a login hint only; never trusted by the server). */
  upn: string | null;
  tid: string | null;
  /** True when teams-js initialized (tabs in Teams, Outlook, Microsoft 365). */
  inHost: boolean;
}

/** How long to wait for teams-js: inside a foreign frame `app.initialize()` can hang. */
export const HOST_TIMEOUT_MS = 1500;

const BROWSER: HostContext = {
  hostName: "browser",
  theme: null,
  locale: null,
  upn: null,
  tid: null,
  inHost: false,
};

let detection: Promise<HostContext> | undefined;

function parentOrigin(): string | undefined {
  const ancestors = window.location.ancestorOrigins;
  if (ancestors?.length) return ancestors[0];
  try {
    return document.referrer ? new URL(document.referrer).origin : undefined;
  } catch {
    return undefined;
  }
}

async function detect(timeoutMs: number): Promise<HostContext> {
  // Outside a frame there is no host: don't even load teams-js (it keeps the status view small).
  if (typeof window === "undefined" || window.parent === window) return BROWSER;
  try {
    const { app } = await import("@microsoft/teams-js");
    const origin = parentOrigin();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const initialized = app.initialize(origin ? [origin] : undefined).then(() => "ok" as const);
    const outcome = await Promise.race([initialized, timedOut]);
    clearTimeout(timer);
    if (outcome !== "ok") return BROWSER;
    const context = await app.getContext();
    return {
      hostName: String(context.app.host.name),
      theme: context.app.theme ?? null,
      locale: context.app.locale ?? null,
      upn: context.user?.userPrincipalName ?? context.user?.loginHint ?? null,
      tid: context.user?.tenant?.id ?? null,
      inHost: true,
    };
  } catch {
    // teams-js rejects outside a host (2.58): a plain browser, or a frame of some other page.
    return BROWSER;
  }
}

/**
 * Detects the host once per page: teams-js `app.initialize()` raced against a timeout, then
 * `getContext()`. Office.js is not touched here (the add-in page initializes it itself).
 * @example const host = await detectHost(); if (host.inHost) ...
 */
export function detectHost(timeoutMs = HOST_TIMEOUT_MS): Promise<HostContext> {
  detection ??= detect(timeoutMs);
  return detection;
}

/** Forgets the detected host (tests). */
export function resetHostDetection(): void {
  detection = undefined;
}
