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
import type { AccessFormProps } from "./access-types/types";
import { StepList } from "./StepList";
import { useBasicAccessForm } from "./useBasicAccessForm";
import { isExchangeOnline } from "./validation";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "560px" },
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-start" },
  grow: { flexGrow: 1 },
  passwordSet: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, minHeight: "32px" },
  setIcon: { color: tokens.colorPaletteGreenForeground1 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

/**
 * Basic impersonated logon: Account Logon, write-only Password ("Password is set" + Change), EWS URL
 * with an Autodiscover helper, and Save (enabled once the form is valid and changed). State and rules
 * live in useBasicAccessForm.
 */
export function BasicAccessForm({ profileId, stored, saving, serverErrors, onSave }: AccessFormProps) {
  const styles = useStyles();
  const form = useBasicAccessForm({ profileId, stored, serverErrors, onSave });
  const { discovery } = form;

  return (
    <form
      className={styles.form}
      onSubmit={form.handleSubmit}
      aria-label="Basic impersonated logon"
      noValidate
    >
      <Field
        label="Account Logon"
        required
        hint={"The impersonating service account: its e-mail address (user@domain) or DOMAIN\\user."}
        validationMessage={form.shown("accountLogon")}
      >
        <Input
          type="email"
          autoComplete="off"
          value={form.accountLogon}
          placeholder="svc-sync@contoso.com"
          onChange={(_, d) => form.setAccountLogon(d.value)}
          onBlur={() => form.touch("accountLogon")}
        />
      </Field>
      {form.needsPassword ? (
        <Field
          label="Password"
          required
          hint={
            form.rebindHost
              ? `The stored password stays with the host and logon it was entered for: enter it again to use it with ${form.rebindHost}.`
              : form.passwordSet
                ? "Replaces the stored password when you save."
                : "Stored encrypted; it is never shown again."
          }
          validationMessage={form.passwordMessage}
        >
          {(fieldProps) => (
            <div className={styles.row}>
              <Input
                {...fieldProps}
                className={styles.grow}
                type="password"
                autoComplete="new-password"
                value={form.password}
                onChange={(_, d) => form.setPassword(d.value)}
                onBlur={() => form.touch("password")}
              />
              {form.passwordSet && !form.rebindHost ? (
                <Button appearance="subtle" onClick={form.keepStoredPassword}>
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
              <Button size="small" onClick={form.changePassword} aria-label="Change the password">
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
        validationMessage={form.shown("ewsUrl")}
      >
        {(fieldProps) => (
          <div className={styles.row}>
            <Input
              {...fieldProps}
              className={styles.grow}
              type="url"
              value={form.ewsUrl}
              placeholder="https://mail.contoso.com/EWS/Exchange.asmx"
              onChange={(_, d) => form.setEwsUrl(d.value)}
              onBlur={() => form.touch("ewsUrl")}
            />
            <Button
              icon={form.discovering ? <Spinner size="tiny" /> : <Search16Regular />}
              disabled={!form.canAutodiscover}
              onClick={() => void form.runAutodiscover()}
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
                onClick={() => void form.runAutodiscover(discovery.result?.confirmRedirect?.host)}
              >
                Send the credentials to {discovery.result.confirmRedirect.host}
              </Button>
            ) : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {isExchangeOnline(form.ewsUrl) ? (
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
          disabled={!form.valid || !form.dirty || saving}
          icon={saving ? <Spinner size="tiny" /> : undefined}
        >
          Save
        </Button>
        {!form.dirty && form.hasStored ? <Text size={200}>No unsaved changes.</Text> : null}
      </div>
    </form>
  );
}
