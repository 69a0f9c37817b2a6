import { z } from "zod";

/** A service account logon: `user@domain` (UPN) or `DOMAIN\user`. */
export const AccountLogon = z
  .string()
  .trim()
  .min(3)
  .max(320)
  .regex(/^(?:[^\s@\\]+@[^\s@\\]+\.[^\s@\\]+|[^\s@\\]+\\[^\s@\\]+)$/, "must be user@domain or DOMAIN\\user");

/** An EWS URL as typed: checked further by the server's URL policy (https, no private addresses). */
export const EwsUrl = z.string().trim().min(8).max(2048).url("must be a URL such as https://mail.contoso.com/EWS/Exchange.asmx");

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
export const OAuthImpersonationBody = z.object({ type: z.literal("ews-oauth-impersonation"), ewsUrl: EwsUrl.optional() }).strict();

/** PUT /profiles/:id/mailbox-access: one shape per access type, told apart by `type`. */
export const MailboxAccessBody = z.discriminatedUnion("type", [BasicImpersonationBody, OAuthImpersonationBody]);
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

/** One access type as the picklist shows it. */
export const AccessTypeInfo = z.object({ id: z.string(), label: z.string(), hint: z.string() });
export type AccessTypeInfo = z.infer<typeof AccessTypeInfo>;
