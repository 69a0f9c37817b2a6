import { createPrivateKey, X509Certificate } from "node:crypto";
import { z } from "zod";
import { badRequest } from "../errors";
import { hostOf, originOf, type SecretBinding } from "./secret-binding";

/** Days before a certificate's expiry from which the panel warns. */
export const CERTIFICATE_WARNING_DAYS = 30;

const Guid = z
  .string()
  .trim()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    "must be a GUID such as 7f3c2b1a-4d5e-4f60-8a9b-0c1d2e3f4a5b",
  );
/** A tenant is named by its GUID or one of its domains (contoso.onmicrosoft.com). */
const TenantId = z
  .string()
  .trim()
  .min(3)
  .max(255)
  .regex(
    /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i,
    "must be the tenant's GUID or a domain such as contoso.onmicrosoft.com",
  );

/** The app identity fields every app-only PUT body carries (secrets write-only). */
export const AppIdentityInput = {
  tenantId: TenantId,
  clientId: Guid,
  /** Write-only; omitted = keep the stored one. Setting it switches the app to the secret. */
  clientSecret: z.string().min(8).max(1024).optional(),
  /** PEM with the certificate AND its private key; write-only. Setting it switches the app to the certificate. */
  certificatePem: z.string().min(100).max(64_000).optional(),
  /** The service principal's object id (Enterprise applications), for the generated PowerShell. */
  servicePrincipalObjectId: Guid.optional(),
  /** A mail-enabled group whose members the app may reach (the management scope), for the PowerShell. */
  scopeGroup: z.string().trim().email("must be the group's address").max(320).optional(),
  /** When the client secret expires, as Entra's "Certificates & secrets" shows it (a date, YYYY-MM-DD). Not secret. */
  clientSecretExpiresOn: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/, "must be a date such as 2027-06-30")
    .optional(),
};

/** What the panel shows of the certificate (never the key). */
export interface CertificateInfo {
  /** SHA-1 thumbprint, upper-case hex: what Entra's "Certificates & secrets" lists. */
  thumbprint: string;
  thumbprintSha256: string;
  subject: string;
  notBefore: string;
  notAfter: string;
}

/** Stored, non-secret settings shared by both app-only types (the certificate's public facts are audited). */
export interface AppIdentitySettings {
  tenantId: string;
  clientId: string;
  /** Named so the audit (which redacts secret-looking keys) keeps which credential and the certificate's facts. */
  signInWith: "certificate" | "secret";
  cert: CertificateInfo | null;
  servicePrincipalObjectId: string | null;
  scopeGroup: string | null;
  /** When the client secret expires (YYYY-MM-DD), entered with it; null when not given or signing in with a certificate. */
  clientSecretExpiresOn?: string | null;
}

/** Sealed: the client secret, or the certificate's private key and certificate (PEM). */
export interface AppIdentitySecret {
  clientSecret?: string;
  privateKeyPem?: string;
  certificatePem?: string;
  /** The certificate's facts, kept with it so a save that keeps the certificate keeps them. */
  certificateInfo?: CertificateInfo;
  /** The client secret's expiry date, kept with it so a save that keeps the secret keeps it. */
  clientSecretExpiresOn?: string | null;
}

/** Days before a client secret's expiry from which the panel warns. */
export const CLIENT_SECRET_WARNING_DAYS = 30;

/** When a client secret expiring on `date` (YYYY-MM-DD) stops working: the start of that day, UTC. */
export const clientSecretDueAt = (date: string): string => `${date.slice(0, 10)}T00:00:00.000Z`;

/**
 * Checks an entered client secret expiry: a real calendar date, after today. Returns YYYY-MM-DD.
 * @example checkSecretExpiry("2027-06-30") // "2027-06-30"
 */
export function checkSecretExpiry(value: string, now = Date.now()): string {
  const fail = (message: string) =>
    badRequest("validation_failed", `clientSecretExpiresOn: ${message}`, [
      { path: "clientSecretExpiresOn", message },
    ]);
  const date = value.trim().slice(0, 10);
  const at = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(at) || new Date(at).toISOString().slice(0, 10) !== date) {
    throw fail(`"${value}" is not a date; enter it as Entra shows it, such as 2027-06-30.`);
  }
  if (at <= now) {
    throw fail(
      `${date} is not in the future: that secret has expired. Create a new client secret in the app registration and enter it with its expiry date.`,
    );
  }
  return date;
}

