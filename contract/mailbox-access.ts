import { z } from "zod";

/** A service account logon: `user@domain` (UPN) or `DOMAIN\user`. */
export const AccountLogon = z
  .string()
  .trim()
  .min(3)
  .max(320)
  .regex(/^(?:[^\s@\\]+@[^\s@\\]+\.[^\s@\\]+|[^\s@\\]+\\[^\s@\\]+)$/, "must be user@domain or DOMAIN\\user");

/** An EWS URL as typed: checked further by the server's URL policy (https, no private addresses). */
export const EwsUrl = z
  .string()
  .trim()
  .min(8)
  .max(2048)
  .url("must be a URL such as https://mail.contoso.com/EWS/Exchange.asmx");

/** PUT body for "Microsoft Exchange basic authorization (EWS API) - Impersonated logon". */
export const BasicImpersonationBody = z
  .object({
    type: z.literal("ews-basic-impersonation"),
    accountLogon: AccountLogon,
    /** Write-only; omitted = keep the stored password. */
    password: z.string().min(1).max(256).optional(),
    ewsUrl: EwsUrl,
  })
  .strict();

/** PUT body for OAuth impersonated logon (the account itself is connected through Connect account). */
export const OAuthImpersonationBody = z
  .object({ type: z.literal("ews-oauth-impersonation"), ewsUrl: EwsUrl.optional() })
  .strict();

/** The Entra app of the app-only types: ids, and a certificate (PEM with key) or a secret, both write-only. */
const AppOnlyIdentity = {
  tenantId: z.string().trim().min(3).max(255),
  clientId: z.string().trim().min(36).max(36),
  /** Write-only; omitted = keep the stored credential. */
  clientSecret: z.string().min(8).max(1024).optional(),
  /** Write-only PEM holding the certificate and its private key (preferred over a secret). */
  certificatePem: z.string().min(100).max(64_000).optional(),
  servicePrincipalObjectId: z.string().trim().min(36).max(36).optional(),
  /** A mail-enabled group whose members the app may reach (fills the generated PowerShell). */
  scopeGroup: z.string().trim().max(320).optional(),
  /** When the client secret expires (YYYY-MM-DD, as Entra shows it); optional, not secret, with a client secret only. */
  clientSecretExpiresOn: z.string().trim().max(40).optional(),
};

/** PUT body for "Microsoft 365 app-only (EWS API)"; ewsUrl defaults to Exchange Online's. */
export const EwsAppOnlyBody = z
  .object({ type: z.literal("ews-app-only"), ...AppOnlyIdentity, ewsUrl: EwsUrl.optional() })
  .strict();

/** PUT body for "Microsoft 365 app-only (Graph API)"; the Graph URL is the server's GRAPH_BASE_URL. */
export const GraphAppOnlyBody = z.object({ type: z.literal("graph-app-only"), ...AppOnlyIdentity }).strict();

/** PUT /profiles/:id/mailbox-access: one shape per access type, told apart by `type`. */
export const MailboxAccessBody = z.discriminatedUnion("type", [
  BasicImpersonationBody,
  OAuthImpersonationBody,
  EwsAppOnlyBody,
  GraphAppOnlyBody,
]);
export type MailboxAccessBody = z.infer<typeof MailboxAccessBody>;

/** What every access type's view carries. */
const ViewBase = {
  label: z.string(),
  version: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  warnings: z.array(z.string()),
};

/** The OAuth service account a profile is connected with (OAuth impersonated logon); never a token. */
export const ConnectedAccount = z.object({
  upn: z.string(),
  tenantId: z.string(),
  objectId: z.string(),
  connectedAt: z.string(),
  /** When a token was last fetched from the identity provider (a refresh), or null. */
  lastRefreshAt: z.string().nullable(),
});
export type ConnectedAccount = z.infer<typeof ConnectedAccount>;

