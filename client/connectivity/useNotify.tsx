import { Toast, ToastBody, ToastTitle, useToastController, type ToastIntent } from "@fluentui/react-components";
import { useCallback } from "react";

/**
 * Shows a toast in the app shell's Toaster.
 * @example const notify = useNotify(); notify("success", "Mailbox access saved");
 */
export function useNotify(): (intent: ToastIntent, title: string, body?: string) => void {
  const { dispatchToast } = useToastController();
  return useCallback(
    (intent, title, body) =>
      dispatchToast(
        <Toast>
          <ToastTitle>{title}</ToastTitle>
          {body ? <ToastBody>{body}</ToastBody> : null}
        </Toast>,
        { intent, timeout: intent === "error" ? 8000 : 4000 },
      ),
    [dispatchToast],
  );
}
