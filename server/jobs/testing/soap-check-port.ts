import type { CheckResult } from "../../domain/access-outcome";
import { envelope, getFolderBody } from "../../ews-simulator/test-helpers";
import { classifyFailure } from "../../domain/failure-cause";
import { isoNow as nowIso } from "../../domain/clock";
import type { UnitOfWork } from "../../store/unit-of-work";
import type { CheckPort, CheckedUser, CheckMode, MailboxChecker } from "../types";

const TRANSIENT = new Set([
  "ErrorServerBusy",
  "ErrorMailboxMoveInProgress",
  "ErrorInternalServerError",
  "http500",
  "http503",
  "network",
  "malformed",
]);

/**
 * A check over plain SOAP (impersonated GetFolder of Inbox and Calendar) for the runner's tests and the
 * benchmark: the job machinery is tested against the real simulator without depending on the EWS client.
 */
export async function soapCheck(
  ewsUrl: string,
  auth: { logon: string; password: string },
  address: string,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const fail = (
    code: string,
    message: string,
    extra: { backOffMs?: number; backOffScope?: "mailbox"; serviceAccountFailure?: boolean } = {},
  ): CheckResult => ({
    ok: false,
    ms: ms(),
    error: {
      code,
      message,
      remediation: `See the EWS error ${code}.`,
      transient: TRANSIENT.has(code),
      ...extra,
    },
  });
  let res: Response;
  let text: string;
  try {
    res = await fetch(ewsUrl, {
      method: "POST",
      headers: {
        "Content-Type": "text/xml; charset=utf-8",
        Authorization: `Basic ${Buffer.from(`${auth.logon}:${auth.password}`).toString("base64")}`,
      },
      body: envelope(getFolderBody(["inbox", "calendar"]), { impersonate: address }),
      signal,
    });
    text = await res.text();
  } catch (error) {
    return fail("network", error instanceof Error ? error.message : String(error));
  }
  if (res.status === 401) {
    return fail("401", "The service account's password was refused.", { serviceAccountFailure: true });
  }
  const code = /<(?:\w+:)?ResponseCode[^>]*>(\w+)</.exec(text)?.[1];
  if (res.status === 200 && code === "NoError" && text.includes("</s:Envelope>")) {
    return { ok: true, ms: ms(), mailboxKind: "user" };
  }
  if (code && code !== "NoError") {
    const backOff = /BackOffMilliseconds">(\d+)</.exec(text)?.[1];
    // The call impersonates `address`: Exchange charged it to that mailbox's budget (as server/ews/errors.ts maps it).
    return fail(code, code, backOff ? { backOffMs: Number(backOff), backOffScope: "mailbox" } : {});
  }
  if (res.status >= 500) return fail(`http${res.status}`, `HTTP ${res.status}`);
  return fail("malformed", "The answer was not valid XML.");
}

/** The result rules of DESIGN.md "States", for the tests (CheckService applies them in the product). */
export async function applyResultForTests(
  tx: UnitOfWork,
  user: CheckedUser,
  result: CheckResult,
  opts: { mode: CheckMode; jobId?: string },
): Promise<void> {
  const now = nowIso();
  const evaluates =
    opts.mode === "activate" || user.state === "active" || user.state === "error" || user.state === "pending";
  const lastError =
    result.ok || !result.error
      ? null
      : JSON.stringify({
          code: result.error.code,
          message: result.error.message,
          remediation: result.error.remediation,
        });
  await tx.checks.updateUser(user.id, {
    ...(evaluates ? { state: result.ok ? "active" : "error", stateBefore: null } : {}),
    lastCheckedAt: now,
    lastError,
    updatedAt: now,
    failure:
      result.ok || !result.error
        ? null
        : { cause: result.error.cause ?? classifyFailure(result.error), primaryAddress: null },
  });
  await tx.checks.insertHistory({
    userId: user.id,
    checkedAt: now,
    ok: result.ok ? 1 : 0,
    code: result.error?.code ?? null,
    message: result.error?.message ?? null,
    ms: result.ms,
    jobId: opts.jobId ?? null,
  });
}

/** A CheckPort over `soapCheck` for every profile. */
export function soapCheckPort(
  ewsUrl: string,
  auth: { logon: string; password: string },
): CheckPort & { checker: MailboxChecker } {
  const checker: MailboxChecker = (address, signal) => soapCheck(ewsUrl, auth, address, signal);
  return { checker, checkerFor: () => Promise.resolve(checker), applyResult: applyResultForTests };
}
