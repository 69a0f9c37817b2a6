import { readFileSync } from "node:fs";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoTenant } from "./demo-tenant";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";
import { envelope, getFolderBody, post } from "./test-helpers";

/** An element's shape: `{namespace}local` name, attribute names, children (consecutive repeats collapsed). */
interface Shape {
  name: string;
  attributes: string[];
  children: Shape[];
}

type OrderedNode = Record<string, unknown>;
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  trimValues: true,
});

function shapes(nodes: OrderedNode[], scope: Record<string, string>): Shape[] {
  const out: Shape[] = [];
  for (const node of nodes) {
    const qname = Object.keys(node).find((k) => k !== ":@" && k !== "#text" && k !== "?xml");
    if (!qname) continue;
    const attrs = (node[":@"] ?? {}) as Record<string, string>;
    const inner = { ...scope };
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "xmlns") inner[""] = v;
      else if (k.startsWith("xmlns:")) inner[k.slice(6)] = v;
    }
    const [prefix, local] = qname.includes(":") ? qname.split(":") : ["", qname];
    const shape: Shape = {
      name: `{${inner[prefix] ?? "?"}}${local}`,
      attributes: Object.keys(attrs)
        .filter((k) => k !== "xmlns" && !k.startsWith("xmlns:"))
        .sort(),
      children: shapes(node[qname] as OrderedNode[], inner),
    };
    const previous = out.at(-1);
    if (previous && previous.name === shape.name) continue;
    out.push(shape);
  }
  return out;
}

function structure(xml: string): Shape[] {
  return shapes(parser.parse(xml) as OrderedNode[], {});
}

let sim: ExchangeSimulator;
beforeAll(async () => {
  sim = await startExchangeSimulator({ tenant: demoTenant({ users: 20 }) });
});
afterAll(() => sim.close());

const svc = (body: string, impersonate?: string) => post(sim.ewsUrl, envelope(body, { impersonate }));

const CASES: [string, () => Promise<{ text: string }>][] = [
  ["getfolder-default.xml", () => svc(getFolderBody(["inbox"]), DEMO.user.address)],
  [
    "getfolder-error.xml",
    () =>
      svc(
        `<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id="bad"/></m:FolderIds></m:GetFolder>`,
      ),
  ],
  [
    "finditem-idonly.xml",
    () =>
      svc(
        `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>`,
        DEMO.user.address,
      ),
  ],
  [
    "resolvenames-success.xml",
    () =>
      svc(
        `<m:ResolveNames ReturnFullContactData="true"><m:UnresolvedEntry>${DEMO.user.address}</m:UnresolvedEntry></m:ResolveNames>`,
      ),
  ],
  [
    "resolvenames-error.xml",
    () =>
      svc(
        `<m:ResolveNames ReturnFullContactData="true"><m:UnresolvedEntry>nobody-at-all</m:UnresolvedEntry></m:ResolveNames>`,
      ),
  ],
  ["getroomlists.xml", () => svc("<m:GetRoomLists/>")],
  [
    "getrooms.xml",
    () =>
      svc(
        `<m:GetRooms><m:RoomList><t:EmailAddress>${DEMO.roomLists[0]}</t:EmailAddress></m:RoomList></m:GetRooms>`,
      ),
  ],
  [
    "getrooms-error.xml",
    () =>
      svc(
        `<m:GetRooms><m:RoomList><t:EmailAddress>none@contoso.com</t:EmailAddress></m:RoomList></m:GetRooms>`,
      ),
  ],
  ["fault-impersonate-user-denied.xml", () => svc(getFolderBody(["inbox"]), DEMO.blockedUser)],
  ["fault-non-primary-smtp-address.xml", () => svc(getFolderBody(["inbox"]), DEMO.alias)],
  [
    "fault-server-busy.xml",
    async () => {
      sim.faults.byMailbox["adele.vance@contoso.com"] = "serverBusy";
      try {
        return await svc(getFolderBody(["inbox"]), "adele.vance@contoso.com");
      } finally {
        delete sim.faults.byMailbox["adele.vance@contoso.com"];
      }
    },
  ],
];

describe("simulator answers have the element structure of the EWS reference fixtures", () => {
  it.each(CASES)("%s", async (file, call) => {
    const expected = structure(
      readFileSync(new URL(`../../test/fixtures/ews/${file}`, import.meta.url), "utf8"),
    );
    const actual = structure((await call()).text);
    expect(actual).toEqual(expected);
  });
});
