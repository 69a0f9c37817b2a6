// The Graph half of the sync service example: mailboxes of Graph app-only profiles synced through the
// product's Graph gateway with the official Microsoft Graph SDK, by delta. The delta links are kept in a
// local state file (by the example, sync-service-example.ts), so the next run asks only for what changed.
import { Client, GraphError } from "@microsoft/microsoft-graph-client";

/** What the example keeps between runs: per mailbox, the delta link of its Inbox and of its calendar. */
export interface GraphSyncState {
  mailboxes: Record<string, { inbox?: string; calendar?: string }>;
}

/** The outcome of one mailbox's sync, as the example reports it. */
export interface GraphMailboxResult {
  address: string;
  /** New or changed messages and events. */
  itemsIn: number;
  removed: number;
  /** Whether this run started from a stored delta link. */
  incremental: boolean;
  errors: { code: string; message: string }[];
}

/**
 * A Graph SDK client for the gateway: its base URL is the gateway, its host is listed in `customHosts`
 * (the SDK sends the token only to Graph or to those hosts, and only over https) and its token is the
 * service key. Nothing else differs from a client for graph.microsoft.com.
 * @example const client = gatewayClient("https://sync-admin.contoso.com", "msk_...");
 */
export function gatewayClient(baseUrl: string, serviceKey: string): Client {
  return Client.init({
    baseUrl: `${baseUrl}/api/v1/sync/graph`,
    customHosts: new Set([new URL(baseUrl).hostname]),
    defaultVersion: "v1.0",
    authProvider: (done) => done(null, serviceKey),
  });
}

interface DeltaPage {
  value: ({ id: string; "@removed"?: unknown } & Record<string, unknown>)[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

/** Follows one delta round to its delta link; a 410 (sync state gone) starts over from `initial`. */
async function deltaRound(
  client: Client,
  stored: string | undefined,
  initial: string,
): Promise<{ changed: number; removed: number; deltaLink: string; incremental: boolean }> {
  let incremental = Boolean(stored);
  let page: DeltaPage;
  try {
    page = (await client
      .api(stored ?? initial)
      .header("Prefer", "odata.maxpagesize=100")
      .get()) as DeltaPage;
  } catch (error) {
    if (!(error instanceof GraphError && error.statusCode === 410)) throw error;
    // Graph dropped the sync state: a full round again (the local copy is reconciled by id).
    incremental = false;
    page = (await client.api(initial).header("Prefer", "odata.maxpagesize=100").get()) as DeltaPage;
  }
  let changed = 0;
  let removed = 0;
  for (;;) {
    for (const item of page.value) {
      if (item["@removed"]) removed += 1;
      else changed += 1;
    }
    const next = page["@odata.nextLink"];
    if (!next) break;
    page = (await client.api(next).header("Prefer", "odata.maxpagesize=100").get()) as DeltaPage;
  }
  if (!page["@odata.deltaLink"]) throw new Error("The delta round ended without a delta link.");
  return { changed, removed, deltaLink: page["@odata.deltaLink"], incremental };
}

/**
 * Syncs one mailbox's Inbox (mail delta) and calendar (calendarView delta over the next 90 days and the
 * last 30) and updates its delta links in `state`.
 */
export async function syncGraphMailbox(
  client: Client,
  address: string,
  state: GraphSyncState,
  now = new Date(),
): Promise<GraphMailboxResult> {
  const user = `/users/${encodeURIComponent(address)}`;
  const saved = (state.mailboxes[address] ??= {});
  const result: GraphMailboxResult = { address, itemsIn: 0, removed: 0, incremental: true, errors: [] };
  const start = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  const end = new Date(now.getTime() + 90 * 86_400_000).toISOString();
  const rounds = [
    {
      name: "inbox" as const,
      initial: `${user}/mailFolders/inbox/messages/delta?$select=subject,receivedDateTime,from,isRead`,
    },
    {
      name: "calendar" as const,
      initial: `${user}/calendarView/delta?startDateTime=${start}&endDateTime=${end}`,
    },
  ];
  for (const round of rounds) {
    try {
      const done = await deltaRound(client, saved[round.name], round.initial);
      saved[round.name] = done.deltaLink;
      result.itemsIn += done.changed;
      result.removed += done.removed;
      result.incremental &&= done.incremental;
    } catch (error) {
      result.incremental = false;
      result.errors.push(
        error instanceof GraphError
          ? { code: error.code ?? `HTTP ${error.statusCode}`, message: error.message }
          : { code: "SyncFailed", message: error instanceof Error ? error.message : String(error) },
      );
    }
  }
  return result;
}
