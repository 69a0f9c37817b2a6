import type { ComponentType } from "react";
import type { AccessType } from "../../../contract/common";
import { EwsAppOnlyForm, GraphAppOnlyForm } from "../app-only/AppOnlyTypeForms";
import { BasicAccessForm } from "../BasicAccessForm";
import { OAuthAccessPanel } from "../OAuthAccessPanel";
import { ACCESS_TYPE_DESCRIPTIONS, type AccessTypeDescription } from "./descriptions";
import type { AccessFormProps } from "./types";

export * from "./descriptions";
export type { AccessFormProps } from "./types";

/** One Mailbox Access Type as the panel knows it: its description and the form that sets it up. */
export interface AccessTypeEntry<T extends AccessType = AccessType> extends AccessTypeDescription<T> {
  /** The Email configuration card's form for this type. */
  Form: ComponentType<AccessFormProps>;
}

/**
 * The client's registry of Mailbox Access Types, mirroring server/access/index.ts: one entry per type
 * (a type added to contract/common.ts without one fails the type-check), in picklist order.
 * @example const { Form } = accessTypeEntry("ews-basic-impersonation");
 */
export const ACCESS_TYPES = {
  "ews-basic-impersonation": {
    ...ACCESS_TYPE_DESCRIPTIONS["ews-basic-impersonation"],
    Form: BasicAccessForm,
  },
  "ews-oauth-impersonation": {
    ...ACCESS_TYPE_DESCRIPTIONS["ews-oauth-impersonation"],
    Form: OAuthAccessPanel,
  },
  "ews-app-only": { ...ACCESS_TYPE_DESCRIPTIONS["ews-app-only"], Form: EwsAppOnlyForm },
  "graph-app-only": { ...ACCESS_TYPE_DESCRIPTIONS["graph-app-only"], Form: GraphAppOnlyForm },
} as const satisfies { readonly [T in AccessType]: AccessTypeEntry<T> };

/** The entry of a type id; undefined for an id this build doesn't know (a newer server's). */
export function accessTypeEntry(id: string): AccessTypeEntry | undefined {
  return Object.hasOwn(ACCESS_TYPES, id) ? ACCESS_TYPES[id as AccessType] : undefined;
}
