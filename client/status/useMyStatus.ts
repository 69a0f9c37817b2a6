import { useCallback, useEffect, useRef, useState } from "react";
import type { MeStatus } from "../../contract/me";
import { fetchMyStatus } from "./api";
import type { StatusSignIn } from "./signIn";

/** How often the view reads the status again while it stays open (the monitor checks every 30 minutes by default). */
export const REFRESH_INTERVAL_MS = 3 * 60_000;

/** What the view shows. A failed refresh keeps the last status and says it could not refresh. */
export type MyStatusView =
  | { phase: "loading" }
  | { phase: "signed-out"; message?: string }
  | { phase: "ok"; status: MeStatus; fetchedAt: number; refreshError?: string; refreshing: boolean }
  | { phase: "failed"; message: string };

/**
 * Reads `/me/status` now, on window focus (and when the tab becomes visible) and every few minutes.
 * @example const { view, refresh, signIn } = useMyStatus(setup.signIn);
 */
export function useMyStatus(source: StatusSignIn) {
  const [view, setView] = useState<MyStatusView>({ phase: "loading" });
  const inFlight = useRef<Promise<void> | undefined>(undefined);

  const load = useCallback((): Promise<void> => {
    inFlight.current ??= (async () => {
      setView((v) => (v.phase === "ok" ? { ...v, refreshing: true } : v));
      let token: string | null;
      try {
        token = await source.getToken();
      } catch (error) {
        setView({ phase: "signed-out", message: error instanceof Error ? error.message : undefined });
        return;
      }
      // No token and no cookie session to fall back on: offer "Sign in" without a doomed request.
      if (!token && source.mode() !== "cookie") return setView({ phase: "signed-out" });
      const result = await fetchMyStatus(token);
      setView((v) => {
        if (result.kind === "ok") {
          return { phase: "ok", status: result.status, fetchedAt: Date.now(), refreshing: false };
        }
        if (result.kind === "signed-out") return { phase: "signed-out" };
        return v.phase === "ok"
          ? { ...v, refreshing: false, refreshError: result.message }
          : { phase: "failed", message: result.message };
      });
    })().finally(() => {
      inFlight.current = undefined;
    });
    return inFlight.current;
  }, [source]);

  useEffect(() => {
    void load();
    const onFocus = () => void load();
    const onVisible = () => {
      if (document.visibilityState === "visible") void load();
    };
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onVisible);
    const timer = setInterval(() => void load(), REFRESH_INTERVAL_MS);
    return () => {
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onVisible);
      clearInterval(timer);
    };
  }, [load]);

  const signIn = useCallback(async () => {
    try {
      await source.signIn();
    } catch (error) {
      setView({
        phase: "signed-out",
        message: error instanceof Error ? error.message : "Sign-in did not complete.",
      });
      return;
    }
    await load();
  }, [source, load]);

  return { view, refresh: load, signIn };
}