/** The public facts of an app-only identity's certificate (never its key). */
export const CertificateView = z.object({
  /** SHA-1 thumbprint, upper-case hex: what Entra's "Certificates & secrets" lists. */
  thumbprint: z.string(),
  thumbprintSha256: z.string(),
  subject: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  daysLeft: z.number().int(),
});
export type CertificateView = z.infer<typeof CertificateView>;

/** The app-only identity as both app-only types show it: ids, which credential, never the secret or key. */
const AppOnlyIdentityView = {
  tenantId: z.string(),
  clientId: z.string(),
  credential: z.enum(["certificate", "secret"]),
  clientSecretSet: z.boolean(),
  clientSecretExpiresOn: z.string().nullable(),
  clientSecretDaysLeft: z.number().int().nullable(),
  certificate: CertificateView.nullable(),
  servicePrincipalObjectId: z.string().nullable().optional(),
  scopeGroup: z.string().nullable().optional(),
  /** The RBAC for Applications (EWS) or Graph PowerShell for this app. */
  setupScript: z.string(),
};

/** The view of "Microsoft Exchange basic authorization (EWS API) - Impersonated logon". */
export const BasicImpersonationView = z.object({
  type: z.literal("ews-basic-impersonation"),
  ...ViewBase,
  accountLogon: z.string(),
  ewsUrl: z.string(),
  passwordSet: z.boolean(),
});

/** The view of OAuth impersonated logon: the EWS URL and the connected account, if any. */
export const OAuthImpersonationView = z.object({
  type: z.literal("ews-oauth-impersonation"),
  ...ViewBase,
  ewsUrl: z.string(),
  connectedAccount: ConnectedAccount.nullable(),
});

/** The view of "Microsoft 365 app-only (EWS API)". */
export const EwsAppOnlyView = z.object({
  type: z.literal("ews-app-only"),
  ...ViewBase,
  ...AppOnlyIdentityView,
  ewsUrl: z.string(),
});

/** The view of "Microsoft 365 app-only (Graph API)": the Graph URL in use and the permissions it needs. */
export const GraphAppOnlyView = z.object({
  type: z.literal("graph-app-only"),
  ...ViewBase,
  ...AppOnlyIdentityView,
  graphBaseUrl: z.string(),
  permissions: z.array(z.string()),
});

/** GET /profiles/:id/mailbox-access: the public view, one shape per access type; never a secret. */
export const MailboxAccessView = z.discriminatedUnion("type", [
  BasicImpersonationView,
  OAuthImpersonationView,
  EwsAppOnlyView,
  GraphAppOnlyView,
]);
export type MailboxAccessView = z.infer<typeof MailboxAccessView>;
/** The view of one access type. */
export type MailboxAccessViewOf<T extends MailboxAccessView["type"]> = Extract<
  MailboxAccessView,
  { type: T }
>;

/**
 * PUT /profiles/:id/mailbox-access's answer: the new view, and beside it the warnings of this save
 * (also on the view).
 */
export const SavedMailboxAccess = z.object({ data: MailboxAccessView, warnings: z.array(z.string()) });
export type SavedMailboxAccess = z.infer<typeof SavedMailboxAccess>;

/** One access type as the picklist shows it. */
export const AccessTypeInfo = z.object({ id: z.string(), label: z.string(), hint: z.string() });
export type AccessTypeInfo = z.infer<typeof AccessTypeInfo>;

/**
 * POST /profiles/:id/oauth/start: the UPN of the service account that is to sign in. The link's first
 * page names it, and the callback refuses any other account (compared with the ID token's `upn`).
 */
export const OAuthStartBody = z
  .object({
    expectedUpn: z
      .string()
      .trim()
      .min(3)
      .max(320)
      .regex(
        /^[^\s@\\]+@[^\s@\\]+\.[^\s@\\]+$/,
        "must be the service account's UPN, such as svc-sync@contoso.com",
      ),
  })
  .strict();
export type OAuthStartBody = z.infer<typeof OAuthStartBody>;
