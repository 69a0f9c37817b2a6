import { useEffect, useState } from "react";
import { detectHost } from "../host/host";

/** Where the panel runs. */
export type HostName = "standalone" | "Teams" | "Outlook" | "Office" | "other";
/** The host's theme names (teams-js `app.Context.app.theme`). */
export type HostTheme = "default" | "dark" | "contrast";

/** What the panel knows about its host. */
export interface HostInfo {
  /** False until detection finished (at most ~1.5 s, and only inside a frame). */
  ready: boolean;
  host: HostName;
  /** The host's theme; null outside a host (then the system's color scheme rules). */
  theme: HostTheme | null;
  locale: string | null;
}

function normalizeTheme(theme: string | null | undefined): HostTheme {
  return theme === "dark" || theme === "contrast" ? theme : "default";
}

function normalizeHost(name: string): HostName {
  return name === "Teams" || name === "Outlook" || name === "Office" ? name : "other";
}

const STANDALONE: HostInfo = { ready: true, host: "standalone", theme: null, locale: null };

/**
 * The host (client/host's detection: teams-js raced against a timeout) and its theme, followed live
 * through `app.registerOnThemeChangeHandler`. Outside a host, or when anything host-only fails, the
 * panel is a plain web app.
 */
export function useHost(): HostInfo {
  const inFrame = typeof window !== "undefined" && window.parent !== window;
  const [info, setInfo] = useState<HostInfo>(inFrame ? { ...STANDALONE, ready: false } : STANDALONE);

  useEffect(() => {
    if (!inFrame) return;
    let cancelled = false;
    const follow = async () => {
      try {
        const host = await detectHost();
        if (cancelled) return;
        if (!host.inHost) return setInfo(STANDALONE);
        setInfo({
          ready: true,
          host: normalizeHost(host.hostName),
          theme: normalizeTheme(host.theme),
          locale: host.locale,
        });
        // teams-js is already loaded and initialized by detectHost.
        const { app } = await import("@microsoft/teams-js");
        app.registerOnThemeChangeHandler((theme) => {
          if (!cancelled) setInfo((prev) => ({ ...prev, theme: normalizeTheme(theme) }));
        });
        app.notifySuccess().catch(() => undefined);
      } catch {
        if (!cancelled) setInfo((prev) => (prev.ready ? prev : STANDALONE));
      }
    };
    void follow();
    return () => {
      cancelled = true;
    };
  }, [inFrame]);

  return info;
}
