import type { AccessFailure } from "../domain/access-outcome";
import { mapFailure } from "../ews/errors";

/** The Graph answer as the mapping sees it. */
export interface GraphAnswerLike {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the failure is about (for messages and remediation). */
export interface GraphFailureContext {
  clientId: string;
  target?: string;
  url?: string;
}

/** Retry-After (seconds or an HTTP date) in milliseconds; Graph sends seconds. Defaults to 10 s when absent. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number {
  if (!value) return 10_000;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : 10_000;
}

function graphError(body: string): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
    return parsed.error?.code ? { code: parsed.error.code, message: parsed.error.message ?? "" } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * THE mapping table for Microsoft Graph: HTTP status and Graph's `error.code` → message, remediation,
 * transient (429 carries `backOffMs` from Retry-After); transport failures reuse the EWS table's entries.
 * @example mapGraphFailure({ answer }, { clientId, target: "jane@contoso.com" }).code // "ErrorAccessDenied"
 */
export function mapGraphFailure(
  input: { answer?: GraphAnswerLike; error?: unknown },
  c: GraphFailureContext,
): AccessFailure {
  const { answer } = input;
  if (!answer) return mapFailure({ error: input.error }, { ewsUrl: c.url, target: c.target });
  const parsed = graphError(answer.body);
  const raw = `HTTP ${answer.status}${parsed ? ` ${parsed.code}: ${parsed.message}` : answer.body ? `\n${answer.body.slice(0, 500)}` : ""}`;
  const who = c.target ?? "the mailbox";
  if (answer.status === 429) {
    const backOffMs = retryAfterMs(answer.headers["retry-after"]);
    return {
      code: "TooManyRequests",
      message: `Microsoft Graph is throttling the app (retry after ${Math.round(backOffMs / 1000)} s).`,
      remediation:
        "Transient: calls resume after the Retry-After time. If it happens often, lower the profile's maximum concurrent connections.",
      transient: true,
      backOffMs,
      raw,
    };
  }
  if (answer.status === 401) {
    return {
      code: "InvalidAuthenticationToken",
      message: `Microsoft Graph refused the app-only token of app ${c.clientId} (HTTP 401).`,
      remediation:
        "Check that GRAPH_BASE_URL is Microsoft Graph's (https://graph.microsoft.com/v1.0) and that the token is asked for https://graph.microsoft.com/.default; run the connectivity test for Entra's answer.",
      transient: false,
      serviceAccountFailure: true,
      raw,
    };
  }
  if (answer.status === 403) {
    return {
      code: parsed?.code ?? "ErrorAccessDenied",
      message: `Microsoft Graph denied app ${c.clientId} access to ${who}: no role assignment of the app covers it.`,
      remediation:
        `Make ${who} a member of the group behind the app's management scope, or add a scoped role assignment (Exchange Online PowerShell):\n` +
        `Test-ServicePrincipalAuthorization -Identity "${c.clientId}" -Resource "${who}" | Format-Table RoleName,InScope\n` +
        `New-ManagementRoleAssignment -App "${c.clientId}" -Role "Application Mail.ReadWrite" -CustomResourceScope "Mailbox Sync Admin scope"\n` +
        "(and the same for Application Calendars.ReadWrite and Application MailboxSettings.Read). Assignments take up to 2 hours to apply.",
      transient: false,
      raw,
    };
  }
  if (answer.status === 404) {
    return {
      code: parsed?.code ?? "ErrorInvalidUser",
      message: `Microsoft Graph found no mailbox for ${who}.`,
      remediation: `Check the address for typos and that the user has an Exchange Online mailbox (Get-EXOMailbox "${who}"); a mailbox on-premises can't be reached through Graph app-only. If the person left, remove the user from this profile.`,
      transient: false,
      raw,
    };
  }
  if (answer.status >= 500) {
    return {
      code: "GraphUnavailable",
      message: `Microsoft Graph is unavailable (HTTP ${answer.status}).`,
      remediation: "Transient; retried later.",
      transient: true,
      ...(answer.headers["retry-after"] ? { backOffMs: retryAfterMs(answer.headers["retry-after"]) } : {}),
      raw,
    };
  }
  return {
    code: parsed?.code ?? "GraphHttpError",
    message: `Microsoft Graph answered HTTP ${answer.status}.`,
    remediation: "Check GRAPH_BASE_URL and any proxy in front of Graph.",
    transient: false,
    raw,
  };
}
