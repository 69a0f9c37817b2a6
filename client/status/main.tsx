import {
  FluentProvider,
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  webDarkTheme,
  webLightTheme,
  type Theme,
} from "@fluentui/react-components";
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { startHost, type HostSetup, type ThemeName } from "./startHost";
import { StatusApp } from "./StatusApp";

function fluentTheme(theme: ThemeName, inTeamsTab: boolean): Theme {
  if (theme === "contrast") return teamsHighContrastTheme;
  if (inTeamsTab) return theme === "dark" ? teamsDarkTheme : teamsLightTheme;
  return theme === "dark" ? webDarkTheme : webLightTheme;
}

/** Starts the host glue once, follows the host's theme, and renders the view. */
function StatusRoot() {
  const [setup, setSetup] = useState<HostSetup | null>(null);
  const [theme, setTheme] = useState<ThemeName>(() =>
    window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light",
  );

  useEffect(() => {
    let live = true;
    void startHost().then((result) => {
      if (!live) return;
      setSetup(result);
      if (result.kind === "ready") {
        setTheme(result.theme);
        result.watchTheme((next) => live && setTheme(next));
      }
    });
    return () => {
      live = false;
    };
  }, []);

  const inTeamsTab = setup?.kind === "ready" && setup.where === "tab";
  const fluent = fluentTheme(theme, inTeamsTab);
  useEffect(() => {
    // The body around the column takes the theme's background too (wide tabs, overscroll).
    document.documentElement.dataset.theme = theme;
    document.body.style.backgroundColor = fluent.colorNeutralBackground1;
  }, [theme, fluent]);

  return (
    <FluentProvider theme={fluent}>
      <StatusApp setup={setup} />
    </FluentProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <StatusRoot />
  </StrictMode>,
);
