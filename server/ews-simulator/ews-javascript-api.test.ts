import {
  ConnectingIdType,
  EmailAddress,
  ExchangeService,
  ExchangeVersion,
  Folder,
  ImpersonatedUserId,
  Uri,
  WebCredentials,
  WellKnownFolderName,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";

let sim: ExchangeSimulator;
beforeAll(async () => {
  sim = await startExchangeSimulator({ tenant: demoTenant({ users: 50 }) });
});
afterAll(() => sim.close());

function service(impersonate?: string, logon: string = DEMO.serviceAccount.logon, password: string = DEMO.serviceAccount.password) {
  const s = new ExchangeService(ExchangeVersion.Exchange2013);
  s.Credentials = new WebCredentials(logon, password);
  s.Url = new Uri(sim.ewsUrl);
  if (impersonate) s.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress, impersonate);
  return s;
}

describe("ews-javascript-api against the simulator", () => {
  it("binds Inbox and Calendar with impersonation", async () => {
    const s = service("alex.vance@contoso.com");
    const inbox = await Folder.Bind(s, WellKnownFolderName.Inbox);
    expect(inbox.DisplayName).toBe("Inbox");
    const calendar = await Folder.Bind(s, WellKnownFolderName.Calendar);
    expect(calendar.DisplayName).toBe("Calendar");
    expect(sim.counters.byTarget["alex.vance@contoso.com"]).toBeGreaterThanOrEqual(2);
  });

  it("lists room lists and rooms", async () => {
    const s = service();
    const lists = await s.GetRoomLists();
    expect(lists.Count).toBe(2);
    const rooms = await s.GetRooms(new EmailAddress(DEMO.roomLists[0]));
    expect(rooms.length).toBeGreaterThan(0);
  });
});