/** Splits an uploaded PEM into certificate and key, checks they belong together, and reads its facts. */
export function parseCertificatePem(pem: string): {
  info: CertificateInfo;
  certificatePem: string;
  privateKeyPem: string;
} {
  const fail = (message: string) =>
    badRequest("validation_failed", `certificatePem: ${message}`, [{ path: "certificatePem", message }]);
  const certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const privateKeyPem =
    /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem)) {
    throw fail(
      "the private key is encrypted; export it without a password (openssl pkcs12 -in app.pfx -nodes).",
    );
  }
  if (!certificatePem) {
    throw fail(
      "no certificate found; upload a PEM file with -----BEGIN CERTIFICATE----- and the private key.",
    );
  }
  if (!privateKeyPem) {
    throw fail(
      "no private key found; the PEM must hold the certificate AND its private key (-----BEGIN PRIVATE KEY-----).",
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    throw fail("the certificate could not be read.");
  }
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    throw fail("the private key could not be read.");
  }
  if (!matches) throw fail("the private key does not belong to the certificate.");
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() <= Date.now()) {
    throw fail(`the certificate expired on ${notAfter.toISOString().slice(0, 10)}; create a new one.`);
  }
  return {
    certificatePem,
    privateKeyPem,
    info: {
      thumbprint: cert.fingerprint.replace(/:/g, ""),
      thumbprintSha256: cert.fingerprint256.replace(/:/g, ""),
      subject: cert.subject.replace(/\n/g, ", "),
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: notAfter.toISOString(),
    },
  };
}

/** Days until the certificate expires (negative once expired). */
export function daysLeft(info: CertificateInfo, now = Date.now()): number {
  return Math.floor((Date.parse(info.notAfter) - now) / 86_400_000);
}

/** Warnings about the app's credential: a certificate near or past its expiry, a secret instead of a certificate. */
export function credentialWarnings(settings: AppIdentitySettings, now = Date.now()): string[] {
  if (settings.signInWith === "secret") {
    const warnings = [
      "The app signs in with a client secret. A certificate is preferred: upload one (PEM with its private key) and register its public part in the app registration.",
    ];
    const on = settings.clientSecretExpiresOn;
    if (on) {
      const left = Math.floor((Date.parse(clientSecretDueAt(on)) - now) / 86_400_000);
      if (left < 0) {
        warnings.push(
          `The app's client secret expired on ${on}: tokens are refused (AADSTS7000222). Create a new secret in the app registration and enter it here with its expiry date.`,
        );
      } else if (left <= CLIENT_SECRET_WARNING_DAYS) {
        warnings.push(
          `The app's client secret expires in ${left} day(s), on ${on}. Create a new secret in the app registration and enter it here before then.`,
        );
      }
    }
    return warnings;
  }
  const info = settings.cert;
  if (!info) return [];
  const left = daysLeft(info, now);
  if (left < 0) {
    return [
      `The app's certificate (thumbprint ${info.thumbprint}) expired on ${info.notAfter.slice(0, 10)}: tokens are refused (AADSTS700027). Upload a new certificate here and in the app registration.`,
    ];
  }
  if (left <= CERTIFICATE_WARNING_DAYS) {
    return [
      `The app's certificate (thumbprint ${info.thumbprint}) expires in ${left} day(s), on ${info.notAfter.slice(0, 10)}. Upload a new certificate here and in the app registration before then.`,
    ];
  }
  return [];
}

/** The identity part of a PUT body. */
export interface AppIdentityBody {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  certificatePem?: string;
  servicePrincipalObjectId?: string;
  scopeGroup?: string;
  clientSecretExpiresOn?: string;
}

/**
 * Turns the identity part of a PUT body into settings and secret: a new certificate or secret replaces the
 * stored credential; none keeps it (the first save needs one). Both at once is refused.
 */
