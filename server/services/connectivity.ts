import { randomUUID } from "node:crypto";
import type { ConnectivityResult, ConnectivityTestBody } from "../../contract/connectivity";
import type { AccessDeps } from "../access";
import type { ConnectivityStep } from "../access/types";
import type { Principal } from "../auth/principal";
import { autodiscover } from "../ews/autodiscover";
import { forbidden } from "../errors";
import { nowIso, type Db } from "../store/db";
import { MailboxAccessRepository } from "../store/mailbox-access-repo";
import { recordAudit } from "./audit";
import type { MailboxAccessService } from "./mailbox-access";
import type { ProfileService } from "./profiles";

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
    private readonly db: Db,
    private readonly profiles: ProfileService,
    private readonly mailboxAccess: MailboxAccessService,
    private readonly deps: AccessDeps,
  ) {}

  /** Runs the test against the profile's configuration and stores it as the profile's latest. */
  async run(
    principal: Principal,
    profileId: string,
    body: ConnectivityTestBody,
  ): Promise<ConnectivityResult> {
    await this.profiles.authorize(principal, profileId);
    const access = await this.mailboxAccess.require(profileId);
    const targetUser =
      body.targetUser ?? (await new MailboxAccessRepository(this.db).firstUserAddress(profileId));
    const startedAt = nowIso();
    const steps = await access.type.test(
      access.config,
      { targetUser, outOfScopeUser: body.outOfScopeUser },
      AbortSignal.timeout(TEST_TIMEOUT_MS),
    );
    const row = {
      id: randomUUID(),
      profileId,
      startedAt,
      finishedAt: nowIso(),
      ok: steps.every((s) => s.status !== "failed") ? 1 : 0,
      result: JSON.stringify(steps),
      createdBy: principal.name,
    };
    await this.db.transaction().execute(async (trx) => {
      await new MailboxAccessRepository(trx).insertConnectivityTest(row);
      // So the Activity tab shows who tested when, and with what outcome.
      await recordAudit(trx, {
        actor: principal,
        action: "connectivity.test",
        profileId,
        target: targetUser ?? null,
        after: {
          ok: row.ok === 1,
          failed: steps.filter((st) => st.status === "failed").map((st) => st.name),
          warnings: steps.filter((st) => st.status === "warning").map((st) => st.name),
        },
      });
    });
    return present(row);
  }

  /** The profile's latest test, or null. */
  async latest(principal: Principal, profileId: string): Promise<ConnectivityResult | null> {
    await this.profiles.authorize(principal, profileId);
    const row = await new MailboxAccessRepository(this.db).latestConnectivityTest(profileId);
    return row ? present(row) : null;
  }

  /**
   * Finds the EWS URL for an address. With a profile whose configuration has an account logon and
   * password, autodiscover signs in with them (on-premises autodiscover needs credentials).
   */
  async autodiscover(
    principal: Principal,
    email: string,
    profileId?: string,
  ): Promise<{ ewsUrl: string | null; steps: ConnectivityStep[] }> {
    // Admins only, whatever route called: it makes this server send requests to a domain of the caller's choosing.
    if (!principal.platformAdmin && ((await this.profiles.visibleIds(principal)) ?? []).length === 0) {
      throw forbidden("Only admins can run autodiscover.");
    }
    let credentials: { logon: string; password: string } | undefined;
    if (profileId) {
      await this.profiles.authorize(principal, profileId);
      const access = await this.mailboxAccess.open(profileId);
      const settings = access?.config.settings as { accountLogon?: string } | undefined;
      const secret = access?.config.secret as { password?: string } | null | undefined;
      if (settings?.accountLogon && secret?.password) {
        credentials = { logon: settings.accountLogon, password: secret.password };
      }
    }
    return autodiscover(email, {
      transport: this.deps.ews.transport,
      credentials,
      candidates: this.deps.autodiscoverCandidates,
      signal: AbortSignal.timeout(60_000),
    });
  }
}
