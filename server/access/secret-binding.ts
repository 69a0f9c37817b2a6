import { badRequest, type AppError } from "../errors";

/**
 * Where a stored secret was entered for: the parts it is bound to (the EWS URL's origin, the logon, the
 * tenant and app, the Graph host), what to call the secret and which PUT field re-enters it.
 */
export interface SecretBinding {
  /** Compared case-insensitively; any difference unbinds the secret. */
  parts: Record<string, string>;
  /** Named in the message: the host (and tenant, app) the secret would be used with. */
  where: string;
  /** The PUT field that takes the secret again ("password", "certificatePem"). */
  field: string;
  /** "password", "certificate or client secret", "connected account". */
  secretName: string;
  /**
   * "require": the PUT is refused until the secret comes again (400 on `field`). "drop": the secret can't
   * come in a PUT (the OAuth token cache: Connect account makes it), so the save wipes it, audited.
   */
  onChange: "require" | "drop";
}

/** The URL's origin (scheme, host, port), lower-case; the text itself when it is not a URL. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return url.trim().toLowerCase();
  }
}

/** The URL's host (with port), lower-case; the text itself when it is not a URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url.trim().toLowerCase();
  }
}

/**
 * The one rule binding a stored secret to where it was entered (docs/SECURITY.md): a save that keeps the
 * stored secret may not change any part of its binding (the EWS URL's origin, the logon, the tenant, the
 * app, the Graph host). `MailboxAccessService.put` applies it to every save; a deliberate, audited roll
 * back to a sealed earlier version restores a whole version (secret and binding together) and so does not
 * go through it.
 * @example secretStillBound(basic.secretBinding(before), basic.secretBinding(next)) // false after a host change
 */
export function secretStillBound(previous: SecretBinding, next: SecretBinding): boolean {
  const keys = new Set([...Object.keys(previous.parts), ...Object.keys(next.parts)]);
  for (const key of keys) {
    if ((previous.parts[key] ?? "").toLowerCase() !== (next.parts[key] ?? "").toLowerCase()) return false;
  }
  return true;
}

/** The 400 for a save that would use a stored secret somewhere else: a field error on the secret's field. */
export function secretNeededAgain(next: SecretBinding): AppError {
  const message = `Enter the ${next.secretName} again to use it with ${next.where}.`;
  return badRequest("validation_failed", `${next.field}: ${message}`, [
    { path: next.field, message, code: "SecretNotBound" },
  ]);
}
