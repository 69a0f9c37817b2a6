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
import type { ReactNode } from "react";
import {
  useAppOnlyForm,
  type AppOnlyFormOptions,
  type AppOnlyInput,
  type AppOnlyType,
} from "./useAppOnlyForm";
import { PemFileButton } from "./app-only/PemFileButton";
import { isEwsAccessType } from "./access-types/descriptions";

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

interface Props {
  type: AppOnlyType;
  stored: AppOnlyFormOptions["stored"];
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
  const form = useAppOnlyForm({ type, stored, serverErrors, onSave, extraValid });

  return (
    <form className={styles.form} onSubmit={form.handleSubmit} aria-label="App-only access" noValidate>
      <Field
        label="Tenant ID"
        required
        hint="Directory (tenant) ID of your Microsoft 365 tenant."
        validationMessage={(form.tenantId && form.problems.tenantId) || serverErrors.tenantId}
      >
        <Input
          value={form.tenantId}
          onChange={(_, d) => form.setTenantId(d.value)}
          placeholder="00000000-0000-0000-0000-000000000000"
        />
      </Field>
      <Field
        label="Application (client) ID"
        required
        hint="From the app registration's Overview page."
        validationMessage={(form.clientId && form.problems.clientId) || serverErrors.clientId}
      >
        <Input
          value={form.clientId}
          onChange={(_, d) => form.setClientId(d.value)}
          placeholder="00000000-0000-0000-0000-000000000000"
        />
      </Field>
      {form.replacing ? (
        <>
          <Field
            label="Certificate (PEM with private key)"
            hint="Preferred. Paste or upload the certificate and its private key; only the thumbprint is shown again."
            validationMessage={
              form.pemProblem ??
              (form.tenantId && form.clientId ? form.problems.credential : undefined) ??
              serverErrors.certificatePem
            }
          >
            <Textarea
              resize="vertical"
              rows={4}
              value={form.certificatePem}
              onChange={(_, d) => form.setCertificatePem(d.value)}
              placeholder="-----BEGIN CERTIFICATE-----"
            />
          </Field>
          <div>
            <PemFileButton
              onText={(text) => {
                form.setPemProblem(undefined);
                form.setCertificatePem(text);
              }}
              onError={form.setPemProblem}
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
              value={form.clientSecret}
              disabled={Boolean(form.certificatePem.trim())}
              onChange={(_, d) => form.setClientSecret(d.value)}
            />
          </Field>
          <Field
            label="Client secret expires on (optional)"
            hint="The Expires date Entra shows beside the secret (Certificates & secrets). Alerts go out 30, 7 and 1 days before."
            validationMessage={form.problems.clientSecretExpiresOn ?? serverErrors.clientSecretExpiresOn}
          >
            <Input
              type="date"
              value={form.secretExpiresOn}
              disabled={!form.clientSecret || Boolean(form.certificatePem.trim())}
              onChange={(_, d) => form.setSecretExpiresOn(d.value)}
            />
          </Field>
        </>
      ) : (
        <Field label="Credential">
          {(fieldProps) => (
            <div className={styles.set} role="group" aria-labelledby={fieldProps["aria-labelledby"]}>
              <CheckmarkCircle16Filled className={styles.setIcon} aria-hidden />
              <Text>
                {form.storedCertificate
                  ? `Certificate ${form.storedCertificate.thumbprint}, expires ${new Date(form.storedCertificate.notAfter).toLocaleDateString()}${form.storedCertificate.daysLeft !== undefined ? ` (${form.storedCertificate.daysLeft} days)` : ""}`
                  : form.storedSecretExpiresOn
                    ? `Client secret is set, expires ${form.storedSecretExpiresOn}${form.storedSecretDaysLeft !== undefined ? ` (${form.storedSecretDaysLeft} days)` : ""}`
                    : "Client secret is set (expiry date not entered)"}
              </Text>
              <Button
                size="small"
                onClick={() => form.setReplacing(true)}
                aria-label="Replace the credential"
              >
                Replace
              </Button>
            </div>
          )}
        </Field>
      )}
      <Field
        label="Service principal object ID (optional)"
        hint="The enterprise application's object id; fills the RBAC for Applications PowerShell."
        validationMessage={form.problems.servicePrincipalObjectId ?? serverErrors.servicePrincipalObjectId}
      >
        <Input value={form.servicePrincipalObjectId} onChange={(_, d) => form.setSp(d.value)} />
      </Field>
      <Field
        label="Scope group (optional)"
        hint="A mail-enabled group whose members the app may reach."
        validationMessage={serverErrors.scopeGroup}
      >
        <Input
          value={form.scopeGroup}
          onChange={(_, d) => form.setScopeGroup(d.value)}
          placeholder="sync-users@contoso.com"
        />
      </Field>
      {isEwsAccessType(type) ? (
        <Field
          label="Exchange Web Services (EWS) URL"
          hint="Leave empty for Exchange Online (https://outlook.office365.com/EWS/Exchange.asmx)."
          validationMessage={form.problems.ewsUrl ?? serverErrors.ewsUrl}
        >
          <Input type="url" value={form.ewsUrl} onChange={(_, d) => form.setEwsUrl(d.value)} />
        </Field>
      ) : null}
      {children}
      <div className={styles.actions}>
        <Button
          type="submit"
          appearance="primary"
          disabled={!form.valid || saving}
          icon={saving ? <Spinner size="tiny" /> : undefined}
        >
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
