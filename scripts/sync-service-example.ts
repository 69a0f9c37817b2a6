// A runnable example of the sync service's side of the product, holding only a service key:
// read the roster, sync the Graph profiles' mailboxes through the Graph gateway with the Graph SDK (by
// delta, links kept in --state), read one EWS mailbox's Inbox through the EWS gateway, report sessions.
//   npm run sync:example -- --url https://localhost:3000 --key msk_... [--mailbox user@contoso.com]
//     [--state sync-state.json] [--ca the-server-ca.pem]
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { XMLParser } from "fast-xml-parser";
import { gatewayClient, readGraphState, syncGraphMailbox, writeGraphState } from "./sync-example/graph";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.MSA_URL ?? "http://localhost:3000" },
    key: { type: "string", default: process.env.MSA_SERVICE_KEY },
    mailbox: { type: "string" },
    state: { type: "string", default: "sync-state.json" },
    ca: { type: "string" },
  },
});
// Node reads extra CAs at start only: run again with the server's CA (a demo's local certificate).
if (values.ca && process.env.NODE_EXTRA_CA_CERTS !== values.ca) {
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: values.ca },
  });
  process.exit(again.status ?? 1);
}
const base = values.url.replace(/\/+$/, "");
if (!values.key?.startsWith("msk_")) {
  console.error(
    "Give the service key with --key msk_... (Settings → Sync service keys, or the line npm run demo prints).",
  );
  process.exit(2);
}
const auth = { authorization: `Bearer ${values.key}` };

interface RosterMailbox {
  address: string;
  protocol: "ews" | "graph" | null;
  profileName: string;
  state: string;
  syncAllowed: boolean;
}

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

const findInbox = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header>
  <soap:Body>
    <m:FindItem Traversal="Shallow">
      <m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/></t:AdditionalProperties></m:ItemShape>
      <m:IndexedPageItemView MaxEntriesReturned="10" Offset="0" BasePoint="Beginning"/>
      <m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds>
    </m:FindItem>
  </soap:Body>
</soap:Envelope>`;

const startedAt = new Date().toISOString();
const mailboxes = await roster();
const allowed = mailboxes.filter((m) => m.syncAllowed);
console.log(`Roster: ${mailboxes.length} mailboxes, ${allowed.length} to sync.`);

const graphMailboxes = allowed.filter(
  (m) => m.protocol === "graph" && (!values.mailbox || m.address === values.mailbox),
);
if (graphMailboxes.length > 0) {
  const client = gatewayClient(base, values.key);
  const state = readGraphState(values.state);
  for (const m of graphMailboxes) {
    const began = new Date().toISOString();
    const r = await syncGraphMailbox(client, m.address, state);
    writeGraphState(values.state, state);
    console.log(
      `Graph ${r.incremental ? "incremental" : "full"} sync of ${m.address}: ${r.errors.length ? `failed: ${r.errors[0].code} ${r.errors[0].message}` : `${r.itemsIn} new or changed, ${r.removed} removed`}`,
    );
    await fetch(`${base}/api/v1/sync/mailboxes/${encodeURIComponent(m.address)}/reports`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        startedAt: began,
        finishedAt: new Date().toISOString(),
        itemsIn: r.itemsIn,
        itemsOut: 0,
        errors: r.errors,
      }),
    });
  }
  console.log(`Delta links kept in ${values.state}: the next run asks Graph only for what changed.`);
}

const mailbox = graphMailboxes.some((m) => m.address === values.mailbox)
  ? undefined
  : (values.mailbox ?? allowed.find((m) => m.protocol !== "graph")?.address);
if (!mailbox && graphMailboxes.length > 0) process.exit(0);
if (!mailbox) {
  console.error("No mailbox to sync: activate sync for a profile in the panel first.");
  process.exit(1);
}

const res = await fetch(`${base}/api/v1/sync/mailboxes/${encodeURIComponent(mailbox)}/ews`, {
  method: "POST",
  headers: { ...auth, "content-type": "text/xml; charset=utf-8" },
  body: findInbox,
});
const text = await res.text();
const errors: { code: string; message: string }[] = [];
let itemsIn = 0;
if (res.headers.get("content-type")?.includes("xml")) {
  interface SoapAnswer {
    Envelope?: {
      Body?: {
        FindItemResponse?: {
          ResponseMessages?: {
            FindItemResponseMessage?: {
              ResponseClass?: string;
              ResponseCode?: string;
              MessageText?: string;
              RootFolder?: { TotalItemsInView?: string };
            };
          };
        };
        Fault?: { faultcode?: string; faultstring?: string };
      };
    };
  }
  const xml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: "" }).parse(
    text,
  ) as SoapAnswer;
  const message = xml?.Envelope?.Body?.FindItemResponse?.ResponseMessages?.FindItemResponseMessage;
  if (message?.ResponseClass === "Success") itemsIn = Number(message.RootFolder?.TotalItemsInView ?? 0);
  else {
    errors.push({
      code: String(message?.ResponseCode ?? xml?.Envelope?.Body?.Fault?.faultcode ?? `HTTP ${res.status}`),
      message: String(message?.MessageText ?? xml?.Envelope?.Body?.Fault?.faultstring ?? "EWS error"),
    });
  }
} else {
  const body = JSON.parse(text) as { error: { id: string; message: string } };
  errors.push({ code: body.error.id, message: body.error.message });
}
console.log(
  `Inbox of ${mailbox} through the gateway (profile ${res.headers.get("x-mailbox-sync-profile") ?? "?"}): ${errors.length ? `failed: ${errors[0].code} ${errors[0].message}` : `${itemsIn} items`}`,
);

const report = await fetch(`${base}/api/v1/sync/mailboxes/${encodeURIComponent(mailbox)}/reports`, {
  method: "POST",
  headers: { ...auth, "content-type": "application/json" },
  body: JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), itemsIn, itemsOut: 0, errors }),
});
if (!report.ok) {
  console.error(`report: ${report.status} ${await report.text()}`);
  process.exit(1);
}
console.log(
  `Reported the session: ${mailbox} now shows "last synced" in the panel and in the user's status view.`,
);
process.exit(errors.length ? 1 : 0);
