import { createHmac } from "node:crypto";
import type { ResolvedMailbox } from "../tenant";
import type { OperationContext } from "./context";

/**
 * A sync state: opaque base64 to the client, naming the mailbox, the folder scope and the store's
 * sequence number it has seen, sealed with the simulator run's epoch so a state from another run, another
 * mailbox or folder, or an edited one is refused (ErrorInvalidSyncStateData) as Exchange refuses it.
 */
export function encodeSyncState(
  ctx: OperationContext,
  m: ResolvedMailbox,
  scope: string,
  seq: number,
): string {
  const body = `${m.primarySmtpAddress}|${scope}|${seq}`;
  return Buffer.from(`${body}|${seal(ctx, body)}`, "utf8").toString("base64");
}

/** The sequence number of a valid sync state for this mailbox and scope, else undefined. */
export function decodeSyncState(
  ctx: OperationContext,
  state: string,
  m: ResolvedMailbox,
  scope: string,
): number | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(state)) return undefined;
  const parts = Buffer.from(state, "base64").toString("utf8").split("|");
  if (parts.length !== 4) return undefined;
  const [address, stateScope, seqText, mac] = parts;
  const body = `${address}|${stateScope}|${seqText}`;
  if (mac !== seal(ctx, body) || address !== m.primarySmtpAddress || stateScope !== scope) return undefined;
  const seq = Number(seqText);
  return Number.isInteger(seq) && seq >= 0 && seq <= ctx.store.currentSeq ? seq : undefined;
}

function seal(ctx: OperationContext, body: string): string {
  return createHmac("sha256", ctx.store.epoch).update(body).digest("base64url").slice(0, 16);
}
