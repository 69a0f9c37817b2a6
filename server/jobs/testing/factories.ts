import { randomUUID } from "node:crypto";
import type { UserState } from "../../../contract/common";
import { DEMO } from "../../ews-simulator/demo-tenant";
import { nowIso, type Db } from "../../store/db";
import { newUserRow } from "../../store/users-repo";

/** Inserts a profile; returns its id. */
export async function buildProfile(
  db: Db,
  overrides: { name?: string; maxConcurrentConnections?: number } = {},
): Promise<string> {
  const id = randomUUID();
  const now = nowIso();
  const name = overrides.name ?? `P ${id.slice(0, 8)}`;
  await db
    .insertInto("profiles")
    .values({
      id,
      name,
      nameLower: name.toLowerCase(),
      description: "",
      syncEnabled: 1,
      maxConcurrentConnections: overrides.maxConcurrentConnections ?? 10,
      alert: null,
      stalledAfterHours: 24,
      stalledAlertPercent: 10,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return id;
}

/** Inserts users with the given addresses in one state; returns their ids in order. */
export async function buildUsers(
  db: Db,
  profileId: string,
  addresses: string[],
  state: UserState = "not-activated",
): Promise<string[]> {
  const now = nowIso();
  const rows = addresses.map((address) => ({
    ...newUserRow({ id: randomUUID(), profileId, address, displayName: address.split("@")[0] }, now),
    state,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto("users")
      .values(rows.slice(i, i + 500))
      .execute();
  }
  return rows.map((r) => r.id);
}

/** Named demo mailboxes that fail on purpose (denied, EWS off, moving) or are service accounts. */
const SPECIAL = new Set<string>([
  DEMO.blockedUser,
  DEMO.ewsDisabledUser,
  DEMO.movingUser,
  DEMO.serviceAccount.logon,
  DEMO.user.address,
]);

/**
 * Addresses of the demo tenant's named user mailboxes (first.last@contoso.com) that EWS serves as they are:
 * not blocked, EWS on, no move under way.
 */
export function namedUserAddresses(
  tenant: {
    mailboxes: Array<{
      primarySmtpAddress: string;
      kind?: string;
      ewsEnabled?: boolean;
      moveInProgress?: boolean;
    }>;
  },
  n: number,
): string[] {
  return tenant.mailboxes
    .filter(
      (m) =>
        m.kind === "user" &&
        /^[a-z]+\.[a-z]+@contoso\.com$/.test(m.primarySmtpAddress) &&
        !m.primarySmtpAddress.startsWith("blocked") &&
        m.ewsEnabled !== false &&
        !m.moveInProgress,
    )
    .map((m) => m.primarySmtpAddress)
    .slice(0, n);
}

/** Addresses of plain generated simulator mailboxes (every check passes unless a fault is injected). */
export function mailboxAddresses(
  tenant: { mailboxes?: Array<{ primarySmtpAddress: string; kind?: string }> },
  n: number,
): string[] {
  return (tenant.mailboxes ?? [])
    .filter((m) => (!m.kind || m.kind === "user") && !SPECIAL.has(m.primarySmtpAddress))
    .map((m) => m.primarySmtpAddress)
    .slice(0, n);
}
