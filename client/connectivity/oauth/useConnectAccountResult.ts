import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useNotify } from "../../components/notify";
import { isConnectAccountMessage } from "../../../contract/connect-account";
import { connectivityKeys } from "../api";

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
        !isConnectAccountMessage(event.data) ||
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
