import { z } from "zod";

/** Platform-wide settings; defaults come from the configuration (DESIGN.md's table). */
export const Settings = z.object({
  /** Where alerts are posted; null = no webhook. */
  alertWebhookUrl: z.string().nullable(),
  /** How often the monitor re-checks active users; 0 = never. */
  monitorIntervalMinutes: z.number().int(),
  /** Share of failed checks (0..1) above which a profile raises an alert. */
  alertFailureShare: z.number(),
  /** Audit events older than this are deleted. */
  auditRetentionDays: z.number().int(),
  /** Hours after its start at which a bulk job still running stops (JOBS_DEADLINE_HOURS by default). */
  jobsDeadlineHours: z.number().int(),
  /** Hours without a successful token refresh after which a Connect account (OAuth) connection is stale. */
  oauthStaleHours: z.number().int(),
});
export type Settings = z.infer<typeof Settings>;

/** `PUT /settings`: any of the fields; the ones left out keep their value. */
export const UpdateSettingsBody = z
  .strictObject({
    alertWebhookUrl: z
      .url({ protocol: /^https?$/, error: "must be an https:// URL" })
      .max(2000)
      .nullable()
      .optional(),
    monitorIntervalMinutes: z.number().int().min(0).max(10_080).optional(),
    alertFailureShare: z.number().min(0).max(1).optional(),
    auditRetentionDays: z.number().int().min(1).max(36_500).optional(),
    jobsDeadlineHours: z.number().int().min(1).max(720).optional(),
    oauthStaleHours: z.number().int().min(1).max(8_760).optional(),
  })
  .refine(
    (v) => Object.keys(v).length > 0,
    "send at least one of alertWebhookUrl, monitorIntervalMinutes, alertFailureShare, auditRetentionDays, jobsDeadlineHours, oauthStaleHours",
  );
export type UpdateSettingsBody = z.infer<typeof UpdateSettingsBody>;

/** `POST /settings/alerts/test`: the test card went out. */
export const AlertTestResult = z.object({ sent: z.literal(true) });
export type AlertTestResult = z.infer<typeof AlertTestResult>;
