import { daysUntilEwsRetirement, EWS_RETIREMENT_DATE } from "../../contract/ews-deadline";
import type { Settings } from "../../contract/settings";
import { clientSecretDueAt, type AppIdentitySettings } from "../access/app-only-identity";
import type { ConnectivityStep } from "../access/types";
import { SYSTEM } from "../auth/principal";
import { isoNow, systemClock, type Clock } from "../domain/clock";
import type { Logger } from "../logger";
import { sentKey, type DeadlineAccessRow } from "../store/credential-deadlines-repo";
import type { StoreAccess } from "../store/unit-of-work";
import { recordAudit } from "./audit";
import type { MailboxAccessService } from "./mailbox-access";
import { ewsEndsOn } from "./profiles";
import type { SettingsService } from "./settings";
import { alertCard, WebhookDeliveryError } from "./webhook";

/** What can run out: the kinds this module computes. */
export type CredentialDeadlineKind =
  "client-secret" | "password" | "oauth-stale" | "certificate" | "ews-deadline";

/** One credential or deadline ahead of a profile (the overview's item shape). */
export interface CredentialDeadline {
  profileId: string;
  kind: CredentialDeadlineKind;
  /** When it runs out (ISO). For `oauth-stale`: when the connection became stale. */
  dueAt: string;
  /** Whole days left (negative once past). */
  daysLeft: number;
  detail?: string;
}

/** Days ahead at which an alert is sent, once each per credential. */
export const ALERT_THRESHOLDS = [30, 7, 1] as const;
/** The one threshold of a stale OAuth connection: when it becomes stale. */
const STALE_THRESHOLD = 0;

const DAY_MS = 86_400_000;
const APP_ONLY = new Set(["ews-app-only", "graph-app-only"]);
const MONITOR = { ...SYSTEM, name: "monitor" };

const LABELS: Record<CredentialDeadlineKind, string> = {
  "client-secret": "the app's client secret",
  password: "the service account's password",
  "oauth-stale": "the Connect account connection",
  certificate: "the app's certificate",
  "ews-deadline": "EWS in Exchange Online",
};

/** What to do about each kind, in plain words (the alert card's text). */
const FIX: Record<CredentialDeadlineKind, string> = {
  "client-secret":
    "Create a new client secret in the app registration (Certificates & secrets), then enter it with its expiry date in the profile's Email configuration.",
  password:
    "Change the service account's password (Set-ADAccountPassword or Active Directory Users and Computers), then enter it in the profile's Email configuration.",
  "oauth-stale":
    "Open the profile's Email configuration and choose Connect account to sign the service account in again.",
  certificate:
    "Create a new certificate, register its public part in the app registration and upload it (PEM with its private key) in the profile's Email configuration.",
  "ews-deadline": "Move the profile to Microsoft Graph (Email configuration, Move to Graph) before then.",
};

const daysLeftOf = (dueAt: string, now: number) => Math.floor((Date.parse(dueAt) - now) / DAY_MS);

function parse<T>(json: string): Partial<T> {
  try {
    return (JSON.parse(json) as Partial<T>) ?? {};
  } catch {
    return {};
  }
}

/** Every deadline of one configured profile, at `now`. */
function deadlinesOfRow(
  row: DeadlineAccessRow,
  password: { expiresAt: string | null } | undefined,
  now: number,
  oauthStaleHours: number,
): CredentialDeadline[] {
  const out: CredentialDeadline[] = [];
  const push = (kind: CredentialDeadlineKind, dueAt: string, detail: string, daysLeft?: number) =>
    out.push({ profileId: row.profileId, kind, dueAt, daysLeft: daysLeft ?? daysLeftOf(dueAt, now), detail });
  if (APP_ONLY.has(row.type)) {
    const s = parse<AppIdentitySettings>(row.settings);
    if (s.signInWith === "secret" && s.clientSecretExpiresOn) {
      push(
        "client-secret",
        clientSecretDueAt(s.clientSecretExpiresOn),
        `The client secret of app ${s.clientId ?? "?"} expires on ${s.clientSecretExpiresOn}.`,
      );
    }
    if (s.signInWith === "certificate" && s.cert?.notAfter) {
      push(
        "certificate",
        s.cert.notAfter,
        `The certificate (thumbprint ${s.cert.thumbprint}) of app ${s.clientId ?? "?"} expires on ${s.cert.notAfter.slice(0, 10)}.`,
      );
    }
  }
  if (row.type === "ews-basic-impersonation" && password?.expiresAt) {
    const logon = parse<{ accountLogon: string }>(row.settings).accountLogon ?? "the service account";
    push(
      "password",
      password.expiresAt,
      `The password of ${logon} expires on ${password.expiresAt.slice(0, 10)} (as Exchange tells it).`,
    );
  }
  if (row.type === "ews-oauth-impersonation" && row.syncEnabled === 1) {
    const account = parse<{
      account: { upn: string; connectedAt: string; lastRefreshAt: string | null } | null;
    }>(row.settings).account;
    const last = account ? (account.lastRefreshAt ?? account.connectedAt) : undefined;
    if (account && last) {
      const staleAt = Date.parse(last) + oauthStaleHours * 3_600_000;
      if (Number.isFinite(staleAt) && staleAt <= now) {
        const hours = Math.floor((now - Date.parse(last)) / 3_600_000);
        push(
          "oauth-stale",
          new Date(staleAt).toISOString(),
          `No successful token refresh for ${account.upn} since ${last} (${hours} hours; the limit is ${oauthStaleHours}).`,
          0, // due now: it is stale
        );
      }
    }
  }
  if (ewsEndsOn(row.type, row.settings)) {
    push(
      "ews-deadline",
      `${EWS_RETIREMENT_DATE}T00:00:00.000Z`,
      `EWS in Exchange Online ends on ${EWS_RETIREMENT_DATE}; the profile uses it.`,
      daysUntilEwsRetirement(now),
    );
  }
  return out;
}

