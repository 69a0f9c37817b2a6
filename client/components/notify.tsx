import { Toast, ToastBody, Toaster, ToastTitle, useToastController } from "@fluentui/react-components";
import { useCallback } from "react";
import { errorMessage } from "../api/client";

/** The one toaster of the app: the default (unnamed) toaster, so every feature's `useToastController()` reaches it. */
export const TOASTER_ID = undefined;

/** Renders the app's toaster (once, in the shell). */
export function AppToaster() {
  return <Toaster toasterId={TOASTER_ID} position="bottom-end" pauseOnHover pauseOnWindowBlur />;
}

/** Shows result toasts: `notify.success("Saved")`, `notify.error(err)`. */
export function useNotify() {
  const { dispatchToast } = useToastController(TOASTER_ID);
  const show = useCallback(
    (intent: "success" | "error" | "info" | "warning", title: string, body?: string) =>
      dispatchToast(
        <Toast>
          <ToastTitle>{title}</ToastTitle>
          {body && <ToastBody>{body}</ToastBody>}
        </Toast>,
        {
          intent,
          timeout: intent === "error" ? 8000 : 4000,
          politeness: intent === "error" ? "assertive" : "polite",
        },
      ),
    [dispatchToast],
  );
  return {
    success: useCallback((title: string, body?: string) => show("success", title, body), [show]),
    info: useCallback((title: string, body?: string) => show("info", title, body), [show]),
    error: useCallback(
      (err: unknown, title = "That didn't work") => show("error", title, errorMessage(err)),
      [show],
    ),
  };
}
