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

/** GET /profiles/:id/mailbox-access: the public view; never a secret (`passwordSet` instead). */
export const MailboxAccessView = z
  .object({
    type: z.string(),
    label: z.string(),
    version: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    warnings: z.array(z.string()),
    accountLogon: z.string().optional(),
    ewsUrl: z.string().nullable().optional(),
    passwordSet: z.boolean().optional(),
  })
  .catchall(z.unknown());
export type MailboxAccessView = z.infer<typeof MailboxAccessView>;

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
