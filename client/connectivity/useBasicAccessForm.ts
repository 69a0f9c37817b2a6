import { useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../api/client";
import { autodiscover } from "./api";
import type { AutodiscoverResult, BasicAccessInput, MailboxAccessView } from "./types";
import { accountLogonProblem, ewsUrlProblem, isEmailLogon, passwordRebindHost } from "./validation";

/** The fields whose problem shows once the admin has left them (or tried to save). */
export type BasicField = "accountLogon" | "password" | "ewsUrl";

/** What the Basic form is given. */
export interface BasicFormOptions {
  profileId: string;
  stored: MailboxAccessView | null;
  /** Field errors from the server's last refusal, by field name. */
  serverErrors: Record<string, string>;
  onSave: (input: BasicAccessInput) => void;
}

/** What the last Autodiscover found, or why it failed. */
export interface Discovery {
  result?: AutodiscoverResult;
  error?: string;
}

/**
 * The Basic impersonated logon form's state: the fields (from the stored configuration when it is
 * Basic), the write-only password (kept unless changed, asked again when the host or logon changes),
 * each field's problem once touched, Autodiscover, and the submit that builds the PUT body.
 * @example const form = useBasicAccessForm({ profileId, stored, serverErrors, onSave });
 */
export function useBasicAccessForm({ profileId, stored, serverErrors, onSave }: BasicFormOptions) {
  const storedBasic = stored?.type === "ews-basic-impersonation" ? stored : null;
  const [accountLogon, setAccountLogon] = useState(storedBasic?.accountLogon ?? "");
  const [ewsUrl, setEwsUrl] = useState(storedBasic?.ewsUrl ?? "");
  const [password, setPassword] = useState("");
  const [changingPassword, setChangingPassword] = useState(!storedBasic?.passwordSet);
  const passwordSet = storedBasic?.passwordSet === true;
  // The stored password is bound to the stored host and logon: a change needs it entered again.
  const rebindHost =
    storedBasic?.passwordSet && !changingPassword
      ? passwordRebindHost(storedBasic, accountLogon, ewsUrl)
      : undefined;
  const needsPassword = changingPassword || rebindHost !== undefined;
  const [touched, setTouched] = useState<Partial<Record<BasicField, boolean>>>({});
  const [discovering, setDiscovering] = useState(false);
  const [discovery, setDiscovery] = useState<Discovery | null>(null);

  const problems: Record<BasicField, string | undefined> = {
    accountLogon: accountLogonProblem(accountLogon),
    ewsUrl: ewsUrlProblem(ewsUrl),
    password:
      needsPassword && !password
        ? rebindHost
          ? `Enter the password again to use it with ${rebindHost}.`
          : "Enter the service account's password."
        : undefined,
  };
  const dirty =
    !storedBasic ||
    accountLogon.trim() !== (storedBasic.accountLogon ?? "") ||
    ewsUrl.trim() !== (storedBasic.ewsUrl ?? "") ||
    (needsPassword && password !== "");
  const valid = !problems.accountLogon && !problems.ewsUrl && !problems.password;

  /** A field's message: its problem once touched, else the server's. */
  const shown = (field: BasicField) => (touched[field] ? problems[field] : undefined) ?? serverErrors[field];
  /** The password's message: a rebind asks for it at once, without waiting for a touch. */
  const passwordMessage = (rebindHost ? problems.password : undefined) ?? shown("password");
  const touch = (field: BasicField) => setTouched((t) => ({ ...t, [field]: true }));

  /** Finds the EWS URL from the Account Logon; `confirmHost` sends the credentials to a redirect's host. */
  const runAutodiscover = async (confirmHost?: string) => {
    setDiscovering(true);
    setDiscovery(null);
    try {
      const result = await autodiscover(accountLogon.trim(), profileId, confirmHost);
      setDiscovery({ result });
      if (result.ewsUrl) setEwsUrl(result.ewsUrl);
    } catch (err) {
      setDiscovery({ error: err instanceof ApiError ? err.message : errorMessage(err) });
    } finally {
      setDiscovering(false);
    }
  };

  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    setTouched({ accountLogon: true, password: true, ewsUrl: true });
    if (!valid || !dirty) return;
    onSave({
      type: "ews-basic-impersonation",
      accountLogon: accountLogon.trim(),
      ewsUrl: ewsUrl.trim(),
      ...(needsPassword ? { password } : {}),
    });
  };

  return {
    accountLogon,
    setAccountLogon,
    ewsUrl,
    setEwsUrl,
    password,
    setPassword,
    /** A password is stored for this profile. */
    passwordSet,
    /** The password field shows (a new one, a change, or a rebind to another host or logon). */
    needsPassword,
    /** The new host (or logon's) the stored password must be entered again for, or undefined. */
    rebindHost,
    changePassword: () => setChangingPassword(true),
    keepStoredPassword: () => {
      setChangingPassword(false);
      setPassword("");
    },
    touch,
    shown,
    passwordMessage,
    problems,
    dirty,
    valid,
    /** There is a stored Basic configuration (so "No unsaved changes" makes sense). */
    hasStored: storedBasic !== null,
    canAutodiscover: isEmailLogon(accountLogon) && !discovering,
    discovering,
    discovery,
    runAutodiscover,
    handleSubmit,
  };
}
