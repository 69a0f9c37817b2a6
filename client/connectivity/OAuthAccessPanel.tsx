import {
  Button,
  Card,
  CardHeader,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  PersonAccounts24Regular,
  PlugConnected20Regular,
  PlugDisconnected20Regular,
} from "@fluentui/react-icons";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { connectivityKeys, disconnectOAuth, startOAuth } from "./api";
import { openAuthWindow } from "./openAuthWindow";
import type { MailboxAccessView, OAuthAccessInput } from "./types";
import { useNotify } from "../components/notify";
import { ewsUrlProblem, isEmailLogon } from "./validation";
import { useConnectAccountResult } from "./oauth/useConnectAccountResult";

const useStyles = makeStyles({
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "560px" },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS },
});

interface Props {
  profileId: string;
  stored: MailboxAccessView | null;
  saving: boolean;
  serverErrors: Record<string, string>;
  onSave: (input: OAuthAccessInput) => void;
}

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "never");

/**
 * OAuth impersonated logon: the EWS URL, then **Connect account** (a one-time sign-in URL from the
 * server), and once connected a card with the account and **Reconnect** / **Disconnect**.
 */
export function OAuthAccessPanel({ profileId, stored, saving, serverErrors, onSave }: Props) {
  const styles = useStyles();
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

  const handleConnect = async () => {
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
      await client.invalidateQueries({ queryKey: connectivityKeys.access(profileId) });
    } catch (err) {
      notify.error(err, "Connect account failed");
    } finally {
      setBusy(null);
    }
  };

  const handleDisconnect = async () => {
    setBusy("disconnect");
    try {
      await disconnectOAuth(profileId);
      notify.success("Account disconnected");
      await client.invalidateQueries({ queryKey: connectivityKeys.access(profileId) });
    } catch (err) {
      notify.error(err, "Disconnect failed");
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className={styles.column}>
      <Field
        label="Exchange Web Services (EWS) URL"
        hint="The EWS endpoint of your Exchange; the sign-in asks for access to this host."
        validationMessage={urlProblem ?? serverErrors.ewsUrl}
      >
        <Input
          type="url"
          value={ewsUrl}
          placeholder="https://mail.contoso.com/EWS/Exchange.asmx"
          onChange={(_, d) => setEwsUrl(d.value)}
        />
      </Field>
      {storedOAuth ? (
        <Field
          label="Service account (UPN)"
          required
          hint="The account that is to sign in. The sign-in link names it, and any other account is refused."
          validationMessage={upnProblem}
        >
          <Input
            type="email"
            autoComplete="off"
            value={expectedUpn}
            placeholder="svc-sync@contoso.com"
            onChange={(_, d) => setExpectedUpn(d.value)}
          />
        </Field>
      ) : null}
      <div className={styles.actions}>
        <Button
          appearance={storedOAuth ? "secondary" : "primary"}
          disabled={Boolean(urlProblem) || !dirty || saving}
          onClick={() =>
            onSave({ type: "ews-oauth-impersonation", ...(ewsUrl.trim() ? { ewsUrl: ewsUrl.trim() } : {}) })
          }
        >
          Save
        </Button>
        {!account ? (
          <Button
            appearance="primary"
            icon={busy === "connect" ? <Spinner size="tiny" /> : <PlugConnected20Regular />}
            disabled={!storedOAuth || dirty || busy !== null || !canConnect}
            onClick={() => void handleConnect()}
          >
            Connect account
          </Button>
        ) : null}
      </div>
      {!storedOAuth ? (
        <Text size={200}>Save this type first, then connect the impersonating service account.</Text>
      ) : null}
      {account ? (
        <Card appearance="outline" aria-label="Connected account">
          <CardHeader
            image={<PersonAccounts24Regular aria-hidden />}
            header={<Text weight="semibold">Connected account</Text>}
            description={account.upn}
          />
          <dl className={styles.facts}>
            <dt className={styles.term}>Account</dt>
            <dd>{account.upn}</dd>
            <dt className={styles.term}>Tenant</dt>
            <dd>{account.tenantId}</dd>
            <dt className={styles.term}>Connected</dt>
            <dd>{when(account.connectedAt)}</dd>
            <dt className={styles.term}>Last token refresh</dt>
            <dd>{when(account.lastRefreshAt)}</dd>
          </dl>
          <div className={styles.actions}>
            <Button
              icon={<PlugConnected20Regular />}
              disabled={busy !== null || !canConnect}
              onClick={() => void handleConnect()}
            >
              Reconnect
            </Button>
            <Button
              icon={<PlugDisconnected20Regular />}
              disabled={busy !== null}
              onClick={() => void handleDisconnect()}
            >
              Disconnect
            </Button>
          </div>
        </Card>
      ) : storedOAuth ? (
        <MessageBar intent="info">
          <MessageBarBody>
            No account connected yet. Choose Connect account and sign in as the impersonating service account.
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}
