/**
 * Opens the one-time Connect account URL: teams-js `authentication.authenticate` inside a Teams or
 * Outlook tab, a browser popup otherwise. Resolves when the sign-in window closes (host) or opened
 * (browser; the panel refreshes when the window closes).
 */
export async function openAuthWindow(url: string): Promise<"host" | "popup" | "blocked"> {
  if (window.parent !== window) {
    try {
      const { app, authentication } = await import("@microsoft/teams-js");
      if (app.isInitialized()) {
        await authentication.authenticate({ url, width: 600, height: 680 }).catch(() => undefined);
        return "host";
      }
    } catch {
      // Not in a host that teams-js can talk to: the browser popup below still works.
    }
  }
  const popup = window.open(url, "connect-account", "popup,width=600,height=680");
  if (!popup) return "blocked";
  await new Promise<void>((resolve) => {
    const timer = window.setInterval(() => {
      if (popup.closed) {
        window.clearInterval(timer);
        resolve();
      }
    }, 500);
  });
  return "popup";
}
