import { NS, esc, text, type XmlNode } from "../soap";
import type { OperationContext } from "./context";

/** Exchange's DateTime.MaxValue: the answer for a password that never expires. */
export const NEVER_EXPIRES = "9999-12-31T23:59:59.9999999";
/** DateTime's default, which an error answer carries (the element is required by the schema). */
const NO_DATE = "0001-01-01T00:00:00";

function answer(
  responseClass: "Success" | "Error",
  date: string,
  error?: { code: string; message: string },
): string {
  const head = error
    ? `<m:MessageText>${esc(error.message)}</m:MessageText><m:ResponseCode>${error.code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>`
    : "<m:ResponseCode>NoError</m:ResponseCode>";
  return (
    `<m:GetPasswordExpirationDateResponse ResponseClass="${responseClass}" xmlns:m="${NS.messages}" xmlns:t="${NS.types}">` +
    `${head}<m:PasswordExpirationDate>${date}</m:PasswordExpirationDate></m:GetPasswordExpirationDateResponse>`
  );
}

/**
 * GetPasswordExpirationDate (Exchange 2010 SP2+): the caller's own password expiry, from the tenant
 * account's `passwordExpiresAt` (DateTime.MaxValue when it never expires). Exchange answers only for the
 * account that signs in: another address in MailboxSmtpAddress, an impersonated mailbox or an app-only
 * token is refused (ErrorInvalidArgument); an account without a mailbox gets ErrorMissingEmailAddress.
 * The answer is the top-level element of the body, as messages.xsd declares it.
 */
export function getPasswordExpirationDate(ctx: OperationContext, request: XmlNode): string {
  const account = ctx.caller.account;
  const own = ctx.caller.ownMailbox;
  const asked = text(request, "MailboxSmtpAddress")?.trim().toLowerCase();
  const refuse = (code: string, message: string) => answer("Error", NO_DATE, { code, message });
  if (!account || ctx.caller.kind !== "account") {
    return refuse(
      "ErrorInvalidArgument",
      "The password expiration date is available only to the account itself.",
    );
  }
  if (!own) {
    return refuse(
      "ErrorMissingEmailAddress",
      "When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.",
    );
  }
  const others = asked && asked !== own.primarySmtpAddress && !own.aliases.includes(asked);
  if (others || (ctx.target && ctx.target.primarySmtpAddress !== own.primarySmtpAddress)) {
    return refuse(
      "ErrorInvalidArgument",
      "The password expiration date is available only to the account itself.",
    );
  }
  const at = account.passwordExpiresAt;
  return answer("Success", at ? new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z") : NEVER_EXPIRES);
}
