import { useState, type FormEvent } from "react";
import type { MailboxAccessBody } from "../../contract/mailbox-access";
import { isEwsAccessType } from "./access-types/descriptions";
import type { MailboxAccessView, MailboxAccessViewOf } from "./types";
import { ewsUrlProblem } from "./validation";

/** The two app-only access types. */
export type AppOnlyType = "ews-app-only" | "graph-app-only";
/** What the app-only form saves. */
export type AppOnlyInput = Extract<MailboxAccessBody, { type: AppOnlyType }>;

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

/** What the app-only form is given. */
export interface AppOnlyFormOptions {
  type: AppOnlyType;
  stored: MailboxAccessView | StoredAppOnly | null;
  serverErrors: Record<string, string>;
  onSave: (input: AppOnlyInput) => void;
  /** False keeps the form invalid (extra fields beside it are not valid yet). */
  extraValid?: boolean;
}

/**
 * The app-only form's state: the fields (from the stored configuration when it is of this type),
 * whether the credential is being replaced, each field's problem, and the submit that builds the PUT body.
 * @example const form = useAppOnlyForm({ type, stored, serverErrors, onSave });
 */
export function useAppOnlyForm({
  type,
  stored,
  serverErrors,
  onSave,
  extraValid = true,
}: AppOnlyFormOptions) {
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
    ewsUrl: isEwsAccessType(type) && ewsUrl.trim() ? ewsUrlProblem(ewsUrl) : undefined,
    clientSecretExpiresOn: secretExpiryProblem(secretExpiresOn),
  };
  const valid = Object.values(problems).every((p) => !p) && extraValid;

  const handleSubmit = (e: FormEvent) => {
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
      ...(isEwsAccessType(type) && optional(ewsUrl) ? { ewsUrl: optional(ewsUrl) } : {}),
    } as AppOnlyInput;
    onSave(input);
  };

  return {
    tenantId,
    setTenantId,
    clientId,
    setClientId,
    servicePrincipalObjectId,
    setSp,
    scopeGroup,
    setScopeGroup,
    ewsUrl,
    setEwsUrl,
    replacing,
    setReplacing,
    certificatePem,
    setCertificatePem,
    pemProblem,
    setPemProblem,
    clientSecret,
    setClientSecret,
    secretExpiresOn,
    setSecretExpiresOn,
    storedCertificate,
    storedSecretExpiresOn,
    storedSecretDaysLeft,
    problems,
    valid,
    handleSubmit,
  };
}
