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
import type { AccessFormProps } from "./access-types/types";
import { useOAuthAccess } from "./useOAuthAccess";

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

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "never");

/**
 * OAuth impersonated logon: the EWS URL, then **Connect account** (a one-time sign-in URL from the
 * server), and once connected a card with the account and **Reconnect** / **Disconnect**. State and
 * actions live in useOAuthAccess.
 */
export function OAuthAccessPanel({ profileId, stored, saving, serverErrors, onSave }: AccessFormProps) {
  const styles = useStyles();
  const oauth = useOAuthAccess({ profileId, stored, onSave });
  const { account } = oauth;

  return (
    <div className={styles.column}>
      <Field
        label="Exchange Web Services (EWS) URL"
        hint="The EWS endpoint of your Exchange; the sign-in asks for access to this host."
        validationMessage={oauth.urlProblem ?? serverErrors.ewsUrl}
      >
        <Input
          type="url"
          value={oauth.ewsUrl}
          placeholder="https://mail.contoso.com/EWS/Exchange.asmx"
          onChange={(_, d) => oauth.setEwsUrl(d.value)}
        />
      </Field>
      {oauth.isStored ? (
        <Field
          label="Service account (UPN)"
          required
          hint="The account that is to sign in. The sign-in link names it, and any other account is refused."
          validationMessage={oauth.upnProblem}
        >
          <Input
            type="email"
            autoComplete="off"
            value={oauth.expectedUpn}
            placeholder="svc-sync@contoso.com"
            onChange={(_, d) => oauth.setExpectedUpn(d.value)}
          />
        </Field>
      ) : null}
      <div className={styles.actions}>
        <Button
          appearance={oauth.isStored ? "secondary" : "primary"}
          disabled={!oauth.canSave || saving}
          onClick={oauth.save}
        >
          Save
        </Button>
        {!account ? (
          <Button
            appearance="primary"
            icon={oauth.busy === "connect" ? <Spinner size="tiny" /> : <PlugConnected20Regular />}
            disabled={!oauth.canConnect}
            onClick={() => void oauth.connect()}
          >
            Connect account
          </Button>
        ) : null}
      </div>
      {!oauth.isStored ? (
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
              disabled={!oauth.canReconnect}
              onClick={() => void oauth.connect()}
            >
              Reconnect
            </Button>
            <Button
              icon={<PlugDisconnected20Regular />}
              disabled={oauth.busy !== null}
              onClick={() => void oauth.disconnect()}
            >
              Disconnect
            </Button>
          </div>
        </Card>
      ) : oauth.isStored ? (
        <MessageBar intent="info">
          <MessageBarBody>
            No account connected yet. Choose Connect account and sign in as the impersonating service account.
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}
