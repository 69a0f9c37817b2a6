import { z } from "zod";
import { AccessType, Id, UserState, text, userStates } from "./common";

export const ProfileAlert = z.object({
  kind: z.enum(["failure-share", "service-account-auth", "sync-failures", "stalled-sync"]),
  message: z.string(),
  since: z.string(),
});
export type ProfileAlert = z.infer<typeof ProfileAlert>;

export const StateCounts = z.object(
  Object.fromEntries(userStates.map((s) => [s, z.number().int()])) as Record<UserState, z.ZodNumber>,
);
export type StateCounts = z.infer<typeof StateCounts>;

export const Profile = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  syncEnabled: z.boolean(),
  maxConcurrentConnections: z.number().int(),
  accessType: AccessType.nullable(),
  /**
   * The day EWS ends for this profile ("2027-04-01") when it uses an EWS type against Exchange Online
   * (worldwide or a sovereign cloud), else null: the panel counts the days and offers Move to Graph.
   */
  ewsEndsOn: z.string().nullable(),
  counts: StateCounts,
  alert: ProfileAlert.nullable(),
  /** Hours without a sync report after which an active mailbox counts as stalled. */
  stalledAfterHours: z.number().int(),
  /** The stalled alert is raised when more than this share (%) of the active mailboxes is stalled. */
  stalledAlertPercent: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof Profile>;

export const CreateProfileBody = z.strictObject({
  name: text(100),
  description: z.string().trim().max(1000).optional(),
});
export type CreateProfileBody = z.infer<typeof CreateProfileBody>;

export const UpdateProfileBody = z
  .strictObject({
    name: text(100).optional(),
    description: z.string().trim().max(1000).optional(),
    syncEnabled: z.boolean().optional(),
    maxConcurrentConnections: z.number().int().min(1).max(27).optional(),
    stalledAfterHours: z.number().int().min(1).max(720).optional(),
    stalledAlertPercent: z.number().int().min(1).max(100).optional(),
  })
  .refine(
    (v) => Object.keys(v).length > 0,
    "send at least one of name, description, syncEnabled, maxConcurrentConnections, stalledAfterHours, stalledAlertPercent",
  );
export type UpdateProfileBody = z.infer<typeof UpdateProfileBody>;
