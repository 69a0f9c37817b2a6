import { z } from "zod";
import { AccessType, MailboxError, UserState } from "./common";
import { SyncError } from "./users";

/** Why a signed-in person has no mailbox status to show. */
export const notEnrolledReasons = [
  "not-found",
  "guest",
  "tenant-not-allowed",
  "no-upn",
  "linked-to-another-account",
  "local-admin",
] as const;
export const NotEnrolledReason = z.enum(notEnrolledReasons);
export type NotEnrolledReason = z.infer<typeof NotEnrolledReason>;

/** `GET /me/status` when the caller's mailbox is not in any profile. */
export const MeStatusNotEnrolled = z.object({
  enrolled: z.literal(false),
  reason: NotEnrolledReason,
  /** What the person reads: why, and what they can do. */
  message: z.string(),
});

/** `GET /me/status` for an enrolled mailbox: only the caller's own. */
export const MeStatusEnrolled = z.object({
  enrolled: z.literal(true),
  address: z.string(),
  displayName: z.string(),
  profileName: z.string(),
  /** False when an admin paused sync for the whole profile. */
  profileSyncEnabled: z.boolean(),
  accessType: AccessType.nullable(),
  state: UserState,
  lastCheckedAt: z.string().nullable(),
  /** When the monitor checks again (null when it won't: paused, never activated, monitor off). */
  nextCheckAt: z.string().nullable(),
  lastError: MailboxError.nullable(),
  lastSyncAt: z.string().nullable(),
  syncErrors: z.array(SyncError).nullable(),
  /** One sentence per state: what the person should do now. */
  whatToDoNext: z.string(),
  /** True when the profile has raised an alert, so the admins already know something is wrong. */
  adminAlerted: z.boolean(),
  /**
   * What is needed from the person: `none` (nothing; the admins or the sync handle it), `wait` (nothing;
   * it resolves by itself, e.g. a mailbox move or Exchange throttling) or `act` (rare: `whatToDoNext` says what).
   */
  yourAction: z.enum(["none", "wait", "act"]),
});

export const MeStatus = z.discriminatedUnion("enrolled", [MeStatusEnrolled, MeStatusNotEnrolled]);
export type MeStatus = z.infer<typeof MeStatus>;
export type MeStatusEnrolled = z.infer<typeof MeStatusEnrolled>;

/** `GET /auth/config`: how the panel signs people in with Entra ID (null when only local admins exist). */
export const AuthConfig = z.object({
  entra: z
    .object({
      clientId: z.string(),
      /** `https://login.microsoftonline.com/<tenant>` (or `/organizations`), or a test provider's issuer. */
      authority: z.string(),
      knownAuthorities: z.array(z.string()),
      /** The delegated scope the API accepts, e.g. `api://host/<client-id>/access_as_user`. */
      scope: z.string(),
      /** "AAD" for Microsoft's authority, "OIDC" for any other provider (MSAL's `system.protocolMode`). */
      protocolMode: z.enum(["AAD", "OIDC"]),
    })
    .nullable(),
});
export type AuthConfig = z.infer<typeof AuthConfig>;

/** `PUT /profiles/:id/admins`: the complete list of profile admins (UPNs, case-insensitive). */
export const ProfileAdminsBody = z.strictObject({
  userPrincipalNames: z
    .array(
      z
        .string()
        .trim()
        .min(3)
        .max(320)
        .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be a user principal name such as alex@contoso.com"),
    )
    .max(200, "at most 200 profile admins"),
});
export type ProfileAdminsBody = z.infer<typeof ProfileAdminsBody>;

export const ProfileAdmins = z.object({ userPrincipalNames: z.array(z.string()) });
export type ProfileAdmins = z.infer<typeof ProfileAdmins>;
