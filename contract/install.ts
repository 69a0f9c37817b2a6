import { z } from "zod";

/** One item of the setup check: what it looked at, the outcome, and what to do when it isn't passed. */
export const SetupCheckItem = z.object({
  /** Stable id, e.g. `base-url-https`, `authority-discovery`, `entra-spa-redirects`. */
  id: z.string(),
  title: z.string(),
  /** `confirm`: only Entra can show it; `detail` says where to look. */
  status: z.enum(["passed", "failed", "warning", "confirm"]),
  detail: z.string(),
  fix: z.string().optional(),
});
export type SetupCheckItem = z.infer<typeof SetupCheckItem>;

/** `GET /setup-check`: every item, in the order of the install path. */
export const SetupCheck = z.object({
  checkedAt: z.string(),
  items: z.array(SetupCheckItem),
});
export type SetupCheck = z.infer<typeof SetupCheck>;

/** `GET /entra-app-registration`: the script that registers the app, and the values already in use. */
export const EntraAppRegistration = z.object({
  /** Microsoft Graph PowerShell (PowerShell 7) that creates or updates the registration. */
  powershell: z.string(),
  values: z.object({
    baseUrl: z.string(),
    clientId: z.string().nullable(),
    tenantIds: z.array(z.string()),
    applicationIdUri: z.string().nullable(),
    scope: z.string().nullable(),
    authority: z.string(),
    spaRedirectUris: z.array(z.string()),
    webRedirectUris: z.array(z.string()),
  }),
});
export type EntraAppRegistration = z.infer<typeof EntraAppRegistration>;
