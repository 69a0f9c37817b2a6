import {
  Button,
  Field,
  Input,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircle16Filled } from "@fluentui/react-icons";
import { useState, type ReactNode } from "react";
import type { MailboxAccessBody } from "../../contract/mailbox-access";
import type { MailboxAccessView, MailboxAccessViewOf } from "./types";
import { ewsUrlProblem } from "./validation";
import { PemFileButton } from "./app-only/PemFileButton";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "560px" },
  set: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    minHeight: "32px",
    flexWrap: "wrap",
  },
  setIcon: { color: tokens.colorPaletteGreenForeground1 },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

type AppOnlyType = "ews-app-only" | "graph-app-only";
type AppOnlyInput = Extract<MailboxAccessBody, { type: AppOnlyType }>;

/**
 * What the form reads from a stored app-only configuration: the identity, and for EWS its URL. Move to
 * Graph lends the EWS app-only identity to the Graph form.
 */
export type StoredAppOnly = Pick<
  MailboxAccessViewOf<AppOnlyType>,
  | "tenantId"
  | "clientId"
  | "clientSecretSet"
  | "clientSecretExpiresOn"
  | "clientSecretDaysLeft"
  | "certificate"
  | "servicePrincipalObjectId"
  | "scopeGroup"
> & { type: AppOnlyType; ewsUrl?: string };

const isAppOnly = (view: MailboxAccessView | StoredAppOnly | null): view is StoredAppOnly =>
  view?.type === "ews-app-only" || view?.type === "graph-app-only";

interface Props {
  type: AppOnlyType;
  stored: MailboxAccessView | StoredAppOnly | null;
  saving: boolean;
  serverErrors: Record<string, string>;
  onSave: (input: AppOnlyInput) => void;
  /** The submit button's label (default "Save"). */
  submitLabel?: string;
  /** More fields, shown before the submit button (Move to Graph: the out-of-scope mailbox). */
  children?: ReactNode;
  /** False keeps the submit button disabled (the extra fields are not valid yet). */
  extraValid?: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A client secret expiry as typed (YYYY-MM-DD from the date input): empty, or a date after today. */
function secretExpiryProblem(value: string, now = Date.now()): string | undefined {
  if (!value) return undefined;
  const at = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !Number.isFinite(at)) return "Enter a date such as 2027-06-30.";
  if (at <= now) {
    return "That date has passed: the secret has expired. Create a new one in the app registration.";
  }
  return undefined;
}

/**
 * App-only (EWS or Graph): the Entra app's tenant and client id, its credential (certificate PEM,
 * preferred, or a client secret; both write-only), the optional service principal and scope group
 * that fill the RBAC for Applications PowerShell, and for EWS an optional EWS URL.
 */
