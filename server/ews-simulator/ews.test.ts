import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";
import { NS } from "./soap";
import { SVC, envelope, faultOf, getFolderBody, post, responseCodes } from "./test-helpers";

let sim: ExchangeSimulator;
beforeAll(async () => {
  sim = await startExchangeSimulator({ tenant: demoTenant({ users: 40 }) });
});
afterAll(() => sim.close());

const NOMAILBOX = {
  logon: DEMO.serviceAccountWithoutMailbox.logon,
  password: DEMO.serviceAccountWithoutMailbox.password,
};
const TARGET = "alex.vance@contoso.com";

describe("GetFolder", () => {
  it("answers distinguished folders of the impersonated mailbox with ServerVersionInfo", async () => {
    const res = await post(
      sim.ewsUrl,
      envelope(getFolderBody(["inbox", "calendar", "root", "msgfolderroot"]), { impersonate: TARGET }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/xml; charset=utf-8");
    expect(res.text).toContain('<h:ServerVersionInfo MajorVersion="15"');
    expect(responseCodes(res)).toEqual(["NoError", "NoError", "NoError", "NoError"]);
    expect(res.text).toContain("<t:CalendarFolder>");
    expect(res.text).toContain("<t:DisplayName>Top of Information Store</t:DisplayName>");
  });

  it("accepts a Mailbox element naming the target", async () => {
    const res = await post(sim.ewsUrl, envelope(getFolderBody(["inbox"], TARGET), { impersonate: TARGET }));
    expect(responseCodes(res)).toEqual(["NoError"]);
  });

  it("lets an account without a mailbox use a Mailbox element only with impersonation", async () => {
    const own = await post(sim.ewsUrl, envelope(getFolderBody(["inbox"])), NOMAILBOX);
    expect(own.status).toBe(200);
    expect(own.text).toContain('ResponseClass="Error"');
    expect(responseCodes(own)).toEqual(["ErrorMissingEmailAddress"]);
    const impersonated = await post(
      sim.ewsUrl,
      envelope(getFolderBody(["inbox"]), { impersonate: TARGET }),
      NOMAILBOX,
    );
    expect(responseCodes(impersonated)).toEqual(["NoError"]);
  });

  it("answers ErrorNonPrimarySmtpAddress with the primary for an alias in Mailbox, ErrorNonExistentMailbox for an unknown one", async () => {
    const res = await post(
      sim.ewsUrl,
      envelope(getFolderBody(["inbox"], DEMO.alias), { impersonate: DEMO.user.address }),
    );
    expect(responseCodes(res)).toEqual(["ErrorNonPrimarySmtpAddress"]);
    expect(res.text).toContain(`<t:Value Name="Primary">${DEMO.user.address}</t:Value>`);
    const unknown = await post(
      sim.ewsUrl,
      envelope(getFolderBody(["inbox"], DEMO.noMailboxAddress), { impersonate: TARGET }),
    );
    expect(responseCodes(unknown)).toEqual(["ErrorNonExistentMailbox"]);
  });

  it("binds the service account's own Inbox without impersonation and by FolderId", async () => {
    const res = await post(sim.ewsUrl, envelope(getFolderBody(["inbox"])));
    expect(responseCodes(res)).toEqual(["NoError"]);
    const id = /<t:FolderId Id="([^"]+)"/.exec(res.text)?.[1];
    const byId = await post(
      sim.ewsUrl,
      envelope(
        `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id="${id}"/></m:FolderIds></m:GetFolder>`,
      ),
    );
    expect(responseCodes(byId)).toEqual(["NoError"]);
    const bad = await post(
      sim.ewsUrl,
      envelope(
        `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id="nonsense"/></m:FolderIds></m:GetFolder>`,
      ),
    );
    expect(responseCodes(bad)).toEqual(["ErrorInvalidIdMalformed"]);
  });

  it("reads any namespace prefixes (and default namespaces)", async () => {
    const xml =
      `<S:Envelope xmlns:S="${NS.soap}"><S:Header><ns2:ExchangeImpersonation xmlns:ns2="${NS.types}"><ns2:ConnectingSID>` +
      `<ns2:PrimarySmtpAddress>${TARGET}</ns2:PrimarySmtpAddress></ns2:ConnectingSID></ns2:ExchangeImpersonation></S:Header>` +
      `<S:Body><GetFolder xmlns="${NS.messages}"><FolderShape><BaseShape xmlns="${NS.types}">IdOnly</BaseShape></FolderShape>` +
      `<FolderIds><DistinguishedFolderId xmlns="${NS.types}" Id="calendar"/></FolderIds></GetFolder></S:Body></S:Envelope>`;
    const res = await post(sim.ewsUrl, xml);
    expect(responseCodes(res)).toEqual(["NoError"]);
  });
});