export function prepareIdentity(
  input: AppIdentityBody,
  existing: AppIdentitySecret | null,
): { settings: AppIdentitySettings; secret: AppIdentitySecret } {
  if (input.clientSecret && input.certificatePem) {
    throw badRequest("validation_failed", "Give either a certificate or a client secret, not both.", [
      { path: "certificatePem", message: "choose one credential" },
    ]);
  }
  const expiresOn =
    input.clientSecretExpiresOn === undefined ? undefined : checkSecretExpiry(input.clientSecretExpiresOn);
  if (expiresOn && (input.certificatePem || (!input.clientSecret && !existing?.clientSecret))) {
    throw badRequest(
      "validation_failed",
      "clientSecretExpiresOn: the expiry date goes with a client secret; the app signs in with a certificate.",
      [{ path: "clientSecretExpiresOn", message: "only with a client secret" }],
    );
  }
  const base = {
    tenantId: input.tenantId,
    clientId: input.clientId.toLowerCase(),
    servicePrincipalObjectId: input.servicePrincipalObjectId?.toLowerCase() ?? null,
    scopeGroup: input.scopeGroup?.toLowerCase() ?? null,
  };
  if (input.certificatePem) {
    const parsed = parseCertificatePem(input.certificatePem);
    return {
      settings: { ...base, signInWith: "certificate", cert: parsed.info },
      secret: {
        certificatePem: parsed.certificatePem,
        privateKeyPem: parsed.privateKeyPem,
        certificateInfo: parsed.info,
      },
    };
  }
  if (input.clientSecret) {
    // A new secret has its own expiry: the old secret's date is not carried over.
    const clientSecretExpiresOn = expiresOn ?? null;
    return {
      settings: { ...base, signInWith: "secret", cert: null, clientSecretExpiresOn },
      secret: {
        clientSecret: input.clientSecret,
        ...(clientSecretExpiresOn ? { clientSecretExpiresOn } : {}),
      },
    };
  }
  const stored = existing;
  if (stored?.privateKeyPem && stored.certificatePem && stored.certificateInfo) {
    return { settings: { ...base, signInWith: "certificate", cert: stored.certificateInfo }, secret: stored };
  }
  if (stored?.clientSecret) {
    const clientSecretExpiresOn = expiresOn ?? stored.clientSecretExpiresOn ?? null;
    return {
      settings: { ...base, signInWith: "secret", cert: null, clientSecretExpiresOn },
      secret: clientSecretExpiresOn ? { ...stored, clientSecretExpiresOn } : stored,
    };
  }
  throw badRequest(
    "validation_failed",
    "certificatePem: upload the app's certificate (PEM with its private key) or enter a client secret.",
    [{ path: "certificatePem", message: "required the first time" }],
  );
}

/** The public view of the identity: ids, which credential, the certificate's facts; never the secret or key. */
export function presentIdentity(
  settings: AppIdentitySettings,
  secret: AppIdentitySecret | null,
  now = Date.now(),
): Record<string, unknown> {
  return {
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    credential: settings.signInWith,
    clientSecretSet: Boolean(secret?.clientSecret),
    clientSecretExpiresOn: settings.clientSecretExpiresOn ?? null,
    clientSecretDaysLeft: settings.clientSecretExpiresOn
      ? Math.floor((Date.parse(clientSecretDueAt(settings.clientSecretExpiresOn)) - now) / 86_400_000)
      : null,
    certificate: settings.cert ? { ...settings.cert, daysLeft: daysLeft(settings.cert, now) } : null,
    servicePrincipalObjectId: settings.servicePrincipalObjectId,
    scopeGroup: settings.scopeGroup,
  };
}

/**
 * The binding of an app's credential: the tenant, the app and the host its tokens are for (EWS or
 * Graph). Changing any of them needs the certificate or secret again (see secret-binding.ts).
 */
export function identityBinding(settings: AppIdentitySettings, resourceUrl: string): SecretBinding {
  return {
    parts: { tenant: settings.tenantId, app: settings.clientId, resource: originOf(resourceUrl) },
    where: `${hostOf(resourceUrl)} (tenant ${settings.tenantId}, app ${settings.clientId})`,
    field: settings.signInWith === "certificate" ? "certificatePem" : "clientSecret",
    secretName: settings.signInWith === "certificate" ? "certificate" : "client secret",
    onChange: "require",
  };
}

/** True when the PUT body carries a new certificate or client secret. */
export const suppliesIdentitySecret = (input: AppIdentityBody): boolean =>
  Boolean(input.certificatePem || input.clientSecret);
