// The EWS half of the sync example: SyncFolderItems on Inbox and Calendar through the product's EWS
// gateway, then GetItem for what was created or changed. Sync states live in the caller's state file.
import { XMLParser } from "fast-xml-parser";
import type { MailboxSyncResult, RosterMailbox, SyncContext } from "./types";

const FOLDERS = ["inbox", "calendar"] as const;
const MAX_CHANGES = 100;
const GET_ITEM_BATCH = 50;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (name) =>
    ["Create", "Update", "Delete", "GetItemResponseMessage", "ReadFlagChange"].includes(name),
});

function envelope(body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
    `xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">` +
    `<soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

/** An EWS or gateway failure with the code the report carries. */
class SyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Node = Record<string, unknown>;

/** Text of a parsed element (a string, or an object with `#text` when it had attributes). */
function textOf(value: unknown): string {
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (value && typeof value === "object" && "#text" in value) return textOf((value as Node)["#text"]);
  return "";
}

async function call(ctx: SyncContext, address: string, operation: string, body: string): Promise<Node> {
  const res = await fetch(`${ctx.base}/api/v1/sync/mailboxes/${encodeURIComponent(address)}/ews`, {
    method: "POST",
    headers: { ...ctx.auth, "content-type": "text/xml; charset=utf-8" },
    body: envelope(body),
  });
  const text = await res.text();
  if (!res.headers.get("content-type")?.includes("xml")) {
    const error = (JSON.parse(text) as { error?: { id: string; message: string } }).error;
    throw new SyncError(error?.id ?? `http_${res.status}`, error?.message ?? `HTTP ${res.status}`);
  }
  const soapBody = ((parser.parse(text) as Node).Envelope as Node | undefined)?.Body as Node | undefined;
  const fault = soapBody?.Fault as Node | undefined;
  if (fault) {
    const detail = fault.detail as Node | undefined;
    throw new SyncError(
      String(detail?.ResponseCode ?? fault.faultcode),
      textOf(fault.faultstring) || "SOAP fault",
    );
  }
  const response = soapBody?.[`${operation}Response`] as Node | undefined;
  if (!response) throw new SyncError("invalid_response", `no ${operation}Response in the answer`);
  return response.ResponseMessages as Node;
}

function checkMessage(message: Node): void {
  if (message.ResponseClass === "Error") {
    throw new SyncError(String(message.ResponseCode), String(message.MessageText ?? message.ResponseCode));
  }
}

interface FolderChanges {
  changed: string[];
  deleted: number;
  state: string;
}

function idsOf(list: unknown): string[] {
  return ((list as Node[] | undefined) ?? []).flatMap((change) =>
    Object.values(change)
      .map((item) => ((item as Node).ItemId as Node | undefined)?.Id)
      .filter((id): id is string => typeof id === "string"),
  );
}

/** Pages through SyncFolderItems until IncludesLastItemInRange; an invalid state restarts from scratch once. */
async function syncFolder(
  ctx: SyncContext,
  address: string,
  folder: string,
  start: string | undefined,
): Promise<FolderChanges & { restarted: boolean }> {
  let state = start;
  let restarted = false;
  const changed = new Set<string>();
  let deleted = 0;
  for (;;) {
    const messages = await call(
      ctx,
      address,
      "SyncFolderItems",
      `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>` +
        `<m:SyncFolderId><t:DistinguishedFolderId Id="${folder}"/></m:SyncFolderId>` +
        (state ? `<m:SyncState>${escapeXml(state)}</m:SyncState>` : "") +
        `<m:MaxChangesReturned>${MAX_CHANGES}</m:MaxChangesReturned></m:SyncFolderItems>`,
    );
    const message = messages.SyncFolderItemsResponseMessage as Node;
    if (message.ResponseCode === "ErrorInvalidSyncStateData" && state && !restarted) {
      // The server no longer knows this state (a new server, a reset mailbox): sync everything again.
      state = undefined;
      restarted = true;
      changed.clear();
      deleted = 0;
      continue;
    }
    checkMessage(message);
    const changes = (message.Changes as Node | undefined) ?? {};
    for (const id of [...idsOf(changes.Create), ...idsOf(changes.Update)]) changed.add(id);
    for (const d of (changes.Delete as Node[] | undefined) ?? []) {
      const id = (d.ItemId as Node | undefined)?.Id as string | undefined;
      if (id) {
        changed.delete(id);
        deleted += 1;
      }
    }
    state = String(message.SyncState);
    if (String(message.IncludesLastItemInRange) === "true") break;
  }
  return { changed: [...changed], deleted, state, restarted };
}

/** GetItem in batches; returns the subjects read. Items deleted meanwhile (ErrorItemNotFound) are skipped. */
async function getItems(ctx: SyncContext, address: string, ids: string[]): Promise<string[]> {
  const subjects: string[] = [];
  for (let i = 0; i < ids.length; i += GET_ITEM_BATCH) {
    const batch = ids.slice(i, i + GET_ITEM_BATCH);
    const messages = await call(
      ctx,
      address,
      "GetItem",
      `<m:GetItem><m:ItemShape><t:BaseShape>Default</t:BaseShape><t:BodyType>Text</t:BodyType></m:ItemShape>` +
        `<m:ItemIds>${batch.map((id) => `<t:ItemId Id="${escapeXml(id)}"/>`).join("")}</m:ItemIds></m:GetItem>`,
    );
    for (const message of (messages.GetItemResponseMessage as Node[] | undefined) ?? []) {
      if (message.ResponseCode === "ErrorItemNotFound") continue;
      checkMessage(message);
      const item = Object.values((message.Items as Node | undefined) ?? {})[0] as Node | undefined;
      subjects.push(textOf(item?.Subject));
    }
  }
  return subjects;
}

/**
 * Syncs one mailbox's Inbox and Calendar through the EWS gateway: SyncFolderItems from the saved state,
 * GetItem for what was created or changed, the new states written back into `ctx.state` only after the
 * folder's items were read (so a failure repeats the folder next time instead of losing its changes).
 */
export async function syncMailboxOverEws(
  ctx: SyncContext,
  mailbox: RosterMailbox,
): Promise<MailboxSyncResult> {
  const startedAt = new Date().toISOString();
  const errors: { code: string; message: string }[] = [];
  const parts: string[] = [];
  let itemsIn = 0;
  for (const folder of FOLDERS) {
    try {
      const changes = await syncFolder(ctx, mailbox.address, folder, ctx.state[folder]);
      const subjects = await getItems(ctx, mailbox.address, changes.changed);
      itemsIn += subjects.length + changes.deleted;
      ctx.state[folder] = changes.state;
      parts.push(
        `${folder} ${subjects.length} new or changed, ${changes.deleted} deleted${changes.restarted ? " (state refused: full sync)" : ""}` +
          (subjects.length > 0 && subjects.length <= 3 ? ` [${subjects.join("; ")}]` : ""),
      );
    } catch (error) {
      const e = error instanceof SyncError ? error : new SyncError("client_error", String(error));
      errors.push({ code: e.code, message: e.message });
      parts.push(`${folder} failed: ${e.code} ${e.message}`);
    }
  }
  return {
    address: mailbox.address,
    startedAt,
    finishedAt: new Date().toISOString(),
    itemsIn,
    itemsOut: 0,
    errors,
    summary: parts.join(" · "),
  };
}
