// A runnable example of the sync service's side of the product, holding only a service key: read the
// roster, sync each mailbox the product allows incrementally (EWS: SyncFolderItems + GetItem on Inbox and
// Calendar through the EWS gateway, sync states kept in a local file), and report each session.
//   npm run sync:example -- --url http://localhost:3000 --key msk_... [--state ./data-demo/sync-state.json]
//                           [--mailbox user@contoso.com] [--limit 50] [--concurrency 4]
import { parseArgs } from "node:util";
import { syncMailboxOverEws } from "./sync-example/ews";
import { readStateFile, writeStateFile } from "./sync-example/state-file";
import type { MailboxSyncResult, RosterMailbox, SyncContext } from "./sync-example/types";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.MSA_URL ?? "http://localhost:3000" },
    key: { type: "string", default: process.env.MSA_SERVICE_KEY },
    state: { type: "string", default: "./data-demo/sync-state.json" },
    mailbox: { type: "string" },
    limit: { type: "string" },
    concurrency: { type: "string", default: "4" },
  },
});
const base = values.url.replace(/\/+$/, "");
if (!values.key?.startsWith("msk_")) {
  console.error(
    "Give the service key with --key msk_... (Settings → Sync service keys, or the line npm run demo prints).",
  );
  process.exit(2);
}
const positive = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number ≥ 1, got "${raw}"`);
    process.exit(2);
  }
  return n;
};
const limit = positive("limit", values.limit);
const concurrency = positive("concurrency", values.concurrency) ?? 4;
const auth = { authorization: `Bearer ${values.key}` };

async function roster(): Promise<RosterMailbox[]> {
  const all: RosterMailbox[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(`${base}/api/v1/sync/mailboxes?limit=500${cursor ? `&cursor=${cursor}` : ""}`, {
      headers: auth,
    });
    const body = (await res.json()) as {
      data: RosterMailbox[];
      nextCursor: string | null;
      error?: { message: string };
    };
    if (!res.ok) throw new Error(`roster: ${res.status} ${body.error?.message}`);
    all.push(...body.data);
    cursor = body.nextCursor;
  } while (cursor);
  return all;
}

/** Which gateway a mailbox goes through: the roster's `protocol`, else its access type. */
function protocolOf(m: RosterMailbox): "ews" | "graph" {
  return m.protocol ?? (m.accessType === "graph-app-only" ? "graph" : "ews");
}

/** One mailbox: the protocol's sync, then the session report that sets "last synced" in the panel. */
async function syncOne(m: RosterMailbox, state: Record<string, string>): Promise<MailboxSyncResult> {
  const ctx: SyncContext = { base, auth, state };
  let result: MailboxSyncResult;
  if (protocolOf(m) === "ews") {
    result = await syncMailboxOverEws(ctx, m);
  } else {
    const now = new Date().toISOString();
    // The Graph profile's delta sync is its own module; this example covers the EWS gateway.
    result = {
      address: m.address,
      startedAt: now,
      finishedAt: now,
      itemsIn: 0,
      itemsOut: 0,
      errors: [],
      summary: "skipped: Graph mailbox (this example syncs over EWS)",
    };
    return result;
  }
  const report = await fetch(`${base}/api/v1/sync/mailboxes/${encodeURIComponent(m.address)}/reports`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      itemsIn: result.itemsIn,
      itemsOut: result.itemsOut,
      errors: result.errors,
    }),
  });
  if (!report.ok) {
    result.errors.push({ code: `report_${report.status}`, message: (await report.text()).slice(0, 300) });
  }
  return result;
}

const stateFile = await readStateFile(values.state);
const serverState = (stateFile.servers[base] ??= {});
const mailboxes = await roster();
let allowed = mailboxes.filter((m) => m.syncAllowed);
console.log(`Roster: ${mailboxes.length} mailboxes, ${allowed.length} to sync.`);
if (values.mailbox) allowed = allowed.filter((m) => m.address === values.mailbox!.toLowerCase());
if (limit) allowed = allowed.slice(0, limit);
if (allowed.length === 0) {
  console.error(
    values.mailbox
      ? `${values.mailbox} is not in the roster as a mailbox to sync (is it active, in a profile with sync on?).`
      : "No mailbox to sync: activate sync for a profile in the panel first.",
  );
  process.exit(1);
}

const results: MailboxSyncResult[] = [];
const queue = [...allowed];
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      const state = { ...(serverState[m.address] ?? {}) };
      const result = await syncOne(m, state);
      serverState[m.address] = state;
      results.push(result);
      console.log(`${m.address}: ${result.summary}`);
    }
  }),
);
await writeStateFile(values.state, stateFile);

const itemsIn = results.reduce((n, r) => n + r.itemsIn, 0);
const itemsOut = results.reduce((n, r) => n + r.itemsOut, 0);
const failed = results.filter((r) => r.errors.length > 0);
console.log(
  `Sync report: ${results.length} mailboxes, ${itemsIn} items in, ${itemsOut} out, ${failed.length} with errors. ` +
    `State saved in ${values.state}.`,
);
for (const r of failed) {
  console.log(`  ${r.address}: ${r.errors.map((e) => `${e.code} ${e.message}`).join("; ")}`);
}
console.log('Each mailbox now shows "last synced" in the panel and in its user\'s status view.');
process.exit(failed.length > 0 ? 1 : 0);
