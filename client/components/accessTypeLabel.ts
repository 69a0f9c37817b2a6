import type { AccessType } from "../../contract/common";

const shortLabels: Record<AccessType, string> = {
  "ews-basic-impersonation": "EWS basic, impersonated",
  "ews-oauth-impersonation": "EWS OAuth, impersonated",
  "ews-app-only": "EWS app-only",
  "graph-app-only": "Graph app-only",
};

/** A short name of a Mailbox Access Type for lists; "Not configured" when there is none. */
export function accessTypeLabel(type: AccessType | null | undefined): string {
  return type ? shortLabels[type] : "Not configured";
}
