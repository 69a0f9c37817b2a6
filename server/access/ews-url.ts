import { checkUrl, resolveChecked, UrlPolicyError, type UrlPolicy } from "../ews/url-policy";
import { badRequest } from "../errors";

/**
 * Checks an EWS URL against the URL policy when a configuration is saved: a forbidden URL is a 400 on
 * `ewsUrl`; a host that doesn't resolve (yet) is saved with a warning, which the connectivity test settles.
 * @example const warnings = await checkEwsUrl(input.ewsUrl, deps.ews.transport.policy);
 */
export async function checkEwsUrl(ewsUrl: string, policy: UrlPolicy): Promise<string[]> {
  try {
    const url = checkUrl(ewsUrl, policy);
    await resolveChecked(url.hostname, policy);
    return [];
  } catch (error) {
    if (!(error instanceof UrlPolicyError)) throw error;
    if (error.code === "DnsNotFound") {
      return [`${error.message} Saved anyway; the connectivity test will tell.`];
    }
    throw badRequest("validation_failed", `ewsUrl: ${error.message}`, [
      { path: "ewsUrl", message: error.message, code: error.code },
    ]);
  }
}
