// A runnable example of the sync service's side of the product, holding only a service key:
// read the roster, read one mailbox's Inbox through the EWS gateway, and report the sync session.
//   npm run sync:example -- --url http://localhost:3000 --key msk_... [--mailbox user@contoso.com]
import { parseArgs } from "node:util";
import { XMLParser } from "fast-xml-parser";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: process.env.MSA_URL ?? "http://localhost:3000" },
    key: { type: "string", default: process.env.MSA_SERVICE_KEY },
    mailbox: { type: "string" },
  },
});
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
const mailbox = values.mailbox ?? allowed[0]?.address;
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
