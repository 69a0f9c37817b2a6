import { z } from "zod";
import { AccessType, Id, MailboxKind, UserState, text } from "./common";

/**
 * What a service key lets the sync service do. `ews:proxy` is the scope keys had before the gateway
 * told reads from writes: still accepted and honoured as `ews:read` + `ews:write` (SCOPE_ALIASES).
 */
export const serviceKeyScopes = [
  "roster:read",
  "ews:read",
  "ews:write",
  "reports:write",
  "ews:proxy",
] as const;
export const ServiceKeyScope = z.enum(serviceKeyScopes);
export type ServiceKeyScope = z.infer<typeof ServiceKeyScope>;

/** Scopes that stand for others (expanded when a key is checked, so stored keys need no migration). */
export const SCOPE_ALIASES: Partial<Record<ServiceKeyScope, readonly ServiceKeyScope[]>> = {
  "ews:proxy": ["ews:read", "ews:write"],
};

/** The scopes offered when a key is created (aliases are accepted but not offered). */
export const offeredServiceKeyScopes: readonly ServiceKeyScope[] = serviceKeyScopes.filter(
  (s) => !SCOPE_ALIASES[s],
);

/**
 * The scopes a key holds once aliases are expanded.
 * @example effectiveScopes(["ews:proxy"]) // ["ews:proxy", "ews:read", "ews:write"]
 */
export function effectiveScopes(scopes: readonly ServiceKeyScope[]): ServiceKeyScope[] {
  return [...new Set(scopes.flatMap((s) => [s, ...(SCOPE_ALIASES[s] ?? [])]))];
}

export const ServiceKey = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(ServiceKeyScope),
  profileId: z.string().nullable(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ServiceKey = z.infer<typeof ServiceKey>;

/** The one response that carries the key itself: shown once, never again. */
export const CreatedServiceKey = ServiceKey.extend({ key: z.string() });
export type CreatedServiceKey = z.infer<typeof CreatedServiceKey>;

export const CreateServiceKeyBody = z.strictObject({
  name: text(100),
  scopes: z.array(ServiceKeyScope).min(1, "choose at least one scope").max(serviceKeyScopes.length),
  profileId: Id.optional(),
  expiresAt: z.iso
    .datetime({ offset: true })
    .refine((v) => Date.parse(v) > Date.now(), "must be in the future")
    .optional(),
});
export type CreateServiceKeyBody = z.infer<typeof CreateServiceKeyBody>;

/** One mailbox in the roster. `syncAllowed` is the one flag the sync service needs to obey. */
export const RosterMailbox = z.object({
  address: z.string(),
  displayName: z.string(),
  profileId: z.string(),
  profileName: z.string(),
  accessType: AccessType.nullable(),
  mailboxKind: MailboxKind.nullable(),
  /** `removed` for a mailbox taken out of the product since `updatedSince`. */
  state: z.union([UserState, z.literal("removed")]),
  /** True only for an active mailbox in a profile whose sync is enabled. */
  syncAllowed: z.boolean(),
  updatedAt: z.string(),
});
export type RosterMailbox = z.infer<typeof RosterMailbox>;

export const RosterQuery = z.object({
  cursor: z
    .string()
    .max(500)
    .regex(/^[A-Za-z0-9_-]+$/, "must be the nextCursor of an earlier page")
    .optional(),
  updatedSince: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const SyncReportBody = z
  .strictObject({
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
    itemsIn: z.number().int().min(0).max(10_000_000),
    itemsOut: z.number().int().min(0).max(10_000_000),
    errors: z
      .array(z.strictObject({ code: text(100), message: z.string().trim().max(2000) }))
      .max(100)
      .default([]),
  })
  .refine((r) => Date.parse(r.finishedAt) >= Date.parse(r.startedAt), {
    message: "finishedAt must not be before startedAt",
    path: ["finishedAt"],
  });
export type SyncReportBody = z.infer<typeof SyncReportBody>;

export const SyncSession = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  itemsIn: z.number(),
  itemsOut: z.number(),
  ok: z.boolean(),
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type SyncSession = z.infer<typeof SyncSession>;
