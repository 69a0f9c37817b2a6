import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaValidationEnabled, validateEwsAnswers } from "../../test/helpers/ews-schema";
import { DEMO, demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";
import { envelope, post, responseCodes, SVC, type TestResponse } from "./test-helpers";

const USER = DEMO.user.address;

/** Raw SOAP requests as sync clients send them; every answer is kept and schema-checked at the end. */
describe("EWS simulator: the operations sync clients send (raw SOAP)", () => {
  let sim: ExchangeSimulator;
  const answers: { label: string; xml: string }[] = [];

  async function call(
    label: string,
    body: string,
    impersonate: string | undefined = USER,
  ): Promise<TestResponse> {
    const res = await post(sim.ewsUrl, envelope(body, { impersonate }), SVC);
    answers.push({ label, xml: res.text });
    return res;
  }

  function syncBody(folder: string, state?: string, max = 512, shape = "IdOnly"): string {
    return (
      `<m:SyncFolderItems><m:ItemShape><t:BaseShape>${shape}</t:BaseShape>` +
      `<t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/></t:AdditionalProperties></m:ItemShape>` +
      `<m:SyncFolderId><t:DistinguishedFolderId Id="${folder}"/></m:SyncFolderId>` +
      `${state === undefined ? "" : `<m:SyncState>${state}</m:SyncState>`}<m:MaxChangesReturned>${max}</m:MaxChangesReturned></m:SyncFolderItems>`
    );
  }

  const stateOf = (res: TestResponse) => /<m:SyncState>([^<]+)</.exec(res.text)?.[1] ?? "";
  const tagged = (res: TestResponse, tag: string) =>
    [...res.text.matchAll(new RegExp(`<t:${tag}>`, "g"))].length;
  const itemIds = (res: TestResponse) => [...res.text.matchAll(/<t:ItemId Id="([^"]+)"/g)].map((m) => m[1]);

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 3, rooms: 2 }) });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("answers AdditionalProperties on folders with BaseShape IdOnly (DisplayName, TotalCount, extended)", async () => {
    const res = await call(
      "GetFolder IdOnly+AdditionalProperties",
      `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>` +
        `<t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURI FieldURI="folder:TotalCount"/>` +
        `<t:ExtendedFieldURI PropertyTag="0x3613" PropertyType="String"/></t:AdditionalProperties></m:FolderShape>` +
        `<m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`,
    );
    expect(responseCodes(res)).toEqual(["NoError"]);
    expect(res.text).toContain("<t:DisplayName>Inbox</t:DisplayName><t:TotalCount>3</t:TotalCount>");
    expect(res.text).toContain(
      `<t:ExtendedProperty><t:ExtendedFieldURI PropertyTag="0x3613" PropertyType="String"/><t:Value>IPF.Note</t:Value></t:ExtendedProperty>`,
    );
    expect(res.text).not.toContain("<t:ChildFolderCount>");
  });

  it("syncs a folder: everything first, then only what changed, with ChangeKeys that move on update", async () => {
    const first = await call("SyncFolderItems initial", syncBody("inbox"));
    expect(responseCodes(first)).toEqual(["NoError"]);
    expect(tagged(first, "Create")).toBe(3);
    expect(first.text).toContain("<m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>");
    const again = await call("SyncFolderItems no change", syncBody("inbox", stateOf(first)));
    expect(again.text).toContain("<m:Changes></m:Changes>");

    const added = sim.addItem(USER, { subject: "Quote for Fabrikam", body: "Here is the quote." });
    const [oldId] = itemIds(first);
    const read = await call(
      "UpdateItem IsRead",
      `<m:UpdateItem ConflictResolution="AlwaysOverwrite" MessageDisposition="SaveOnly"><m:ItemChanges><t:ItemChange>` +
        `<t:ItemId Id="${oldId}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="message:IsRead"/>` +
        `<t:Message><t:IsRead>true</t:IsRead></t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
    );
    expect(responseCodes(read)).toEqual(["NoError"]);
    const next = await call("SyncFolderItems after changes", syncBody("inbox", stateOf(again)));
    expect(tagged(next, "Create")).toBe(1);
    expect(tagged(next, "Update")).toBe(1);
    expect(next.text).toContain(`<t:ItemId Id="${added.id}"`);
    expect(next.text).toContain("<t:Subject>Quote for Fabrikam</t:Subject>");

    const stale = /<t:ItemId Id="[^"]+" ChangeKey="([^"]+)"/.exec(first.text)![1];
    const conflict = await call(
      "UpdateItem stale ChangeKey",
      `<m:UpdateItem ConflictResolution="NeverOverwrite" MessageDisposition="SaveOnly"><m:ItemChanges><t:ItemChange>` +
        `<t:ItemId Id="${oldId}" ChangeKey="${stale}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/>` +
        `<t:Message><t:Subject>x</t:Subject></t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
    );
    expect(responseCodes(conflict)).toEqual(["ErrorIrresolvableConflict"]);

    const deleted = await call(
      "DeleteItem",
      `<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="${added.id}"/></m:ItemIds></m:DeleteItem>`,
    );
    expect(responseCodes(deleted)).toEqual(["NoError"]);
    const afterDelete = await call("SyncFolderItems after delete", syncBody("inbox", stateOf(next)));
    expect(tagged(afterDelete, "Delete")).toBe(1);
    const gone = await call(
      "GetItem deleted",
      `<m:GetItem><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${added.id}"/></m:ItemIds></m:GetItem>`,
    );
    expect(responseCodes(gone)).toEqual(["ErrorItemNotFound"]);
  });

  it("pages with MaxChangesReturned and IncludesLastItemInRange", async () => {
    const page1 = await call("SyncFolderItems page 1", syncBody("calendar", undefined, 1));
    expect(tagged(page1, "Create")).toBe(1);
    expect(page1.text).toContain("<m:IncludesLastItemInRange>false</m:IncludesLastItemInRange>");
    const page2 = await call("SyncFolderItems page 2", syncBody("calendar", stateOf(page1), 1));
    expect(tagged(page2, "Create")).toBe(1);
    expect(itemIds(page2)).not.toEqual(itemIds(page1));
    expect(page2.text).toContain("<m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>");
  });

  it("refuses a bad, edited or foreign SyncState with ErrorInvalidSyncStateData", async () => {
    const own = stateOf(await call("SyncFolderItems for state", syncBody("inbox")));
    const calendarState = stateOf(await call("SyncFolderItems calendar", syncBody("calendar")));
    const edited = Buffer.from(
      Buffer.from(own, "base64")
        .toString("utf8")
        .replace(/\|(\d+)\|/, "|0|"),
    ).toString("base64");
    for (const bad of ["bm90IGEgc3RhdGU=", "%%%", edited, calendarState]) {
      const res = await call("SyncFolderItems bad state", syncBody("inbox", bad));
      expect(responseCodes(res)).toEqual(["ErrorInvalidSyncStateData"]);
    }
  });

  it("GetItem returns body, attachments and recipients; GetAttachment the content", async () => {
    const list = await call(
      "FindItem IdOnly",
      `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>` +
        `<m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>`,
      "alex.vance@contoso.com",
    );
    const ids = itemIds(list);
    const got = await call(
      "GetItem Default",
      `<m:GetItem><m:ItemShape><t:BaseShape>Default</t:BaseShape><t:BodyType>Text</t:BodyType></m:ItemShape><m:ItemIds>` +
        ids.map((id) => `<t:ItemId Id="${id}"/>`).join("") +
        `<t:ItemId Id="bogus"/></m:ItemIds></m:GetItem>`,
      "alex.vance@contoso.com",
    );
    expect(responseCodes(got)).toEqual([...ids.map(() => "NoError"), "ErrorInvalidIdMalformed"]);
    expect(got.text).toContain('<t:Body BodyType="Text">');
    expect(got.text).toContain("<t:ToRecipients>");
    const attachmentId = /<t:AttachmentId Id="([^"]+)"/.exec(got.text)![1];
    const att = await call(
      "GetAttachment",
      `<m:GetAttachment><m:AttachmentIds><t:AttachmentId Id="${attachmentId}"/></m:AttachmentIds></m:GetAttachment>`,
      "alex.vance@contoso.com",
    );
    expect(responseCodes(att)).toEqual(["NoError"]);
    const content = /<t:Content>([^<]+)</.exec(att.text)![1];
    expect(Buffer.from(content, "base64").toString()).toContain("Welcome");
    const foreign = await call(
      "GetItem other mailbox",
      `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${ids[0]}"/></m:ItemIds></m:GetItem>`,
      USER,
    );
    expect(responseCodes(foreign)).toEqual(["ErrorAccessDenied"]);
  });

  it("FindItem honours a date-range Restriction on DateTimeReceived and on calendar:Start", async () => {
    const items = sim.addItem(USER, { subject: "Old news", received: "2020-01-15T08:00:00Z" });
    const range = (field: string, from: string, to: string, folder: string) =>
      `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:Restriction><t:And>` +
      `<t:IsGreaterThanOrEqualTo><t:FieldURI FieldURI="${field}"/><t:FieldURIOrConstant><t:Constant Value="${from}"/></t:FieldURIOrConstant></t:IsGreaterThanOrEqualTo>` +
      `<t:IsLessThan><t:FieldURI FieldURI="${field}"/><t:FieldURIOrConstant><t:Constant Value="${to}"/></t:FieldURIOrConstant></t:IsLessThan>` +
      `</t:And></m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId Id="${folder}"/></m:ParentFolderIds></m:FindItem>`;
    const old = await call(
      "FindItem restriction received",
      range("item:DateTimeReceived", "2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z", "inbox"),
    );
    expect(itemIds(old)).toEqual([items.id]);
    const none = await call(
      "FindItem restriction start",
      range("calendar:Start", "2001-01-01T00:00:00Z", "2001-02-01T00:00:00Z", "calendar"),
    );
    expect(none.text).toContain('TotalItemsInView="0"');
  });

  it("creates messages (delivered to tenant recipients) and calendar items (booked in rooms)", async () => {
    const room = sim.tenant.roomLists[0].rooms[0];
    const start = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 11) + "09:00:00Z";
    const end = start.replace("09:00:00", "10:00:00");
    const meeting = await call(
      "CreateItem CalendarItem",
      `<m:CreateItem SendMeetingInvitations="SendToAllAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId>` +
        `<m:Items><t:CalendarItem><t:Subject>Review</t:Subject><t:Start>${start}</t:Start><t:End>${end}</t:End>` +
        `<t:Location>Room</t:Location><t:Resources><t:Attendee><t:Mailbox><t:EmailAddress>${room}</t:EmailAddress></t:Mailbox></t:Attendee></t:Resources>` +
        `</t:CalendarItem></m:Items></m:CreateItem>`,
    );
    expect(responseCodes(meeting)).toEqual(["NoError"]);
    const mail = await call(
      "CreateItem Message",
      `<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:Items><t:Message><t:Subject>Hello Alex</t:Subject>` +
        `<t:Body BodyType="Text">Hi</t:Body><t:ToRecipients><t:Mailbox><t:EmailAddress>alex.vance@contoso.com</t:EmailAddress></t:Mailbox></t:ToRecipients>` +
        `</t:Message></m:Items></m:CreateItem>`,
    );
    expect(responseCodes(mail)).toEqual(["NoError"]);
    const inbox = await call(
      "FindItem after delivery",
      `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape>` +
        `<m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>`,
      "alex.vance@contoso.com",
    );
    expect(inbox.text).toContain("<t:Subject>Hello Alex</t:Subject>");
    const day = start.slice(0, 10);
    const availability = await call(
      "GetUserAvailability",
      `<m:GetUserAvailabilityRequest><t:TimeZone><t:Bias>0</t:Bias><t:StandardTime><t:Bias>0</t:Bias><t:Time>02:00:00</t:Time><t:DayOrder>5</t:DayOrder><t:Month>10</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:StandardTime>` +
        `<t:DaylightTime><t:Bias>0</t:Bias><t:Time>02:00:00</t:Time><t:DayOrder>5</t:DayOrder><t:Month>3</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:DaylightTime></t:TimeZone>` +
        `<m:MailboxDataArray><t:MailboxData><t:Email><t:Address>${room}</t:Address></t:Email><t:AttendeeType>Room</t:AttendeeType></t:MailboxData>` +
        `<t:MailboxData><t:Email><t:Address>nobody@contoso.com</t:Address></t:Email><t:AttendeeType>Required</t:AttendeeType></t:MailboxData></m:MailboxDataArray>` +
        `<t:FreeBusyViewOptions><t:TimeWindow><t:StartTime>${day}T00:00:00</t:StartTime><t:EndTime>${day}T23:59:59</t:EndTime></t:TimeWindow>` +
        `<t:MergedFreeBusyIntervalInMinutes>60</t:MergedFreeBusyIntervalInMinutes><t:RequestedView>DetailedMerged</t:RequestedView></t:FreeBusyViewOptions></m:GetUserAvailabilityRequest>`,
      undefined,
    );
    expect(responseCodes(availability)).toEqual(["NoError", "ErrorMailRecipientNotFound"]);
    expect(availability.text).toContain(`<t:StartTime>${day}T09:00:00</t:StartTime>`);
    expect(availability.text).toContain("<t:Subject>Review</t:Subject>");
    expect(/<t:MergedFreeBusy>(\d+)</.exec(availability.text)![1][9]).toBe("2");
  });

  it("SyncFolderHierarchy lists the folders once, then no changes", async () => {
    const body = (state?: string) =>
      `<m:SyncFolderHierarchy><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="folder:DisplayName"/></t:AdditionalProperties></m:FolderShape>` +
      `${state ? `<m:SyncState>${state}</m:SyncState>` : ""}</m:SyncFolderHierarchy>`;
    const first = await call("SyncFolderHierarchy", body());
    expect(tagged(first, "Create")).toBeGreaterThan(5);
    expect(first.text).toContain("<t:DisplayName>Inbox</t:DisplayName>");
    const second = await call("SyncFolderHierarchy again", body(stateOf(first)));
    expect(tagged(second, "Create")).toBe(0);
  });

  it("keeps seeded timestamps fixed at simulator start", async () => {
    const body =
      `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape>` +
      `<m:ParentFolderIds><t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>`;
    const a = await post(sim.ewsUrl, envelope(body, { impersonate: "alex.vance@contoso.com" }), SVC);
    const b = await post(sim.ewsUrl, envelope(body, { impersonate: "alex.vance@contoso.com" }), SVC);
    expect(a.text).toBe(b.text);
  });

  it("the control endpoint adds items and refuses bad input with 400 / 404", async () => {
    const add = (address: string, body: unknown) =>
      fetch(`${sim.url}/_control/mailboxes/${encodeURIComponent(address)}/items`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const ok = await add(USER, { subject: "From control" });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { id: string }).id).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect((await add(USER, { folder: "calendar", subject: "No dates" })).status).toBe(400);
    expect((await add("nobody@contoso.com", { subject: "x" })).status).toBe(404);
  });

  it("every answer is valid against Microsoft's EWS schemas", async () => {
    if (!(await schemaValidationEnabled())) return;
    expect(answers.length).toBeGreaterThan(20);
    expect(await validateEwsAnswers(answers)).toEqual([]);
  });
});