/** Kinds the overview takes from here (the lead's deadlinesFor has the certificate and the EWS deadline). */
const OVERVIEW_KINDS = new Set<CredentialDeadlineKind>(["client-secret", "password", "oauth-stale"]);

/**
 * The client secret expiries, password expiries (as Exchange told them) and stale OAuth connections of
 * the given profiles (null = all), for the overview. Items are `{profileId, kind, dueAt, daysLeft, detail}`.
 * @example const items = await credentialDeadlinesFor(store, ["p1"], Date.now());
 */
export async function credentialDeadlinesFor(
  store: StoreAccess,
  profileIds: readonly string[] | null,
  now: number,
  oauthStaleHours = 24,
): Promise<CredentialDeadline[]> {
  const all = await allDeadlinesFor(store, profileIds, now, oauthStaleHours);
  return all.filter((d) => OVERVIEW_KINDS.has(d.kind));
}

/** Every kind, certificate and EWS deadline included (what the advance alerts watch). */
export async function allDeadlinesFor(
  store: StoreAccess,
  profileIds: readonly string[] | null,
  now: number,
  oauthStaleHours = 24,
): Promise<CredentialDeadline[]> {
  const repo = store.repos.credentialDeadlines;
  const [rows, passwords] = await Promise.all([
    repo.accessRows(profileIds),
    repo.passwordExpiries(profileIds),
  ]);
  return rows.flatMap((row) => deadlinesOfRow(row, passwords.get(row.profileId), now, oauthStaleHours));
}

/**
 * The threshold an item is at now (days ahead), or undefined while it is further away: the smallest of
 * 30, 7 and 1 it has reached (a credential already past its date counts as at 1); a stale connection is at 0.
 */
export function thresholdAt(item: CredentialDeadline, now: number): number | undefined {
  if (item.kind === "oauth-stale") return STALE_THRESHOLD;
  const left = Date.parse(item.dueAt) - now;
  const reached = ALERT_THRESHOLDS.filter((t) => left <= t * DAY_MS);
  return reached.length ? Math.min(...reached) : undefined;
}

/** The connectivity test's step for the password expiry Exchange told (or why it couldn't). */
export function passwordExpiryStep(
  outcome: { ok: true; expiresAt: string | null } | { ok: false; code: string; message: string },
  ms: number,
  now: number,
): ConnectivityStep {
  const name = "Service account password expiry";
  if (!outcome.ok) {
    return {
      name,
      status: "skipped",
      ms,
      detail: `Exchange did not tell the password's expiry (${outcome.code}): ${outcome.message}`.trim(),
    };
  }
  if (!outcome.expiresAt) {
    return {
      name,
      status: "passed",
      ms,
      detail: "Exchange says the service account's password never expires.",
    };
  }
  const left = daysLeftOf(outcome.expiresAt, now);
  const on = outcome.expiresAt.slice(0, 10);
  if (left < 0) {
    return {
      name,
      status: "failed",
      ms,
      detail: `The service account's password expired on ${on}.`,
      code: "PasswordExpired",
      remediation: FIX.password,
    };
  }
  if (left <= ALERT_THRESHOLDS[0]) {
    return {
      name,
      status: "warning",
      ms,
      detail: `The service account's password expires in ${left} day(s), on ${on}.`,
      code: "PasswordExpiresSoon",
      remediation: FIX.password,
    };
  }
  return {
    name,
    status: "passed",
    ms,
    detail: `The service account's password expires on ${on} (${left} days).`,
  };
}

/**
 * Credentials and deadlines ahead: asks Exchange for the basic service account's password expiry, and
 * sends the advance alerts (30, 7 and 1 days ahead; a stale OAuth connection when it becomes stale) on
 * the alert webhook as an Adaptive Card, audited, each threshold once per credential. A credential is
 * named by its due date, so a replaced one (another date) starts afresh and the old one's record goes.
 */
