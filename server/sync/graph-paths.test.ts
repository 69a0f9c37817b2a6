import { describe, expect, it } from "vitest";
import { rewriteGraphLinks } from "./graph-links";
import { allowGraphPath } from "./graph-paths";

describe("allowGraphPath", () => {
  it.each([
    ["GET", "v1.0", "messages", "graph:read"],
    ["GET", "v1.0", "mailFolders('inbox')/messages/delta", "graph:read"],
    ["GET", "v1.0", "mailfolders/AAMkAGI2=/messages/microsoft.graph.delta", "graph:read"],
    ["GET", "v1.0", "MailFolders/Inbox/ChildFolders", "graph:read"],
    ["GET", "v1.0", "calendarView/delta", "graph:read"],
    ["GET", "beta", "events/delta", "graph:read"],
    ["GET", "v1.0", "mailboxSettings", "graph:read"],
    ["POST", "v1.0", "sendMail", "graph:write"],
    ["PATCH", "v1.0", "events/AAMkAD-1_x=", "graph:write"],
    ["DELETE", "v1.0", "contacts/AAMkAD", "graph:write"],
  ] as const)("%s %s %s needs %s", (method, version, path, scope) => {
    expect(allowGraphPath(method, version, path)).toEqual({ ok: true, scope });
  });

  it.each([
    ["GET", "v1.0", "events/delta"],
    ["PATCH", "v1.0", "mailboxSettings"],
    ["GET", "v1.0", "mailFolders/inbox/messageRules"],
    ["GET", "v1.0", "calendar/calendarPermissions"],
    ["POST", "v1.0", "messages/AAMk/attachments/createUploadSession"],
    ["GET", "v1.0", "people"],
    ["GET", "v1.0", "messages/../../groups"],
    ["GET", "v1.0", "drive/root"],
    ["PUT", "v1.0", "messages/AAMk"],
    // Delegated only in Graph: an app-only token gets Graph's refusal, so the gateway says why instead.
    ["POST", "v1.0", "translateExchangeIds"],
  ] as const)("refuses %s %s %s", (method, version, path) => {
    expect(allowGraphPath(method, version, path).ok).toBe(false);
  });
});

describe("rewriteGraphLinks", () => {
  it("points nextLink, deltaLink and Location (also in batch sub-responses) at the gateway and leaves the rest", () => {
    const body = JSON.stringify({
      responses: [
        {
          id: "1",
          status: 201,
          headers: { Location: "https://graph.microsoft.com/v1.0/users/a/messages/X" },
          body: {
            value: [{ subject: 'see "@odata.nextLink":"https://graph.microsoft.com/v1.0/x"' }],
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/users/a/messages?%24skip=10",
          },
        },
      ],
      "@odata.deltaLink": "https://GRAPH.microsoft.com/beta/users/a/events/delta?$deltatoken=abc",
      other: "https://graph.microsoft.com/v1.0/untouched",
    });
    const out = rewriteGraphLinks(
      body,
      "https://graph.microsoft.com",
      "https://sync.example/api/v1/sync/graph",
    );
    const parsed = JSON.parse(out) as Record<string, any>;
    expect(parsed.responses[0].headers.Location).toBe(
      "https://sync.example/api/v1/sync/graph/v1.0/users/a/messages/X",
    );
    expect(parsed.responses[0].body["@odata.nextLink"]).toBe(
      "https://sync.example/api/v1/sync/graph/v1.0/users/a/messages?%24skip=10",
    );
    expect(parsed["@odata.deltaLink"]).toBe(
      "https://sync.example/api/v1/sync/graph/beta/users/a/events/delta?$deltatoken=abc",
    );
    expect(parsed.other).toBe("https://graph.microsoft.com/v1.0/untouched");
    expect(parsed.responses[0].body.value[0].subject).toContain("https://graph.microsoft.com/v1.0/x");
  });
});

describe("gatewayPathOf", () => {
  it("takes Graph's canonical version and users segments, and leaves re-cased ones to the app's 404", async () => {
    const { gatewayPathOf } = await import("./graph-endpoint");
    expect(gatewayPathOf("/api/v1/sync/graph/v1.0/users/a@b.c/MailFolders('Inbox')")).toBe(
      "/v1.0/users/a@b.c/MailFolders('Inbox')",
    );
    expect(gatewayPathOf("/api/v1/sync/graph/beta/$batch")).toBe("/beta/$batch");
    expect(gatewayPathOf("/api/v1/sync/graph/me/messages")).toBe("/me/messages");
    expect(gatewayPathOf("/api/v1/sync/graph/V1.0/users/a@b.c/messages")).toBeNull();
    expect(gatewayPathOf("/api/v1/sync/graph/v1.0/Users/a@b.c/messages")).toBeNull();
    expect(gatewayPathOf("/api/v1/sync/Graph/v1.0/users/a@b.c/messages")).toBeNull();
  });
});
