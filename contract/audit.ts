import { z } from "zod";
import { Id } from "./common";

/** Who changed what, when (secrets redacted before they are stored). */
export const AuditEvent = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  profileId: z.string().nullable(),
  target: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const ListAuditQuery = z.object({
  profileId: Id.optional(),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, "must be the nextCursor of an earlier page")
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;
