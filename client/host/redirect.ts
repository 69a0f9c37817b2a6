import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

// MSAL's popup (and silent iframe) lands here, on the panel's own origin: hand the response to the
// window that opened it. This page loads nothing else, so it is quick and can't start its own sign-in.
broadcastResponseToMainFrame().catch(() => {
  document.body.textContent = "Sign-in could not be completed. Close this window and try again.";
});
