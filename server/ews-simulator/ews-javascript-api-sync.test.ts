import {
  Appointment,
  AttendeeInfo,
  AvailabilityData,
  BasePropertySet,
  ChangeType,
  ConnectingIdType,
  DateTime,
  DeleteMode,
  EmailMessage,
  ExchangeService,
  ExchangeVersion,
  FileAttachment,
  FolderId,
  ImpersonatedUserId,
  ItemSchema,
  MeetingAttendeeType,
  MessageBody,
  PropertySet,
  SendInvitationsMode,
  SyncFolderItemsScope,
  TimeWindow,
  Uri,
  WebCredentials,
  WellKnownFolderName,
  type Item,
} from "ews-javascript-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  schemaValidationEnabled,
  startRecordingProxy,
  validateEwsAnswers,
  type RecordingProxy,
} from "../../test/helpers/ews-schema";
import { DEMO, demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";

const USER = "alex.vance@contoso.com";

/** The official-API port drives the sync operations through a recording proxy; answers are schema-checked. */
describe("ews-javascript-api: sync operations against the simulator", () => {
  let sim: ExchangeSimulator;
  let proxy: RecordingProxy;

  function service(impersonate?: string) {
    const s = new ExchangeService(ExchangeVersion.Exchange2013);
    s.Credentials = new WebCredentials(DEMO.serviceAccount.logon, DEMO.serviceAccount.password);
    s.Url = new Uri(proxy.url);
    if (impersonate) s.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress, impersonate);
    return s;
  }

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 5, rooms: 2 }) });
    proxy = await startRecordingProxy(sim.ewsUrl);
  });
  afterAll(async () => {
    await proxy.close();
    await sim.close();
  });

  it("SyncFolderItems then GetItem (LoadPropertiesForItems), and a second sync sees only the new item", async () => {
    const s = service(USER);
    const inbox = new FolderId(WellKnownFolderName.Inbox);
    const first = await s.SyncFolderItems(
      inbox,
      PropertySet.IdOnly,
      null as never,
      100,
      SyncFolderItemsScope.NormalItems,
      null as never,
    );
    expect(first.Count).toBe(3);
    expect(first.MoreChangesAvailable).toBe(false);
    const items: Item[] = first.GetEnumerator().map((c) => c.Item);
    await s.LoadPropertiesForItems(items, new PropertySet(BasePropertySet.FirstClassProperties));
    expect(items.map((i) => i.Subject).sort()).toEqual([
      "Welcome message 1",
      "Welcome message 2",
      "Welcome message 3",
    ]);
    const withAttachment = items.find((i) => i.HasAttachments)!;
    const attachment = withAttachment.Attachments._getItem(0) as FileAttachment;
    await attachment.Load();
    expect(Buffer.from(attachment.Base64Content, "base64").toString()).toContain("Welcome");

    sim.addItem(USER, { subject: "New order 4711" });
    const second = await s.SyncFolderItems(
      inbox,
      PropertySet.IdOnly,
      null as never,
      100,
      SyncFolderItemsScope.NormalItems,
      first.SyncState,
    );
    expect(second.Count).toBe(1);
    expect(second._getItem(0).ChangeType).toBe(ChangeType.Create);
    const fresh = (
      await s.BindToItems([second._getItem(0).ItemId], new PropertySet(ItemSchema.Subject))
    ).__thisIndexer(0);
    expect(fresh.Item.Subject).toBe("New order 4711");
  });

  it("creates, updates and deletes a message and an appointment; the sync reports each", async () => {
    const s = service(USER);
    const calendar = new FolderId(WellKnownFolderName.Calendar);
    const baseline = await s.SyncFolderItems(
      calendar,
      PropertySet.IdOnly,
      null as never,
      100,
      SyncFolderItemsScope.NormalItems,
      null as never,
    );
    const appointment = new Appointment(s);
    appointment.Subject = "Customer visit";
    appointment.Start = DateTime.Now.AddDays(3);
    appointment.End = appointment.Start.AddHours(1);
    appointment.Body = new MessageBody("Bring the contract.");
    await appointment.Save(WellKnownFolderName.Calendar, SendInvitationsMode.SendToNone);
    const keyBefore = appointment.Id.ChangeKey;
    appointment.Location = "Fabrikam HQ";
    await appointment.Update(0 /* AlwaysOverwrite */, 0 /* SendToNone */);
    await appointment.Load(new PropertySet(BasePropertySet.IdOnly));
    expect(appointment.Id.ChangeKey).not.toBe(keyBefore);
    const created = await s.SyncFolderItems(
      calendar,
      PropertySet.IdOnly,
      null as never,
      100,
      SyncFolderItemsScope.NormalItems,
      baseline.SyncState,
    );
    expect(created.GetEnumerator().map((c) => c.ChangeType)).toEqual([ChangeType.Create]);
    await appointment.Delete(DeleteMode.HardDelete, 0 /* SendToNone */);
    const deleted = await s.SyncFolderItems(
      calendar,
      PropertySet.IdOnly,
      null as never,
      100,
      SyncFolderItemsScope.NormalItems,
      created.SyncState,
    );
    expect(deleted.GetEnumerator().map((c) => c.ChangeType)).toEqual([ChangeType.Delete]);

    const message = new EmailMessage(s);
    message.Subject = "Order confirmation";
    message.Body = new MessageBody("Thanks.");
    message.ToRecipients.Add("jane.doe@contoso.com");
    await message.SendAndSaveCopy();
    const jane = await service(DEMO.user.address).SyncFolderItems(
      new FolderId(WellKnownFolderName.Inbox),
      new PropertySet(BasePropertySet.IdOnly, [ItemSchema.Subject]),
      null as never,
      100,
      SyncFolderItemsScope.NormalItems,
      null as never,
    );
    expect(jane.GetEnumerator().map((c) => c.Item.Subject)).toContain("Order confirmation");
  });

  it("GetUserAvailability for a room", async () => {
    const s = service();
    const room = sim.tenant.roomLists[0].rooms[0];
    const start = DateTime.Now.Date;
    const results = await s.GetUserAvailability(
      [new AttendeeInfo(room, MeetingAttendeeType.Room, false)],
      new TimeWindow(start, start.AddDays(2)),
      AvailabilityData.FreeBusy,
    );
    const attendee = results.AttendeesAvailability.__thisIndexer(0);
    expect(attendee.ErrorCode).toBe(0);
    expect(attendee.CalendarEvents.length).toBeGreaterThan(0);
  });

  it("every answer is valid against Microsoft's EWS schemas", async () => {
    if (!(await schemaValidationEnabled())) return;
    expect(proxy.answers.length).toBeGreaterThan(8);
    expect(await validateEwsAnswers(proxy.answers)).toEqual([]);
  });
});
