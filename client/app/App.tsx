import { FluentProvider, makeStyles, tokens } from "@fluentui/react-components";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { createQueryClient } from "../api/queryClient";
import { AppToaster } from "../components/notify";
import { PageSkeleton } from "../components/Skeletons";
import { AppRoutes } from "./AppRoutes";
import { pickTheme, usePrefersDark } from "./theme";
import { useHost } from "./useHost";

const useStyles = makeStyles({
  root: {
    minHeight: "100vh",
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
  },
});

/**
 * The admin panel: theme from the host (Teams light/dark/contrast, live) or the system, server state
 * through TanStack Query, and the routes.
 */
export function App({ queryClient }: { queryClient?: QueryClient }) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  const host = useHost();
  const prefersDark = usePrefersDark();
  const { theme, name } = pickTheme(host.theme, prefersDark);
  const styles = useStyles();

  useEffect(() => {
    document.documentElement.dataset.theme = name;
    document.documentElement.style.colorScheme = name.endsWith("light") ? "light" : "dark";
    if (host.locale) document.documentElement.lang = host.locale;
  }, [name, host.locale]);

  return (
    <QueryClientProvider client={client}>
      <FluentProvider theme={theme} data-host={host.host}>
        {/* Page colors go on an inner div: portals copy the provider's classes, and a full-height
            background there would cover the page. */}
        <div className={styles.root}>{host.ready ? <AppRoutes host={host.host} /> : <PageSkeleton />}</div>
        <AppToaster />
      </FluentProvider>
    </QueryClientProvider>
  );
}
