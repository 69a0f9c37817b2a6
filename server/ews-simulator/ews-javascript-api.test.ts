import {
  ConnectingIdType,
  EmailAddress,
  ExchangeService,
  ExchangeVersion,
  Folder,
  FolderView,
  ImpersonatedUserId,
  ItemView,
  ResolveNameSearchLocation,
  ServiceError,
  ServiceResponseException,
  SoapFaultDetails,
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

function service(
  impersonate?: string,
  logon: string = DEMO.serviceAccount.logon,
  password: string = DEMO.serviceAccount.password,
) {
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

describe("ews-javascript-api sees Exchange's errors as its documented exceptions", () => {
  async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
    try {
      await p;
    } catch (error) {
      return error as Record<string, unknown>;
    }
    throw new Error("expected a rejection");
  }

  it.each([
    [DEMO.blockedUser, ServiceError.ErrorImpersonateUserDenied],
    [DEMO.noMailboxAddress, ServiceError.ErrorNonExistentMailbox],
    [DEMO.alias, ServiceError.ErrorNonPrimarySmtpAddress],
    [DEMO.ewsDisabledUser, ServiceError.ErrorAccessDenied],
  ])("SOAP fault for %s rejects with SoapFaultDetails", async (target, code) => {
    const e = await failure(Folder.Bind(service(target), WellKnownFolderName.Inbox));
    expect(e).toBeInstanceOf(SoapFaultDetails);
    expect(e.HttpStatusCode).toBe(500);
    expect(e.ResponseCode).toBe(code);
  });

  it("gives the primary address of ErrorNonPrimarySmtpAddress and BackOffMilliseconds of ErrorServerBusy in ErrorDetails", async () => {
    const alias = (await failure(
      Folder.Bind(service(DEMO.alias), WellKnownFolderName.Inbox),
    )) as unknown as SoapFaultDetails;
    expect(alias.ErrorDetails.get("Primary")).toBe(DEMO.user.address);
    sim.faults.byMailbox["adele.vance@contoso.com"] = "serverBusy";
    try {
      const busy = (await failure(
        Folder.Bind(service("adele.vance@contoso.com"), WellKnownFolderName.Inbox),
      )) as unknown as SoapFaultDetails;
      expect(busy.ResponseCode).toBe(ServiceError.ErrorServerBusy);
      expect(busy.ErrorDetails.get("BackOffMilliseconds")).toBe("2000");
    } finally {
      delete sim.faults.byMailbox["adele.vance@contoso.com"];
    }
  });

  it("401 rejects with SoapFaultDetails carrying ServiceRequestUnauthorizedException", async () => {
    const e = await failure(
      Folder.Bind(
        service("alex.vance@contoso.com", DEMO.serviceAccount.logon, "wrong"),
        WellKnownFolderName.Inbox,
      ),
    );
    expect(e).toBeInstanceOf(SoapFaultDetails);
    expect(e.HttpStatusCode).toBe(401);
    // ServiceRequestUnauthorizedException is not exported by the package; check it by name.
    expect((e.Exception as object).constructor.name).toBe("ServiceRequestUnauthorizedException");
  });

  it("HTTP 200 errors throw ServiceResponseException", async () => {
    const noMailbox = service(
      undefined,
      DEMO.serviceAccountWithoutMailbox.logon,
      DEMO.serviceAccountWithoutMailbox.password,
    );
    const missing = await failure(Folder.Bind(noMailbox, WellKnownFolderName.Inbox));
    expect(missing).toBeInstanceOf(ServiceResponseException);
    expect(missing.ErrorCode).toBe(ServiceError.ErrorMissingEmailAddress);
    const moving = await failure(Folder.Bind(service(DEMO.movingUser), WellKnownFolderName.Calendar));
    expect(moving).toBeInstanceOf(ServiceResponseException);
    expect(moving.ErrorCode).toBe(ServiceError.ErrorMailboxMoveInProgress);
  });

  it("resolves names, finds items and folders", async () => {
    const s = service(DEMO.user.address);
    const names = await s.ResolveName(DEMO.alias, ResolveNameSearchLocation.DirectoryOnly, true);
    expect(names.Count).toBe(1);
    expect(names._getItem(0).Mailbox.Address).toBe(DEMO.user.address);
    const items = await s.FindItems(WellKnownFolderName.Inbox, new ItemView(2));
    expect([items.TotalCount, items.Items.length, items.MoreAvailable]).toEqual([3, 2, true]);
    const folders = await s.FindFolders(WellKnownFolderName.MsgFolderRoot, new FolderView(10));
    expect(folders.Folders.map((f) => f.DisplayName)).toContain("Calendar");
  });
});
