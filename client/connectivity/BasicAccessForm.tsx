import {
  Button,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircle16Filled, Search16Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { ApiError, errorMessage } from "../api/client";
import { autodiscover } from "./api";
import type { AutodiscoverResult, BasicAccessInput, MailboxAccessView } from "./types";
import { StepList } from "./StepList";
import {
  accountLogonProblem,
  ewsUrlProblem,
  isEmailLogon,
  isExchangeOnline,
  passwordRebindHost,
} from "./validation";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "560px" },
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-start" },
  grow: { flexGrow: 1 },
  passwordSet: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, minHeight: "32px" },
  setIcon: { color: tokens.colorPaletteGreenForeground1 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

interface Props {
  profileId: string;
  stored: MailboxAccessView | null;
  saving: boolean;
  /** Field errors from the server's last refusal, by field name. */
  serverErrors: Record<string, string>;
  onSave: (input: BasicAccessInput) => void;
}

/**
 * Basic impersonated logon: Account Logon, write-only Password ("Password is set" + Change), EWS URL
 * with an Autodiscover helper, and Save (enabled once the form is valid and changed).
 */
export function BasicAccessForm({ profileId, stored, saving, serverErrors, onSave }: Props) {
  const styles = useStyles();
  const storedBasic = stored?.type === "ews-basic-impersonation" ? stored : null;
  const [accountLogon, setAccountLogon] = useState(storedBasic?.accountLogon ?? "");
  const [ewsUrl, setEwsUrl] = useState(storedBasic?.ewsUrl ?? "");
  const [password, setPassword] = useState("");
  const [changingPassword, setChangingPassword] = useState(!storedBasic?.passwordSet);
  // The stored password is bound to the stored host and logon: a change needs it entered again.
  const rebindHost =
    storedBasic?.passwordSet && !changingPassword
      ? passwordRebindHost(storedBasic, accountLogon, ewsUrl)
      : undefined;
  const needsPassword = changingPassword || rebindHost !== undefined;
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [discovering, setDiscovering] = useState(false);
  const [discovery, setDiscovery] = useState<{ result?: AutodiscoverResult; error?: string } | null>(null);

  const logonProblem = accountLogonProblem(accountLogon);
  const urlProblem = ewsUrlProblem(ewsUrl);
  const passwordProblem =
    needsPassword && !password
      ? rebindHost
        ? `Enter the password again to use it with ${rebindHost}.`
        : "Enter the service account's password."
      : undefined;
  const dirty =
    !storedBasic ||
    accountLogon.trim() !== (storedBasic.accountLogon ?? "") ||
    ewsUrl.trim() !== (storedBasic.ewsUrl ?? "") ||
    (needsPassword && password !== "");
  const valid = !logonProblem && !urlProblem && !passwordProblem;

  const shown = (field: string, problem: string | undefined) =>
    (touched[field] ? problem : undefined) ?? serverErrors[field];

  const handleAutodiscover = async (confirmHost?: string) => {
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

  const handleSubmit = (e: React.FormEvent) => {
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

  return (
    <form className={styles.form} onSubmit={handleSubmit} aria-label="Basic impersonated logon" noValidate>
      <Field
        label="Account Logon"
        required
        hint={"The impersonating service account: its e-mail address (user@domain) or DOMAIN\\user."}
        validationMessage={shown("accountLogon", logonProblem)}
      >
        <Input
          type="email"
          autoComplete="off"
          value={accountLogon}
          placeholder="svc-sync@contoso.com"
          onChange={(_, d) => setAccountLogon(d.value)}
          onBlur={() => setTouched((t) => ({ ...t, accountLogon: true }))}
        />
      </Field>
      {needsPassword ? (
        <Field
          label="Password"
          required
          hint={
            rebindHost
              ? `The stored password stays with the host and logon it was entered for: enter it again to use it with ${rebindHost}.`
              : storedBasic?.passwordSet
                ? "Replaces the stored password when you save."
                : "Stored encrypted; it is never shown again."
          }
          validationMessage={(rebindHost ? passwordProblem : undefined) ?? shown("password", passwordProblem)}
        >
          {(fieldProps) => (
            <div className={styles.row}>
              <Input
                {...fieldProps}
                className={styles.grow}
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(_, d) => setPassword(d.value)}
                onBlur={() => setTouched((t) => ({ ...t, password: true }))}
              />
              {storedBasic?.passwordSet && !rebindHost ? (
                <Button
                  appearance="subtle"
                  onClick={() => {
                    setChangingPassword(false);
                    setPassword("");
                  }}
                >
                  Keep stored password
                </Button>
              ) : null}
            </div>
          )}
        </Field>
      ) : (
        <Field label="Password">
          {(fieldProps) => (
            <div className={styles.passwordSet} role="group" aria-labelledby={fieldProps["aria-labelledby"]}>
              <CheckmarkCircle16Filled className={styles.setIcon} aria-hidden />
              <Text>Password is set</Text>
              <Button size="small" onClick={() => setChangingPassword(true)} aria-label="Change the password">
                Change
              </Button>
            </div>
          )}
        </Field>
      )}
      <Field
        label="Exchange Web Services (EWS) URL"
        required
        hint="Usually https://mail.<your domain>/EWS/Exchange.asmx. Autodiscover finds it from the Account Logon."
        validationMessage={shown("ewsUrl", urlProblem)}
      >
        {(fieldProps) => (
          <div className={styles.row}>
            <Input
              {...fieldProps}
              className={styles.grow}
              type="url"
              value={ewsUrl}
              placeholder="https://mail.contoso.com/EWS/Exchange.asmx"
              onChange={(_, d) => setEwsUrl(d.value)}
              onBlur={() => setTouched((t) => ({ ...t, ewsUrl: true }))}
            />
            <Button
              icon={discovering ? <Spinner size="tiny" /> : <Search16Regular />}
              disabled={!isEmailLogon(accountLogon) || discovering}
              onClick={() => void handleAutodiscover()}
            >
              Autodiscover
            </Button>
          </div>
        )}
      </Field>
      {discovery?.error ? (
        <MessageBar intent="error">
          <MessageBarBody>
            <MessageBarTitle>Autodiscover failed</MessageBarTitle>
            {discovery.error}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {discovery?.result ? (
        <MessageBar intent={discovery.result.ewsUrl ? "success" : "warning"}>
          <MessageBarBody>
            <MessageBarTitle>
              {discovery.result.ewsUrl ? "EWS URL found" : "No EWS URL found"}
            </MessageBarTitle>
            {discovery.result.ewsUrl ?? "Enter the EWS URL by hand, or fix what the steps below say."}
            {discovery.result.steps.length > 0 ? (
              <StepList steps={discovery.result.steps} label="Autodiscover steps" />
            ) : null}
            {discovery.result.confirmRedirect ? (
              <Button
                size="small"
                onClick={() => void handleAutodiscover(discovery.result?.confirmRedirect?.host)}
              >
                Send the credentials to {discovery.result.confirmRedirect.host}
              </Button>
            ) : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {isExchangeOnline(ewsUrl) ? (
        <MessageBar intent="warning">
          <MessageBarBody>
            <MessageBarTitle>Exchange Online</MessageBarTitle>
            Exchange Online no longer allows Basic authentication or ApplicationImpersonation. Use an app-only
            Mailbox Access Type for Exchange Online mailboxes; this type is for on-premises and hybrid
            Exchange.{" "}
            <Link
              href="https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/deprecation-of-basic-authentication-exchange-online"
              target="_blank"
              rel="noreferrer"
            >
              Learn more
            </Link>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.actions}>
        <Button
          type="submit"
          appearance="primary"
          disabled={!valid || !dirty || saving}
          icon={saving ? <Spinner size="tiny" /> : undefined}
        >
          Save
        </Button>
        {!dirty && storedBasic ? <Text size={200}>No unsaved changes.</Text> : null}
      </div>
    </form>
  );
}
