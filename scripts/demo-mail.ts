// Adds mail (or a meeting) to a mailbox of the running Exchange simulator through its control endpoint,
// so the sync example has something new to find:
//   npm run demo:mail -- --simulator http://127.0.0.1:PORT --to jane.doe@contoso.com [--count 3]
//                        [--subject "Order 4711"] [--calendar]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    simulator: { type: "string" },
    to: { type: "string" },
    subject: { type: "string" },
    count: { type: "string", default: "1" },
    calendar: { type: "boolean", default: false },
  },
});
const count = Number(values.count);
if (!values.simulator || !values.to || !Number.isInteger(count) || count < 1 || count > 100) {
  console.error(
    "Usage: npm run demo:mail -- --simulator <simulator URL printed by npm run demo> --to <address> [--count 1-100] [--subject text] [--calendar]",
  );
  process.exit(2);
}
const base = values.simulator.replace(/\/+$/, "").replace(/\/EWS\/Exchange\.asmx$/i, "");
for (let i = 1; i <= count; i++) {
  const stamp = new Date().toISOString().slice(11, 19);
  const subject = `${values.subject ?? (values.calendar ? "Customer meeting" : "New order")}${count > 1 ? ` ${i}` : ""} (${stamp})`;
  const start = new Date(Date.now() + i * 86_400_000);
  start.setUTCHours(9, 0, 0, 0);
  const item = values.calendar
    ? {
        folder: "calendar",
        subject,
        start: start.toISOString(),
        end: new Date(start.getTime() + 3_600_000).toISOString(),
        location: "Fabrikam HQ",
      }
    : {
        subject,
        body: "Please find the order attached.",
        from: { name: "Fabrikam Sales", address: "sales@fabrikam.com" },
      };
  const res = await fetch(`${base}/_control/mailboxes/${encodeURIComponent(values.to)}/items`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(item),
  });
  const body = (await res.json()) as { subject?: string; folder?: string; error?: string };
  if (!res.ok) {
    console.error(`The simulator refused it (${res.status}): ${body.error}`);
    process.exit(1);
  }
  console.log(`Added "${body.subject}" to the ${body.folder} of ${values.to}.`);
}
