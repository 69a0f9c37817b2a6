import { useSyncExternalStore } from "react";

/** The pages of the panel, parsed from the URL path. */
export type Route =
  | { page: "profiles" }
  | { page: "profile"; profileId: string; tab: ProfileTab }
  | { page: "settings" }
  | { page: "problems" }
  | { page: "setup"; token: string }
  | { page: "not-found"; path: string };

/** Tabs of the Profile page, as they appear in its URL. */
export const profileTabs = ["general", "users", "problems", "connectivity", "activity"] as const;
export type ProfileTab = (typeof profileTabs)[number];

/** Reads a route from a path and query string. */
export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === "profiles" && parts.length === 1)) return { page: "profiles" };
  if (parts[0] === "profiles" && parts[1]) {
    const tab = (profileTabs as readonly string[]).includes(parts[2] ?? "")
      ? (parts[2] as ProfileTab)
      : "general";
    return { page: "profile", profileId: parts[1], tab };
  }
  if (parts[0] === "settings") return { page: "settings" };
  if (parts[0] === "problems" && parts.length === 1) return { page: "problems" };
  if (parts[0] === "setup") return { page: "setup", token: new URLSearchParams(search).get("token") ?? "" };
  return { page: "not-found", path: pathname };
}

/** The path of a route (the inverse of parseRoute). */
export function routePath(route: Route): string {
  switch (route.page) {
    case "profiles":
      return "/";
    case "profile":
      return `/profiles/${encodeURIComponent(route.profileId)}${route.tab === "general" ? "" : `/${route.tab}`}`;
    case "settings":
      return "/settings";
    case "problems":
      return "/problems";
    case "setup":
      return `/setup?token=${encodeURIComponent(route.token)}`;
    case "not-found":
      return route.path;
  }
}

const listeners = new Set<() => void>();
function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}
const snapshot = () => window.location.pathname + window.location.search;

/** Goes to a route with the History API (no reload); `replace` keeps the history length. */
export function navigate(to: Route | string, options: { replace?: boolean } = {}): void {
  const path = typeof to === "string" ? to : routePath(to);
  if (path === snapshot()) return;
  if (options.replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

/** The current route; re-renders on navigation and back/forward. */
export function useRoute(): Route {
  const current = useSyncExternalStore(subscribe, snapshot, snapshot);
  const [pathname, search = ""] = current.split(/(?=\?)/);
  return parseRoute(pathname ?? "/", search);
}

/** Props for an `<a>` that navigates in-app on a plain click and still opens in a new tab on ctrl/cmd-click. */
export function linkProps(to: Route): {
  href: string;
  onClick: (e: React.MouseEvent<HTMLAnchorElement>) => void;
} {
  const href = routePath(to);
  return {
    href,
    onClick: (e) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(href);
    },
  };
}
