import { useEffect, useState } from "react";

/**
 * The current time for "4 minutes ago" texts, refreshed every `everyMs` so they stay true while a page
 * stays open (and render stays pure: no clock reads during render).
 * @example const now = useNow(); relativeTime(user.lastSyncAt, now);
 */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
