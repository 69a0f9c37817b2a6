import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNotify } from "../components/notify";
import { connectivityKeys, disconnectOAuth, startOAuth } from "./api";
import { useConnectAccountResult } from "./oauth/useConnectAccountResult";
import { openAuthWindow } from "./openAuthWindow";
import type { MailboxAccessView, OAuthAccessInput } from "./types";
import { ewsUrlProblem, isEmailLogon } from "./validation";

/** What the OAuth panel is given. */
export interface OAuthAccessOptions {
  profileId: string;
  stored: MailboxAccessView | null;
  onSave: (input: OAuthAccessInput) => void;
}

/**
 * The OAuth impersonated logon panel's state: the EWS URL (saved first), the service account's UPN
 * the sign-in link names, and Connect account / Reconnect / Disconnect with their busy state. Also
 * listens for the sign-in window's result.
 * @example const oauth = useOAuthAccess({ profileId, stored, onSave });
 */
export function useOAuthAccess({ profileId, stored, onSave }: OAuthAccessOptions) {
  const notify = useNotify();
  const client = useQueryClient();
  useConnectAccountResult(profileId);
  const storedOAuth = stored?.type === "ews-oauth-impersonation" ? stored : null;
  const [ewsUrl, setEwsUrl] = useState(storedOAuth?.ewsUrl ?? "");
  const [busy, setBusy] = useState<"connect" | "disconnect" | null>(null);
  const account = storedOAuth?.connectedAccount ?? null;
  // Whom the link is for: the service account's UPN (Reconnect proposes the connected one).
  const [expectedUpn, setExpectedUpn] = useState(account?.upn ?? "");
  const upnProblem =
    expectedUpn && !isEmailLogon(expectedUpn.trim())
      ? "Enter the service account's UPN, such as svc-sync@contoso.com."
      : undefined;
  const canConnect = Boolean(expectedUpn.trim()) && !upnProblem;
  const urlProblem = ewsUrl ? ewsUrlProblem(ewsUrl) : undefined;
  const dirty = !storedOAuth || ewsUrl.trim() !== (storedOAuth.ewsUrl ?? "");

  const refresh = () => client.invalidateQueries({ queryKey: connectivityKeys.access(profileId) });

  const save = () =>
    onSave({ type: "ews-oauth-impersonation", ...(ewsUrl.trim() ? { ewsUrl: ewsUrl.trim() } : {}) });

  /** Opens the one-time sign-in URL for `expectedUpn` (Connect account and Reconnect). */
  const connect = async () => {
    setBusy("connect");
    try {
      const { url } = await startOAuth(profileId, expectedUpn.trim());
      const how = await openAuthWindow(url);
      if (how === "blocked") {
        notify.info(
          "The sign-in window was blocked",
          "Allow pop-ups for this site, then choose Connect account again.",
        );
      }
      await refresh();
    } catch (err) {
      notify.error(err, "Connect account failed");
    } finally {
      setBusy(null);
    }
  };

  const disconnect = async () => {
    setBusy("disconnect");
    try {
      await disconnectOAuth(profileId);
      notify.success("Account disconnected");
      await refresh();
    } catch (err) {
      notify.error(err, "Disconnect failed");
    } finally {
      setBusy(null);
    }
  };

  return {
    ewsUrl,
    setEwsUrl,
    urlProblem,
    expectedUpn,
    setExpectedUpn,
    upnProblem,
    /** This type is stored (Connect account needs it saved first). */
    isStored: storedOAuth !== null,
    /** The connected service account, or null. */
    account,
    dirty,
    canSave: !urlProblem && dirty,
    /** Connect account: saved, unchanged, idle, and a valid UPN. */
    canConnect: storedOAuth !== null && !dirty && busy === null && canConnect,
    /** Reconnect: idle and a valid UPN. */
    canReconnect: busy === null && canConnect,
    busy,
    save,
    connect,
    disconnect,
  };
}
