/**
 * The message the Connect account result page posts to the panel (window.opener) when the popup ends:
 * server/oauth/popup-page.ts writes it, client/connectivity/oauth/useConnectAccountResult.ts reads it.
 * Plain TypeScript, no schema: the panel imports it without zod.
 */

/** The `type` of the message, so the panel ignores other windows' messages. */
export const CONNECT_ACCOUNT_MESSAGE_TYPE = "mailbox-sync-admin:connect-account";

/** What the result page tells the panel: never a token. */
export interface ConnectAccountMessage {
  type: typeof CONNECT_ACCOUNT_MESSAGE_TYPE;
  ok: boolean;
  profileId?: string;
  /** The account that connected (`ok`). */
  upn?: string;
  tenantId?: string;
  /** Why it failed (not `ok`): a stable code, a message and what to do. */
  code?: string;
  message?: string;
  remediation?: string;
}

/**
 * Whether a posted value is the Connect account result.
 * @example window.addEventListener("message", (e) => { if (isConnectAccountMessage(e.data)) ... });
 */
export function isConnectAccountMessage(data: unknown): data is ConnectAccountMessage {
  return (
    typeof data === "object" &&
    data !== null &&
    (data as { type?: unknown }).type === CONNECT_ACCOUNT_MESSAGE_TYPE
  );
}
