import { z } from "zod";
import { EmailAddress } from "./common";

export const LoginBody = z.strictObject({
  email: EmailAddress,
  password: z.string().min(1, "enter your password").max(1024),
});

export const PasswordRule = z.string().min(12, "use at least 12 characters").max(1024);

export const ChangePasswordBody = z.strictObject({
  current: z.string().min(1).max(1024),
  next: PasswordRule,
});

export const SetupBody = z.strictObject({
  token: z.string().min(1).max(200),
  email: EmailAddress,
  password: PasswordRule,
});

export const CreateAdminBody = z.strictObject({ email: EmailAddress, password: PasswordRule });

export const Me = z.object({
  kind: z.enum(["local", "entra"]),
  id: z.string(),
  name: z.string(),
  platformAdmin: z.boolean(),
  /** Profiles this person administers (all for platform admins: null). */
  profileIds: z.array(z.string()).nullable(),
});
export type Me = z.infer<typeof Me>;

export const LocalAdmin = z.object({ id: z.string(), email: z.string(), createdAt: z.string() });
export type LocalAdmin = z.infer<typeof LocalAdmin>;

/** `POST /auth/login`: who signed in. */
export const LoginResult = z.object({ id: z.string(), email: z.string() });
export type LoginResult = z.infer<typeof LoginResult>;

/** `DELETE /auth/sessions`: how many other sessions ended. */
export const EndedSessions = z.object({ ended: z.number().int() });
export type EndedSessions = z.infer<typeof EndedSessions>;
