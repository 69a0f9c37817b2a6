import type { ProfileAlert } from "../../contract/profiles";
import type { Principal } from "../auth/principal";
import type { StoreAccess } from "../store/unit-of-work";
import { recordAudit } from "./audit";

/**
 * Raises a profile's alert unless one is up, in one transaction with its audit event; true when it was
 * raised (the caller then sends its card).
 * @example if (await raiseProfileAlert(store, MONITOR, profile.id, alert)) await notify(alert);
 */
export function raiseProfileAlert(
  store: StoreAccess,
  actor: Principal,
  profileId: string,
  alert: ProfileAlert,
): Promise<boolean> {
  return store.transaction(async (tx) => {
    if (!(await tx.monitor.raiseAlert(profileId, alert))) return false;
    await recordAudit(tx, { actor, action: "profile.alert.raise", profileId, after: alert });
    return true;
  });
}

/** Clears a profile's alert when it is still up, audited with what it was (`before`). */
export async function clearProfileAlert(
  store: StoreAccess,
  actor: Principal,
  profileId: string,
  before: ProfileAlert,
): Promise<void> {
  await store.transaction(async (tx) => {
    if (await tx.monitor.clearAlert(profileId)) {
      await recordAudit(tx, { actor, action: "profile.alert.clear", profileId, before });
    }
  });
}