describe("FindFolder, FindItem, ResolveNames, rooms", () => {
  it("FindFolder lists msgfolderroot's children with paging", async () => {
    const body = `<m:FindFolder Traversal="Shallow"><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:IndexedPageFolderView MaxEntriesReturned="3" Offset="0" BasePoint="Beginning"/><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`;
    const res = await post(sim.ewsUrl, envelope(body, { impersonate: TARGET }));
    expect(res.text).toContain(
      'IndexedPagingOffset="3" TotalItemsInView="7" IncludesLastItemInRange="false"',
    );
  });

  it("FindItem pages the seeded Inbox items", async () => {
    const page = (offset: number) =>
      `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="2" Offset="${offset}" BasePoint="Beginning"/><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>`;
    const first = await post(sim.ewsUrl, envelope(page(0), { impersonate: TARGET }));
    expect(first.text).toContain(
      'IndexedPagingOffset="2" TotalItemsInView="3" IncludesLastItemInRange="false"',
    );
    expect(first.text.match(/<t:Message>/g)).toHaveLength(2);
    const second = await post(sim.ewsUrl, envelope(page(2), { impersonate: TARGET }));
    expect(second.text).toContain('IncludesLastItemInRange="true"');
    expect(second.text.match(/<t:Message>/g)).toHaveLength(1);
  });

  it("ResolveNames: one, several, none", async () => {
    const resolve = (entry: string) =>
      post(
        sim.ewsUrl,
        envelope(
          `<m:ResolveNames ReturnFullContactData="true"><m:UnresolvedEntry>${entry}</m:UnresolvedEntry></m:ResolveNames>`,
        ),
      );
    const one = await resolve(`SMTP:${DEMO.alias}`);
    expect(one.text).toContain('ResponseClass="Success"');
    expect(one.text).toContain(`<t:EmailAddress>${DEMO.user.address}</t:EmailAddress>`);
    expect(one.text).toContain("<t:ContactSource>ActiveDirectory</t:ContactSource>");
    const several = await resolve("alex");
    expect(several.text).toContain('ResponseClass="Warning"');
    expect(responseCodes(several)).toEqual(["ErrorNameResolutionMultipleResults"]);
    const none = await resolve("zz-nobody");
    expect(responseCodes(none)).toEqual(["ErrorNameResolutionNoResults"]);
  });

  it("GetRoomLists and GetRooms", async () => {
    const lists = await post(sim.ewsUrl, envelope("<m:GetRoomLists/>"));
    expect(lists.text).toContain(`<t:EmailAddress>${DEMO.roomLists[0]}</t:EmailAddress>`);
    expect(lists.text).toContain("<t:MailboxType>PublicDL</t:MailboxType>");
    const rooms = await post(
      sim.ewsUrl,
      envelope(
        `<m:GetRooms><m:RoomList><t:EmailAddress>${DEMO.roomLists[1]}</t:EmailAddress></m:RoomList></m:GetRooms>`,
      ),
    );
    expect(rooms.text.match(/<t:Room /g)).toHaveLength(5);
    const unknown = await post(
      sim.ewsUrl,
      envelope(
        `<m:GetRooms><m:RoomList><t:EmailAddress>nolist@contoso.com</t:EmailAddress></m:RoomList></m:GetRooms>`,
      ),
    );
    expect(responseCodes(unknown)).toEqual(["ErrorNameResolutionNoResults"]);
  });
});

