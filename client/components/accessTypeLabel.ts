import type { AccessType } from "../../contract/common";
import { ACCESS_TYPE_DESCRIPTIONS } from "../connectivity/access-types/descriptions";

/** A short name of a Mailbox Access Type for lists; "Not configured" when there is none. */
export function accessTypeLabel(type: AccessType | null | undefined): string {
  return type ? ACCESS_TYPE_DESCRIPTIONS[type].shortLabel : "Not configured";
}
