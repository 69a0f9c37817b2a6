import { useState } from "react";
import { Button, MessageBar, MessageBarBody, Spinner } from "@fluentui/react-components";
import { useQueryClient } from "@tanstack/react-query";
import { signInWithMicrosoft } from "./entra-session";
import { useEntraSignIn } from "./useEntraSignIn";

/**
 * "Sign in with Microsoft" (MSAL popup) for a browser, when the server has Entra ID configured.
 * Renders nothing when Entra is off, and nothing in hosts (they sign in silently).
 * @example <MicrosoftSignInButton />
 */
export function MicrosoftSignInButton({ loginHint }: { loginHint?: string }) {
  const entra = useEntraSignIn();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (entra.status !== "signed-out" && entra.status !== "error") return null;
  if (entra.status === "error" && !entra.host) return null;

  const handleClick = async () => {
    setBusy(true);
    setError(null);
    try {
      await signInWithMicrosoft(loginHint);
      await queryClient.invalidateQueries();
    } catch (err) {
      setError(
        err instanceof Error && /popup|user_cancelled|cancel/i.test(err.message)
          ? "The sign-in window was closed or blocked. Allow pop-ups for this site and try again."
          : err instanceof Error
            ? err.message
            : "Sign-in failed.",
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {(error ?? (entra.status === "error" ? entra.message : null)) && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{error ?? (entra.status === "error" ? entra.message : "")}</MessageBarBody>
        </MessageBar>
      )}
      <Button
        appearance="secondary"
        onClick={() => void handleClick()}
        disabled={busy}
        icon={busy ? <Spinner size="tiny" /> : undefined}
      >
        Sign in with Microsoft
      </Button>
    </>
  );
}
