import { ewsBasicImpersonation } from "./ews-basic-impersonation";
import { ewsOAuthImpersonation } from "./ews-oauth-impersonation";
import { ewsAppOnly } from "./ews-app-only";
import { graphAppOnly } from "./graph-app-only";
import type { MailboxAccessType } from "./types";
import type { AccessDeps } from "./deps";

export type { AccessDeps } from "./deps";

/** Any access type; each module has its own settings, secret and input types (method parameters are bivariant). */
export type AnyAccessType = MailboxAccessType<unknown, unknown, unknown>;
export type AccessTypeFactory = (deps: AccessDeps) => AnyAccessType;

/** Every access type module, in picklist order. A new type adds one line here. */
export const ACCESS_TYPE_FACTORIES: AccessTypeFactory[] = [
  ewsBasicImpersonation,
  ewsOAuthImpersonation,
  ewsAppOnly,
  graphAppOnly,
];

/**
 * The registry of Mailbox Access Types: the only place that knows which modules exist.
 * @example const type = registry.accessTypeFor("ews-basic-impersonation");
 */
export class AccessRegistry {
  private readonly types: Map<string, AnyAccessType>;

  constructor(
    readonly deps: AccessDeps,
    factories: AccessTypeFactory[] = ACCESS_TYPE_FACTORIES,
  ) {
    this.types = new Map(factories.map((f) => f(deps)).map((t) => [t.id, t]));
  }

  /** The module for a type id, or undefined when this build has no such module. */
  accessTypeFor(id: string): AnyAccessType | undefined {
    return this.types.get(id);
  }

  /** Every available type, for the picklist. */
  listAccessTypes(): { id: string; label: string; hint: string }[] {
    return [...this.types.values()].map((t) => ({ id: t.id, label: t.label, hint: t.hint }));
  }
}
