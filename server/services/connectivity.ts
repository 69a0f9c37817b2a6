import { randomUUID } from "node:crypto";
import type { ConnectivityResult, ConnectivityTestBody } from "../../contract/connectivity";
import type { AccessDeps } from "../access";
import type { ConnectivityStep } from "../access/types";
import type { Principal } from "../auth/principal";
import {
  autodiscover,
  credentialHostsFor,
  type AutodiscoverCredentials,
  type AutodiscoverResult,
} from "../ews/autodiscover";
import { isAllowedHost } from "../ews/url-policy";
import { forbidden } from "../errors";
import { isoNow as nowIso } from "../domain/clock";
import type { StoreAccess } from "../store/unit-of-work";
import { noMetrics, type Metrics } from "../metrics/metrics";
import { recordAudit } from "./audit";
import type { MailboxAccessService } from "./mailbox-access";
import type { ProfileService } from "./profiles";
import { passwordExpiryStep, type CredentialDeadlineService } from "./credential-deadlines";

/** A whole test may take this long before it is cancelled (each call has its own shorter timeout). */
const TEST_TIMEOUT_MS = 120_000;

function present(row: {
  id: string;
  ok: number;
  result: string;
  startedAt: string;
  finishedAt: string;
  createdBy: string;
}): ConnectivityResult {
  return {
    id: row.id,
    ok: row.ok === 1,
    steps: JSON.parse(row.result) as ConnectivityStep[],
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdBy: row.createdBy,
  };
}

/** The connectivity test (Remote Connectivity Analyzer's "Service Account Access") and autodiscover. */
export class ConnectivityService {
  constructor(
    private readonly store: StoreAccess,
    private readonly profiles: ProfileService,
    private readonly mailboxAccess: MailboxAccessService,
    private readonly deps: AccessDeps,
    /** Counts connectivity tests by access type and outcome. */
    private readonly metrics: Metrics = noMetrics,
    private readonly deadlines?: CredentialDeadlineService,
  ) {}

  /** Runs the test against the profile's configuration and stores it as the profile's latest. */
  async run(
    principal: Principal,
    profileId: string,
    body: ConnectivityTestBody,
  ): Promise<ConnectivityResult> {
    await this.profiles.authorize(principal, profileId);
    const access = await this.mailboxAccess.require(profileId);
    const targetUser = body.targetUser ?? (await this.store.repos.mailboxAccess.firstUserAddress(profileId));
    const startedAt = nowIso();
    // When the admin says they just changed Exchange (never in the future): refusals such a change
    // explains read "may still be applying" until it has had time to apply.
    const changedAt = body.changedAt ? Math.min(Date.parse(body.changedAt), Date.now()) : undefined;
    const steps = await access.type.test(
      access.config,
      { targetUser, outOfScopeUser: body.outOfScopeUser, changedAt },
      AbortSignal.timeout(TEST_TIMEOUT_MS),
    );
    // A service account with a password: ask Exchange when it expires (once signed in), and keep it.
    if (
      access.type.passwordExpiry &&
      this.deadlines &&
      !steps.some((st) => st.name === "Authenticate" && st.status === "failed")
    ) {
      const started = performance.now();
      const outcome = await this.deadlines.refreshPasswordExpiry(profileId, AbortSignal.timeout(30_000));
      if (outcome) {
        steps.push(
          passwordExpiryStep(outcome, Math.round(performance.now() - started), this.deadlines.clock.now()),
        );
      }
    }
    const passed = steps.every((s) => s.status !== "failed");
    this.metrics.connectivityTested(access.type.id, passed);
    const row = {
      id: randomUUID(),
      profileId,
      startedAt,
      finishedAt: nowIso(),
      ok: passed ? 1 : 0,
      result: JSON.stringify(steps),
      createdBy: principal.name,
    };
    await this.store.transaction(async (tx) => {
      await tx.mailboxAccess.insertConnectivityTest(row);
      // So the Activity tab shows who tested when, and with what outcome.
      await recordAudit(tx, {
        actor: principal,
        action: "connectivity.test",
        profileId,
        target: targetUser ?? null,
        after: {
          ok: row.ok === 1,
          failed: steps.filter((st) => st.status === "failed").map((st) => st.name),
          warnings: steps.filter((st) => st.status === "warning").map((st) => st.name),
          ...(body.changedAt ? { changedAt: body.changedAt } : {}),
        },
      });
    });
    return present(row);
  }

  /** The profile's latest test, or null. */
  async latest(principal: Principal, profileId: string): Promise<ConnectivityResult | null> {
    await this.profiles.authorize(principal, profileId);
    const row = await this.store.repos.mailboxAccess.latestConnectivityTest(profileId);
    return row ? present(row) : null;
  }

  /**
   * Finds the EWS URL for an address; admins only. With a profile (its admins only) whose configuration
   * has an account logon and password, autodiscover may sign in with them (on-premises autodiscover needs
   * credentials), but only at the hosts the password was entered for (credentialHostsFor), after a 401 that
   * offers Basic, and at `confirmHost` when a redirect from such a host led there. Audited when lent.
   */
  async autodiscover(
    principal: Principal,
    body: { email: string; profileId?: string; confirmHost?: string },
  ): Promise<AutodiscoverResult> {
    if (!principal.platformAdmin && ((await this.profiles.visibleIds(principal)) ?? []).length === 0) {
      throw forbidden("Autodiscover is for admins.");
    }
    let credentials: AutodiscoverCredentials | undefined;
    const profileId = body.profileId;
    if (profileId) {
      await this.profiles.authorize(principal, profileId);
      const access = await this.mailboxAccess.open(profileId);
      const settings = access?.config.settings as { accountLogon?: string; ewsUrl?: string } | undefined;
      const secret = access?.config.secret as { password?: string } | null | undefined;
      if (settings?.accountLogon && secret?.password) {
        const policy = this.deps.ews.transport.policy;
        credentials = {
          logon: settings.accountLogon,
          password: secret.password,
          mayReceive: credentialHostsFor(settings.accountLogon, settings.ewsUrl, (host) =>
            isAllowedHost(host, policy),
          ),
        };
      }
    }
    const result = await autodiscover(body.email, {
      transport: this.deps.ews.transport,
      credentials,
      confirmHost: body.confirmHost,
      candidates: this.deps.autodiscoverCandidates,
      signal: AbortSignal.timeout(60_000),
    });
    if (profileId && credentials) {
      await recordAudit(this.store.repos, {
        actor: principal,
        action: "autodiscover.with-credentials",
        profileId,
        target: body.email,
        after: {
          accountLogon: credentials.logon,
          sentTo: result.sentTo,
          confirmedHost: body.confirmHost ?? null,
          ewsUrl: result.ewsUrl,
          confirmRedirect: result.confirmRedirect?.host ?? null,
        },
      });
    }
    return result;
  }
}
