import { useEffect, useState } from "react";
import {
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  webDarkTheme,
  webLightTheme,
  type Theme,
} from "@fluentui/react-components";
import type { HostTheme } from "./useHost";

const darkQuery = "(prefers-color-scheme: dark)";

/** True while the system asks for dark colors; follows changes live. */
export function usePrefersDark(): boolean {
  const [dark, setDark] = useState(
    () => typeof window !== "undefined" && window.matchMedia?.(darkQuery).matches === true,
  );
  useEffect(() => {
    const query = window.matchMedia?.(darkQuery);
    if (!query) return;
    const handleChange = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener("change", handleChange);
    return () => query.removeEventListener("change", handleChange);
  }, []);
  return dark;
}

/** The Fluent theme for a host theme (Teams names) or, outside hosts, the system's scheme. */
export function pickTheme(hostTheme: HostTheme | null, prefersDark: boolean): { theme: Theme; name: string } {
  switch (hostTheme) {
    case "default":
      return { theme: teamsLightTheme, name: "teams-light" };
    case "dark":
      return { theme: teamsDarkTheme, name: "teams-dark" };
    case "contrast":
      return { theme: teamsHighContrastTheme, name: "teams-contrast" };
    case null:
      return prefersDark
        ? { theme: webDarkTheme, name: "web-dark" }
        : { theme: webLightTheme, name: "web-light" };
  }
}