export class CredentialDeadlineService {
  /** The clock alerts are judged by (tests move it). */
  clock: Clock = systemClock;

  constructor(
    private readonly store: StoreAccess,
    private readonly mailboxAccess: MailboxAccessService,
    private readonly settings: SettingsService,
    private readonly log: Logger,
    private readonly baseUrl: string,
  ) {}

  /**
   * Asks Exchange for the service account's password expiry (types with a password only) and stores it.
   * Returns the outcome, or undefined when the profile's type has no password.
   */
  async refreshPasswordExpiry(
    profileId: string,
    signal?: AbortSignal,
  ): Promise<
    { ok: true; expiresAt: string | null } | { ok: false; code: string; message: string } | undefined
  > {
    const access = await this.mailboxAccess.open(profileId);
    if (!access?.type.passwordExpiry) return undefined;
    const outcome = await access.type.passwordExpiry(access.config, signal);
    if (!outcome.ok) return { ok: false, code: outcome.failure.code, message: outcome.failure.message };
    await this.store.repos.credentialDeadlines.savePasswordExpiry(
      profileId,
      outcome.expiresAt,
      isoNow(this.clock),
    );
    return outcome;
  }

  /**
   * One pass: every enabled profile's deadlines; for each at a threshold not sent yet, records it (with the
   * larger thresholds, so a credential first seen at 5 days gets one card, not three), audits it and posts
   * one card. Returns the alerts sent.
   */
  async sendDueAlerts(settings?: Settings): Promise<CredentialDeadline[]> {
    const now = this.clock.now();
    const effective = settings ?? (await this.settings.effective());
    const repo = this.store.repos.credentialDeadlines;
    const rows = (await repo.accessRows(null)).filter((r) => r.syncEnabled === 1);
    const passwords = await repo.passwordExpiries(null);
    const sent = await repo.sentKeys();
    const names = new Map(rows.map((r) => [r.profileId, r.profileName]));
    const alerts: CredentialDeadline[] = [];
    for (const row of rows) {
      const items = deadlinesOfRow(row, passwords.get(row.profileId), now, effective.oauthStaleHours);
      await repo.forgetKindsExcept(
        row.profileId,
        items.map((i) => i.kind),
      );
      for (const item of items) {
        await repo.forgetOtherCredentials(item.profileId, item.kind, item.dueAt);
        const threshold = thresholdAt(item, now);
        if (threshold === undefined || sent.has(sentKey(item.profileId, item.kind, item.dueAt, threshold))) {
          continue;
        }
        const recorded = await this.store.transaction(async (tx) => {
          const sentAt = isoNow(this.clock);
          const first = await tx.credentialDeadlines.markSent({
            profileId: item.profileId,
            kind: item.kind,
            credentialKey: item.dueAt,
            thresholdDays: threshold,
            sentAt,
          });
          if (!first) return false; // another instance sent it
          for (const larger of ALERT_THRESHOLDS.filter((t) => t > threshold)) {
            await tx.credentialDeadlines.markSent({
              profileId: item.profileId,
              kind: item.kind,
              credentialKey: item.dueAt,
              thresholdDays: larger,
              sentAt,
            });
          }
          await recordAudit(tx, {
            actor: MONITOR,
            action: "deadline.alert",
            profileId: item.profileId,
            target: item.kind,
            after: { kind: item.kind, dueAt: item.dueAt, daysAhead: threshold, daysLeft: item.daysLeft },
          });
          return true;
        });
        if (!recorded) continue;
        alerts.push(item);
        await this.notify(effective, names.get(item.profileId) ?? item.profileId, item);
      }
    }
    return alerts;
  }

  private async notify(settings: Settings, profileName: string, item: CredentialDeadline): Promise<void> {
    if (!settings.alertWebhookUrl) return;
    const what = LABELS[item.kind];
    const title =
      item.kind === "oauth-stale"
        ? `${profileName}: ${what} is stale`
        : item.kind === "ews-deadline"
          ? `${profileName}: ${what} ends in ${item.daysLeft} day(s)`
          : item.daysLeft < 0
            ? `${profileName}: ${what} has expired`
            : `${profileName}: ${what} expires in ${item.daysLeft} day(s)`;
    try {
      await this.settings.webhook.post(
        settings.alertWebhookUrl,
        alertCard(`${title}`, `${item.detail ?? ""} ${FIX[item.kind]}`.trim(), [
          { title: "Profile", value: profileName },
          { title: item.kind === "oauth-stale" ? "Stale since" : "Due", value: item.dueAt.slice(0, 10) },
          { title: "Days left", value: String(item.daysLeft) },
          { title: "Open", value: `${this.baseUrl}/profiles/${item.profileId}/connectivity` },
        ]),
      );
    } catch (error) {
      this.log.warn(
        { err: error instanceof WebhookDeliveryError ? error.detail : String(error) },
        "deadline alert webhook failed",
      );
    }
  }
}