export function AppOnlyAccessForm({
  type,
  stored,
  saving,
  serverErrors,
  onSave,
  submitLabel = "Save",
  children,
  extraValid = true,
}: Props) {
  const styles = useStyles();
  const same = isAppOnly(stored) && stored.type === type ? stored : null;
  const storedCertificate = same?.certificate ?? null;
  const storedSecret = same?.clientSecretSet === true;
  const [tenantId, setTenantId] = useState(same?.tenantId ?? "");
  const [clientId, setClientId] = useState(same?.clientId ?? "");
  const [servicePrincipalObjectId, setSp] = useState(same?.servicePrincipalObjectId ?? "");
  const [scopeGroup, setScopeGroup] = useState(same?.scopeGroup ?? "");
  const [ewsUrl, setEwsUrl] = useState(same?.ewsUrl ?? "");
  const [replacingChosen, setReplacing] = useState(!storedCertificate && !storedSecret);
  // The server wants the credential again (a changed tenant, app or host): show its fields with the error.
  const replacing = replacingChosen || Boolean(serverErrors.clientSecret ?? serverErrors.certificatePem);
  const [certificatePem, setCertificatePem] = useState("");
  const [pemProblem, setPemProblem] = useState<string>();
  const [clientSecret, setClientSecret] = useState("");
  const [secretExpiresOn, setSecretExpiresOn] = useState("");
  const storedSecretExpiresOn = same?.clientSecretExpiresOn ?? null;
  const storedSecretDaysLeft = same?.clientSecretDaysLeft ?? undefined;

  const problems: Record<string, string | undefined> = {
    tenantId: tenantId.trim().length < 3 ? "Enter the tenant id (a GUID) or its domain." : undefined,
    clientId: GUID.test(clientId.trim()) ? undefined : "Enter the application (client) id: a GUID.",
    servicePrincipalObjectId:
      servicePrincipalObjectId.trim() && !GUID.test(servicePrincipalObjectId.trim())
        ? "Enter the enterprise application's object id: a GUID."
        : undefined,
    credential:
      replacing && !certificatePem.trim() && !clientSecret
        ? "Paste a certificate with its private key (preferred), or enter a client secret."
        : undefined,
    ewsUrl: type === "ews-app-only" && ewsUrl.trim() ? ewsUrlProblem(ewsUrl) : undefined,
    clientSecretExpiresOn: secretExpiryProblem(secretExpiresOn),
  };
  const valid = Object.values(problems).every((p) => !p) && extraValid;

  const handleSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const optional = (v: string) => (v.trim() ? v.trim() : undefined);
    const input = {
      type,
      tenantId: tenantId.trim(),
      clientId: clientId.trim(),
      ...(replacing && certificatePem.trim() ? { certificatePem: certificatePem.trim() } : {}),
      ...(replacing && !certificatePem.trim() && clientSecret ? { clientSecret } : {}),
      ...(replacing && !certificatePem.trim() && clientSecret && secretExpiresOn
        ? { clientSecretExpiresOn: secretExpiresOn }
        : {}),
      ...(optional(servicePrincipalObjectId)
        ? { servicePrincipalObjectId: optional(servicePrincipalObjectId) }
        : {}),
      ...(optional(scopeGroup) ? { scopeGroup: optional(scopeGroup) } : {}),
      ...(type === "ews-app-only" && optional(ewsUrl) ? { ewsUrl: optional(ewsUrl) } : {}),
    } as AppOnlyInput;
    onSave(input);
  };

  return (
    <form className={styles.form} onSubmit={handleSubmit} aria-label="App-only access" noValidate>
      <Field
        label="Tenant ID"
        required
        hint="Directory (tenant) ID of your Microsoft 365 tenant."
        validationMessage={(tenantId && problems.tenantId) || serverErrors.tenantId}
      >
        <Input
          value={tenantId}
          onChange={(_, d) => setTenantId(d.value)}
          placeholder="00000000-0000-0000-0000-000000000000"
        />
      </Field>
      <Field
        label="Application (client) ID"
        required
        hint="From the app registration's Overview page."
        validationMessage={(clientId && problems.clientId) || serverErrors.clientId}
      >
        <Input
          value={clientId}
          onChange={(_, d) => setClientId(d.value)}
          placeholder="00000000-0000-0000-0000-000000000000"
        />
      </Field>
      {replacing ? (
        <>
          <Field
            label="Certificate (PEM with private key)"
            hint="Preferred. Paste or upload the certificate and its private key; only the thumbprint is shown again."
            validationMessage={
              pemProblem ??
              (tenantId && clientId ? problems.credential : undefined) ??
              serverErrors.certificatePem
            }
          >
            <Textarea
              resize="vertical"
              rows={4}
              value={certificatePem}
              onChange={(_, d) => setCertificatePem(d.value)}
              placeholder="-----BEGIN CERTIFICATE-----"
            />
          </Field>
          <div>
            <PemFileButton
              onText={(text) => {
                setPemProblem(undefined);
                setCertificatePem(text);
              }}
              onError={setPemProblem}
            />
          </div>
          <Field
            label="Client secret"
            hint="Only when you can't use a certificate."
            validationMessage={serverErrors.clientSecret}
          >
            <Input
              type="password"
              autoComplete="new-password"
              value={clientSecret}
              disabled={Boolean(certificatePem.trim())}
              onChange={(_, d) => setClientSecret(d.value)}
            />
          </Field>
          <Field
            label="Client secret expires on (optional)"
            hint="The Expires date Entra shows beside the secret (Certificates & secrets). Alerts go out 30, 7 and 1 days before."
            validationMessage={problems.clientSecretExpiresOn ?? serverErrors.clientSecretExpiresOn}
          >
            <Input
              type="date"
              value={secretExpiresOn}
              disabled={!clientSecret || Boolean(certificatePem.trim())}
              onChange={(_, d) => setSecretExpiresOn(d.value)}
            />
          </Field>
        </>
      ) : (
        <Field label="Credential">
          {(fieldProps) => (
            <div className={styles.set} role="group" aria-labelledby={fieldProps["aria-labelledby"]}>
              <CheckmarkCircle16Filled className={styles.setIcon} aria-hidden />
              <Text>
                {storedCertificate
                  ? `Certificate ${storedCertificate.thumbprint}, expires ${new Date(storedCertificate.notAfter).toLocaleDateString()}${storedCertificate.daysLeft !== undefined ? ` (${storedCertificate.daysLeft} days)` : ""}`
                  : storedSecretExpiresOn
                    ? `Client secret is set, expires ${storedSecretExpiresOn}${storedSecretDaysLeft !== undefined ? ` (${storedSecretDaysLeft} days)` : ""}`
                    : "Client secret is set (expiry date not entered)"}
              </Text>
              <Button size="small" onClick={() => setReplacing(true)} aria-label="Replace the credential">
                Replace
              </Button>
            </div>
          )}
        </Field>
      )}
      <Field
        label="Service principal object ID (optional)"
        hint="The enterprise application's object id; fills the RBAC for Applications PowerShell."
        validationMessage={problems.servicePrincipalObjectId ?? serverErrors.servicePrincipalObjectId}
      >
        <Input value={servicePrincipalObjectId} onChange={(_, d) => setSp(d.value)} />
      </Field>
      <Field
        label="Scope group (optional)"
        hint="A mail-enabled group whose members the app may reach."
        validationMessage={serverErrors.scopeGroup}
      >
        <Input
          value={scopeGroup}
          onChange={(_, d) => setScopeGroup(d.value)}
          placeholder="sync-users@contoso.com"
        />
      </Field>
      {type === "ews-app-only" ? (
        <Field
          label="Exchange Web Services (EWS) URL"
          hint="Leave empty for Exchange Online (https://outlook.office365.com/EWS/Exchange.asmx)."
          validationMessage={problems.ewsUrl ?? serverErrors.ewsUrl}
        >
          <Input type="url" value={ewsUrl} onChange={(_, d) => setEwsUrl(d.value)} />
        </Field>
      ) : null}
      {children}
      <div className={styles.actions}>
        <Button
          type="submit"
          appearance="primary"
          disabled={!valid || saving}
          icon={saving ? <Spinner size="tiny" /> : undefined}
        >
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
