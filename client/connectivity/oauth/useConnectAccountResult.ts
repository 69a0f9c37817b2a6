import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useNotify } from "../../components/notify";
import { connectivityKeys } from "../api";

/** The `type` the Connect account result page posts (server/oauth/popup-page.ts). */
const RESULT_MESSAGE_TYPE = "mailbox-sync-admin:connect-account";

interface ConnectAccountMessage {
  type: typeof RESULT_MESSAGE_TYPE;
  ok: boolean;
  profileId?: string;
  upn?: string;
  tenantId?: string;
  code?: string;
  message?: string;
}

function isResult(data: unknown): data is ConnectAccountMessage {
  return (
    typeof data === "object" && data !== null && (data as { type?: unknown }).type === RESULT_MESSAGE_TYPE
  );
}

/**
 * Listens for the Connect account popup's result (same origin only): names the account that connected,
 * so an admin who signed in as themselves by mistake sees it, and refreshes the connected-account card.
 * @example useConnectAccountResult(profileId);
 */
export function useConnectAccountResult(profileId: string): void {
  const notify = useNotify();
  const client = useQueryClient();
  useEffect(() => {
    const handleMessage = (event: MessageEvent) => {
      if (
        event.origin !== window.location.origin ||
        !isResult(event.data) ||
        event.data.profileId !== profileId
      ) {
        return;
      }
      if (event.data.ok) {
        notify.success(
          `Connected as ${event.data.upn ?? "the service account"}`,
          `Tenant ${event.data.tenantId ?? ""}. If this is not the service account, choose Reconnect and pick the right account.`,
        );
      } else {
        notify.error(
          new Error(
            `${event.data.message ?? "The sign-in failed."}${event.data.code ? ` (${event.data.code})` : ""}`,
          ),
          "Connect account failed",
        );
      }
      void client.invalidateQueries({ queryKey: connectivityKeys.access(profileId) });
    };
    window.addEventListener("message", handleMessage);
    return () => window.removeEventListener("message", handleMessage);
  }, [profileId, notify, client]);
}
