import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../../server/ews-simulator";
import {
  schemaValidationEnabled,
  startRecordingProxy,
  validateEwsAnswers,
  type RecordingProxy,
} from "../helpers/ews-schema";

const run = promisify(execFile);
const SCRIPT = path.resolve("test/exchangelib/sync_client.py");

/** The first python3 that can import exchangelib (Debian's python3-exchangelib lives in /usr/bin/python3). */
async function pythonWithExchangelib(): Promise<string | undefined> {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      await run(python, ["-c", "import exchangelib"], { timeout: 30_000 });
      return python;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

interface ClientReport {
  inbox: { name: string; total: number; unread: number };
  listed: string[];
  read: { subject: string; body: string; attachments: string[] }[];
  attachment: string;
  firstSync: [string, string | null][];
  secondSync: [string, string | null][];
  calendar: string[];
}

/** An independent EWS client (exchangelib 4.9) lists, reads and syncs a mailbox of the simulator. */
describe("exchangelib against the simulator", () => {
  let python: string | undefined;
  let sim: ExchangeSimulator;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    python = await pythonWithExchangelib();
    if (!python) {
      if (process.env.E2E === "1") {
        throw new Error("python3-exchangelib is required with E2E=1 (apt-get install python3-exchangelib)");
      }
      console.log(
        "exchangelib test skipped: python3-exchangelib not installed (apt-get install python3-exchangelib)",
      );
      return;
    }
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 3 }) });
    proxy = await startRecordingProxy(sim.ewsUrl);
  });
  afterAll(async () => {
    await proxy?.close();
    await sim?.close();
  });

  it("lists, reads and syncs (a second sync finds only the item added in between)", async () => {
    if (!python) return;
    const mailbox = DEMO.user.address;
    const { stdout } = await run(
      python,
      [
        SCRIPT,
        proxy.url,
        `${sim.url}/_control/mailboxes/${mailbox}/items`,
        DEMO.serviceAccount.logon,
        DEMO.serviceAccount.password,
        mailbox,
      ],
      { timeout: 120_000 },
    );
    const report = JSON.parse(stdout) as ClientReport;
    expect(report.inbox).toEqual({ name: "Inbox", total: 3, unread: 1 });
    expect(report.listed).toHaveLength(3);
    expect(report.read[0].body).toContain("Welcome message 1");
    expect(report.read.flatMap((r) => r.attachments)).toEqual(["welcome.txt"]);
    expect(report.attachment).toContain("Welcome, Jane Doe");
    expect(report.firstSync.map(([change]) => change)).toEqual(["create", "create", "create"]);
    expect(report.secondSync).toEqual([["create", "Added between syncs"]]);
    expect(report.calendar.length).toBeGreaterThan(0);
    expect(new Set(proxy.answers.map((a) => a.label))).toEqual(
      new Set(["ConvertId", "GetFolder", "FindItem", "GetItem", "GetAttachment", "SyncFolderItems"]),
    );
  });

  it("every answer it got is valid against Microsoft's EWS schemas", async () => {
    if (!python || !(await schemaValidationEnabled())) return;
    expect(await validateEwsAnswers(proxy.answers)).toEqual([]);
  });
});
