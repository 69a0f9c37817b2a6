/** Office.js from Microsoft's CDN: Office requires add-ins to load it from there (allowed in the page's CSP). */
export const OFFICE_JS_URL = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";

/** How long to wait for `Office.onReady` once the script has loaded (outside Office it resolves with no host). */
export const OFFICE_READY_TIMEOUT_MS = 10_000;

/** The few parts of Office.js the status view uses (no @types/office-js: the page never bundles Office.js). */
export interface OfficeApi {
  onReady(): Promise<{ host: string | null; platform: string | null }>;
  context?: {
    requirements?: { isSetSupported(name: string, minVersion?: string): boolean };
    /** Outlook's theme colors (hex); absent on some platforms. */
    officeTheme?: { bodyBackgroundColor?: string };
    displayLanguage?: string;
    /** Outlook's mailbox: the signed-in person's address (a hint for the "not enrolled" message only). */
    mailbox?: { userProfile?: { emailAddress?: string } };
  };
  auth?: {
    getAccessToken(options?: {
      allowSignInPrompt?: boolean;
      allowConsentPrompt?: boolean;
      forMSGraphAccess?: boolean;
    }): Promise<string>;
  };
}

/** What happened when the page asked for Office.js. */
export type OfficeLoad =
  | { ok: true; office: OfficeApi; host: string | null }
  | { ok: false; reason: "unreachable" | "timeout" | "no-host" };

function injectScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`${src} could not be loaded`));
    document.head.appendChild(script);
  });
}

/**
 * Loads Office.js with a script tag (only in the Outlook task pane) and waits for `Office.onReady`.
 * Never rejects: a blocked CDN, a timeout or a page opened outside Office each give a reason the view
 * can explain.
 * @example const load = await loadOffice(); if (!load.ok) showOfficeUnavailable(load.reason);
 */
export async function loadOffice(
  src = OFFICE_JS_URL,
  timeoutMs = OFFICE_READY_TIMEOUT_MS,
): Promise<OfficeLoad> {
  try {
    await injectScript(src);
  } catch {
    return { ok: false, reason: "unreachable" };
  }
  const office = (window as Window & { Office?: OfficeApi }).Office;
  if (!office) return { ok: false, reason: "unreachable" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const ready = await Promise.race([office.onReady(), timedOut]);
  clearTimeout(timer);
  if (ready === "timeout") return { ok: false, reason: "timeout" };
  // Outside Office, onReady resolves with a null host: the page was opened in a plain browser.
  if (!ready.host) return { ok: false, reason: "no-host" };
  return { ok: true, office, host: ready.host };
}

/** True when Outlook's theme background is dark (Office.js gives colors, not a theme name). */
export function isDarkOfficeTheme(office: OfficeApi): boolean {
  const hex = office.context?.officeTheme?.bodyBackgroundColor?.replace("#", "");
  if (!hex || !/^[0-9a-f]{6}$/i.test(hex)) return false;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5;
}
