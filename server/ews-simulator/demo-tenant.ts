import type { TenantInput } from "./tenant";

const FIRST = [
  "Adele",
  "Alex",
  "Bianca",
  "Carlos",
  "Diego",
  "Elena",
  "Farah",
  "Grace",
  "Hiro",
  "Isaac",
  "Johanna",
  "Karim",
  "Lidia",
  "Megan",
  "Nestor",
  "Olga",
  "Pradeep",
  "Quinn",
  "Rosa",
  "Tomas",
];
const LAST = [
  "Vance",
  "Wilber",
  "Kim",
  "Silva",
  "Novak",
  "Okafor",
  "Haddad",
  "Lindqvist",
  "Tanaka",
  "Moreau",
  "Petrov",
  "Ivers",
  "Adams",
  "Bowen",
  "Castro",
  "Dalton",
  "Eriksen",
  "Fischer",
  "Garcia",
  "Hughes",
];

/** Well-known names of the demo tenant; tests, the demo and the EWS client rely on them. */
export const DEMO = {
  domain: "contoso.com",
  serviceAccount: {
    logon: "svc-sync@contoso.com",
    downLevel: "contoso\\svc-sync",
    password: "Service-Pass-1!",
  },
  serviceAccountWithoutMailbox: { logon: "svc-nomailbox@contoso.com", password: "Service-Pass-2!" },
  accountWithoutImpersonation: { logon: "svc-noimpersonation@contoso.com", password: "Service-Pass-3!" },
  user: { address: "jane.doe@contoso.com", password: "User-Pass-1!", displayName: "Jane Doe" },
  alias: "alias.user@contoso.com",
  blockedUser: "blocked.user@contoso.com",
  ewsDisabledUser: "ews.disabled@contoso.com",
  movingUser: "moving.user@contoso.com",
  /** An address in the domain with no mailbox at all. */
  noMailboxAddress: "no.mailbox@contoso.com",
  roomLists: ["rooms-building1@contoso.com", "rooms-building2@contoso.com"],
  redirectAddrUser: "redirect.me@contoso.com",
  redirectUrlDomain: "fabrikam.com",
} as const;

/** Options of `demoTenant`. */
export interface DemoTenantOptions {
  /** Number of plain user mailboxes generated besides the named ones (default 300). */
  users?: number;
  /** Room mailboxes (default 10), split over two room lists. */
  rooms?: number;
}

/**
 * A demo tenant on contoso.com: generated users, rooms and room lists, plus the named mailboxes
 * and accounts in `DEMO`.
 * @example const sim = await startExchangeSimulator({ tenant: demoTenant({ users: 1000 }) });
 */
export function demoTenant(options: DemoTenantOptions = {}): TenantInput {
  const users = options.users ?? 300;
  const roomCount = options.rooms ?? 10;
  const mailboxes: NonNullable<TenantInput["mailboxes"]> = [
    {
      primarySmtpAddress: DEMO.user.address,
      displayName: DEMO.user.displayName,
      aliases: [DEMO.alias, "jdoe@contoso.com"],
    },
    { primarySmtpAddress: DEMO.serviceAccount.logon, displayName: "Sync Service" },
    { primarySmtpAddress: DEMO.blockedUser, displayName: "Blocked User" },
    { primarySmtpAddress: DEMO.ewsDisabledUser, displayName: "EWS Disabled", ewsEnabled: false },
    { primarySmtpAddress: DEMO.movingUser, displayName: "Moving User", moveInProgress: true },
    { primarySmtpAddress: "projector-1@contoso.com", displayName: "Projector 1", kind: "equipment" },
  ];
  const seen = new Set(mailboxes.map((m) => m.primarySmtpAddress));
  for (let i = 0; i < users; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    const round = Math.floor(i / (FIRST.length * LAST.length));
    const local = `${first}.${last}${round > 0 ? round + 1 : ""}`.toLowerCase();
    const address = `${local}@${DEMO.domain}`;
    if (seen.has(address)) continue;
    seen.add(address);
    mailboxes.push({
      primarySmtpAddress: address,
      displayName: `${first} ${last}${round > 0 ? ` ${round + 1}` : ""}`,
    });
  }
  const rooms: string[] = [];
  for (let i = 1; i <= roomCount; i++) {
    const address = `room-${100 + i}@${DEMO.domain}`;
    rooms.push(address);
    mailboxes.push({ primarySmtpAddress: address, displayName: `Conference Room ${100 + i}`, kind: "room" });
  }
  const half = Math.ceil(rooms.length / 2);
  return {
    name: "Contoso (demo)",
    domains: [DEMO.domain],
    mailboxes,
    roomLists: [
      { address: DEMO.roomLists[0], displayName: "Building 1 Rooms", rooms: rooms.slice(0, half) },
      { address: DEMO.roomLists[1], displayName: "Building 2 Rooms", rooms: rooms.slice(half) },
    ],
    accounts: [
      {
        logon: DEMO.serviceAccount.logon,
        password: DEMO.serviceAccount.password,
        otherLogons: [DEMO.serviceAccount.downLevel],
        impersonation: { domains: [DEMO.domain], except: [DEMO.blockedUser] },
      },
      {
        logon: DEMO.serviceAccountWithoutMailbox.logon,
        password: DEMO.serviceAccountWithoutMailbox.password,
        mailbox: null,
        impersonation: { domains: [DEMO.domain], except: [DEMO.blockedUser] },
      },
      {
        logon: DEMO.accountWithoutImpersonation.logon,
        password: DEMO.accountWithoutImpersonation.password,
        mailbox: null,
      },
      { logon: DEMO.user.address, password: DEMO.user.password },
    ],
    autodiscover: {
      redirects: [
        { match: DEMO.redirectAddrUser, redirectAddr: DEMO.user.address },
        {
          match: `@${DEMO.redirectUrlDomain}`,
          redirectUrl: `https://autodiscover.${DEMO.redirectUrlDomain}/autodiscover/autodiscover.xml`,
        },
      ],
    },
  };
}