describe("request-level errors as SOAP faults with HTTP 500", () => {
  const inbox = getFolderBody(["inbox"]);
  it.each([
    ["blocked user", envelope(inbox, { impersonate: DEMO.blockedUser }), SVC, "ErrorImpersonateUserDenied"],
    ["no mailbox", envelope(inbox, { impersonate: DEMO.noMailboxAddress }), SVC, "ErrorNonExistentMailbox"],
    ["EWS disabled", envelope(inbox, { impersonate: DEMO.ewsDisabledUser }), SVC, "ErrorAccessDenied"],
    [
      "bad header",
      envelope(inbox, { connectingSid: "<t:Nothing>x</t:Nothing>" }),
      SVC,
      "ErrorInvalidExchangeImpersonationHeaderData",
    ],
    [
      "bad SID",
      envelope(inbox, { connectingSid: "<t:SID>not-a-sid</t:SID>" }),
      SVC,
      "ErrorInvalidExchangeImpersonationHeaderData",
    ],
    [
      "no impersonation right",
      envelope(inbox, { impersonate: TARGET }),
      { logon: DEMO.accountWithoutImpersonation.logon, password: DEMO.accountWithoutImpersonation.password },
      "ErrorImpersonationDenied",
    ],
    ["unknown operation", envelope("<m:FlyToTheMoon/>"), SVC, "ErrorSchemaValidation"],
    ["unimplemented operation", envelope("<m:MoveItem/>"), SVC, "ErrorInvalidRequest"],
    ["malformed request", "<soap:Envelope><soap:Body>", SVC, "ErrorSchemaValidation"],
  ])("%s", async (_name, xml, auth, code) => {
    const res = await post(sim.ewsUrl, xml, auth);
    expect(res.status).toBe(500);
    const fault = faultOf(res);
    expect(fault.faultcode).toBe(`a:${code}`);
    expect(fault.code).toBe(code);
    expect(fault.message.length).toBeGreaterThan(5);
    expect(res.text).toContain(`<faultcode xmlns:a="${NS.types}">`);
  });

  it("ErrorNonPrimarySmtpAddress carries the primary address in t:MessageXml", async () => {
    const res = await post(sim.ewsUrl, envelope(inbox, { impersonate: DEMO.alias }));
    expect(res.status).toBe(500);
    expect(faultOf(res).values).toEqual({ Primary: DEMO.user.address });
    expect(res.text).toContain(`<t:MessageXml xmlns:t="${NS.types}"><t:Value Name="Primary">`);
  });

  it("impersonates by PrincipalName and SID too", async () => {
    const upn = await post(
      sim.ewsUrl,
      envelope(inbox, { connectingSid: `<t:PrincipalName>${TARGET}</t:PrincipalName>` }),
    );
    expect(responseCodes(upn)).toEqual(["NoError"]);
    const sid = sim.tenant.mailboxes.findIndex((m) => m.primarySmtpAddress === TARGET);
    const bySid = await post(
      sim.ewsUrl,
      envelope(inbox, {
        connectingSid: `<t:SID>S-1-5-21-3623811015-3361044348-30300820-${1100 + sid}</t:SID>`,
      }),
    );
    expect(responseCodes(bySid)).toEqual(["NoError"]);
    expect(sim.counters.byTarget[TARGET]).toBeGreaterThan(0);
  });

  it("moving mailbox: ErrorMailboxMoveInProgress in the response message", async () => {
    const res = await post(sim.ewsUrl, envelope(inbox, { impersonate: DEMO.movingUser }));
    expect(res.status).toBe(200);
    expect(responseCodes(res)).toEqual(["ErrorMailboxMoveInProgress"]);
  });
});

describe("HTTP authentication", () => {
  it("answers 401 with Negotiate, NTLM and Basic challenges for a wrong password", async () => {
    const res = await post(sim.ewsUrl, envelope(getFolderBody(["inbox"])), {
      logon: DEMO.serviceAccount.logon,
      password: "wrong",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Negotiate, NTLM, Basic realm=/);
    const none = await post(sim.ewsUrl, envelope(getFolderBody(["inbox"])), null);
    expect(none.status).toBe(401);
  });

  it("accepts the down-level logon", async () => {
    const res = await post(sim.ewsUrl, envelope(getFolderBody(["inbox"])), {
      logon: DEMO.serviceAccount.downLevel,
      password: DEMO.serviceAccount.password,
    });
    expect(res.status).toBe(200);
  });

  it("offers only Negotiate and NTLM when Basic is disabled", async () => {
    const tenant = demoTenant({ users: 5 });
    const other = await startExchangeSimulator({
      tenant: { ...tenant, server: { basicAuthEnabled: false } },
    });
    try {
      const res = await post(other.ewsUrl, envelope(getFolderBody(["inbox"])));
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Negotiate, NTLM");
    } finally {
      await other.close();
    }
  });
});
