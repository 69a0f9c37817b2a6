import { z } from "zod";

/** Where a mailbox stands with sync (see DESIGN.md, "States"). */
export const userStates = ["not-activated", "pending", "active", "error", "paused"] as const;
export const UserState = z.enum(userStates);
export type UserState = z.infer<typeof UserState>;

export const mailboxKinds = ["user", "room", "equipment"] as const;
export const MailboxKind = z.enum(mailboxKinds);
export type MailboxKind = z.infer<typeof MailboxKind>;

/** Ids of the Mailbox Access Types; each has one module in server/access. */
export const accessTypes = [
  "ews-basic-impersonation",
  "ews-oauth-impersonation",
  "ews-app-only",
  "graph-app-only",
] as const;
export const AccessType = z.enum(accessTypes);
export type AccessType = z.infer<typeof AccessType>;

/** A problem with a mailbox, as the panel shows it. */
export const MailboxError = z.object({
  code: z.string(),
  message: z.string(),
  remediation: z.string(),
});
export type MailboxError = z.infer<typeof MailboxError>;

export const ErrorBody = z.object({
  error: z.object({ id: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Id = z.string().min(1).max(100);

/** A trimmed, non-empty string of at most `max` characters. */
export const text = (max: number) => z.string().trim().min(1).max(max);

/** `{ data }` envelope of every successful response. */
export const dataOf = <T extends z.ZodType>(schema: T) => z.object({ data: schema });
/** `{ data: [...], nextCursor }` envelope of lists. */
export const pageOf = <T extends z.ZodType>(schema: T) =>
  z.object({ data: z.array(schema), nextCursor: z.string().nullable() });

/** A case-insensitive e-mail address, as Exchange's primary SMTP addresses are. */
export const EmailAddress = z
  .string()
  .trim()
  .max(320)
  .regex(
    /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/,
    "must be an e-mail address such as user@contoso.com",
  );
