import { useEffect, useState } from "react";

/** Where the panel runs. */
export type HostName = "standalone" | "Teams" | "Outlook" | "Office" | "other";
/** The host's theme names (teams-js `app.Context.app.theme`). */
export type HostTheme = "default" | "dark" | "contrast";

/** What the panel knows about its host. */
export interface HostInfo {
  /** False until detection finished (at most ~1.5 s). */
  ready: boolean;
  host: HostName;
  /** The host's theme; null outside a host (then the system's color scheme rules). */
  theme: HostTheme | null;
  locale: string | null;
}

/** How long to wait for teams-js before deciding there is no host: inside a foreign frame it can hang. */
export const HOST_DETECTION_TIMEOUT_MS = 1500;

function timeout(ms: number): Promise<"timeout"> {
  return new Promise((resolve) => setTimeout(() => resolve("timeout"), ms));
}

function normalizeTheme(theme: string | undefined): HostTheme {
  return theme === "dark" || theme === "contrast" ? theme : "default";
}

/**
 * The parent frame's origin. teams-js only answers origins it trusts; CSP `frame-ancestors`
 * already limits who may frame the panel, so the actual parent is safe to add.
 */
function parentOrigin(): string | null {
  const ancestors = window.location.ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? null;
  try {
    return document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    return null;
  }
}

const STANDALONE: HostInfo = { ready: true, host: "standalone", theme: null, locale: null };

/**
 * Detects a Teams/Outlook/M365 host with teams-js (loaded lazily, only inside a frame) raced against
 * a timeout, and follows the host's theme live. Outside a host — or when anything host-only fails —
 * the panel is a plain web app.
 */
export function useHost(): HostInfo {
  const inFrame = typeof window !== "undefined" && window.parent !== window;
  const [info, setInfo] = useState<HostInfo>(inFrame ? { ...STANDALONE, ready: false } : STANDALONE);

  useEffect(() => {
    if (!inFrame) return;
    let cancelled = false;
    const detect = async () => {
      try {
        const { app } = await import("@microsoft/teams-js");
        const origin = parentOrigin();
        const init = app.initialize(origin ? [origin] : undefined).then(() => "ok" as const);
        if ((await Promise.race([init, timeout(HOST_DETECTION_TIMEOUT_MS)])) !== "ok") throw new Error("no host answered");
        const context = await app.getContext();
        if (cancelled) return;
        const hostName = context.app.host.name as string;
        const host: HostName = hostName === "Teams" || hostName === "Outlook" || hostName === "Office" ? hostName : "other";
        setInfo({ ready: true, host, theme: normalizeTheme(context.app.theme), locale: context.app.locale ?? null });
        app.registerOnThemeChangeHandler((theme) => {
          if (!cancelled) setInfo((prev) => ({ ...prev, theme: normalizeTheme(theme) }));
        });
        app.notifySuccess();
      } catch {
        if (!cancelled) setInfo(STANDALONE);
      }
    };
    void detect();
    return () => {
      cancelled = true;
    };
  }, [inFrame]);

  return info;
}
