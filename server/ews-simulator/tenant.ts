import { readFile } from "node:fs/promises";
import { z } from "zod";

const address = z.string().trim().toLowerCase().pipe(z.email());

/** Who an account (or app) may impersonate: everybody, nobody, or a scope. */
const impersonationScopeSchema = z.union([
  z.literal("all"),
  z.literal("none"),
  z.array(address),
  z
    .object({
      domains: z.array(z.string().trim().toLowerCase()).optional(),
      addresses: z.array(address).optional(),
      except: z.array(address).optional(),
    })
    .strict(),
]);

const mailboxSchema = z
  .object({
    primarySmtpAddress: address,
    displayName: z.string().min(1),
    kind: z.enum(["user", "room", "equipment"]).default("user"),
    aliases: z.array(address).default([]),
    userPrincipalName: address.optional(),
    sid: z
      .string()
      .regex(/^S-1-\d+(-\d+)+$/, "a SID such as S-1-5-21-1-2-3-1001")
      .optional(),
    ewsEnabled: z.boolean().default(true),
    moveInProgress: z.boolean().default(false),
    /** On-premises in a hybrid organization: Graph answers 404 MailboxNotEnabledForRESTAPI for it. */
    onPremises: z.boolean().default(false),
    /** Seeded messages in the Inbox and appointments in the Calendar. */
    items: z
      .object({ inbox: z.number().int().min(0).max(1000), calendar: z.number().int().min(0).max(1000) })
      .optional(),
  })
  .strict();

const accountSchema = z
  .object({
    logon: address,
    password: z.string().min(1),
    /** Down-level logon names also accepted (`CONTOSO\\svc-sync`). */
    otherLogons: z.array(z.string().trim().toLowerCase()).default([]),
    /** Address of the account's own mailbox; null = no mailbox. Default: the mailbox whose address or UPN is the logon. */
    mailbox: address.nullable().optional(),
    licensed: z.boolean().default(true),
    impersonation: impersonationScopeSchema.default("none"),
    disabled: z.boolean().default(false),
    /** When the account's password expires (GetPasswordExpirationDate); absent or null = never. */
    passwordExpiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

const roomListSchema = z
  .object({ address, displayName: z.string().min(1), rooms: z.array(address).default([]) })
  .strict();

const issuerSchema = z
  .object({ issuer: z.string().min(1), jwksUrl: z.url(), audiences: z.array(z.string().min(1)).min(1) })
  .strict();

const appSchema = z
  .object({
    appId: z.string().min(1),
    displayName: z.string().optional(),
    /** Mailboxes the app may reach with `full_access_as_app`; absent = every mailbox. */
    scope: impersonationScopeSchema.optional(),
    outOfScopeError: z.enum(["ErrorAccessDenied", "ErrorImpersonateUserDenied"]).default("ErrorAccessDenied"),
  })
  .strict();

const redirectSchema = z
  .object({
    /** An address or a whole domain (`@fabrikam.com`) that autodiscover redirects. */
    match: z.string().trim().toLowerCase().min(2),
    redirectAddr: address.optional(),
    redirectUrl: z.url().optional(),
  })
  .strict()
  .refine(
    (r) => Boolean(r.redirectAddr) !== Boolean(r.redirectUrl),
    "give exactly one of redirectAddr or redirectUrl",
  );

/** The tenant file's schema (see README.md). */
export const tenantSchema = z
  .object({
    name: z.string().default("Simulated tenant"),
    domains: z.array(z.string().trim().toLowerCase().min(3)).min(1),
    server: z
      .object({
        basicAuthEnabled: z.boolean().default(true),
        /** Value of the ServerVersionInfo header's Version attribute. */
        version: z.string().default("V2017_07_11"),
        majorVersion: z.number().int().default(15),
        minorVersion: z.number().int().default(1),
        majorBuildNumber: z.number().int().default(2507),
        minorBuildNumber: z.number().int().default(6),
        /** Impersonating a proxy (non-primary) address: fault with the primary, or resolve it. */
        aliasImpersonation: z.enum(["fault", "resolve"]).default("fault"),
        /** Exchange Online's `EwsEnabled`: false answers every app-only EWS call 403. */
        ewsEnabled: z.boolean().default(true),
        /** Exchange Online's `EwsAllowedAppIDs`: when set, app-only EWS calls of other apps get 403. */
        ewsAllowedAppIds: z.array(z.string().trim().toLowerCase()).optional(),
      })
      .strict()
      .prefault({}),
    mailboxes: z.array(mailboxSchema).default([]),
    roomLists: z.array(roomListSchema).default([]),
    accounts: z.array(accountSchema).default([]),
    oauth: z
      .object({ issuers: z.array(issuerSchema).default([]), apps: z.array(appSchema).default([]) })
      .strict()
      .prefault({}),
    autodiscover: z
      .object({
        redirects: z.array(redirectSchema).default([]),
        /** Absent: the simulator's own EWS URL. */
        externalEwsUrl: z.url().optional(),
        internalEwsUrl: z.url().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Map<string, string>();
    t.mailboxes.forEach((m, i) => {
      for (const a of [m.primarySmtpAddress, ...m.aliases]) {
        const other = seen.get(a);
        if (other) {
          ctx.addIssue({
            code: "custom",
            path: ["mailboxes", i],
            message: `address ${a} is already used by ${other}`,
          });
        }
        seen.set(a, m.primarySmtpAddress);
      }
    });
    t.roomLists.forEach((l, i) =>
      l.rooms.forEach((r, j) => {
        if (!t.mailboxes.some((m) => m.primarySmtpAddress === r)) {
          ctx.addIssue({
            code: "custom",
            path: ["roomLists", i, "rooms", j],
            message: `room ${r} is not a mailbox`,
          });
        }
      }),
    );
  });

/** A tenant as written in the JSON file (defaults optional). */
export type TenantInput = z.input<typeof tenantSchema>;
/** A validated tenant, defaults filled in. */
export type Tenant = z.output<typeof tenantSchema>;
export type TenantMailbox = Tenant["mailboxes"][number];
export type TenantAccount = Tenant["accounts"][number];
export type TenantApp = Tenant["oauth"]["apps"][number];
export type ImpersonationScope = z.output<typeof impersonationScopeSchema>;

/** Thrown when a tenant file or object is invalid; `message` is one readable paragraph. */
export class TenantError extends Error {
  override readonly name = "TenantError";
}

/**
 * Validates a tenant object and fills in defaults.
 * @example parseTenant({ domains: ["contoso.com"], mailboxes: [] })
 */
export function parseTenant(input: unknown, source = "tenant"): Tenant {
  const result = tenantSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues
    .slice(0, 10)
    .map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new TenantError(`Invalid ${source}:\n${lines.join("\n")}`);
}

/**
 * Reads and validates a tenant JSON file.
 * @example const tenant = await loadTenantFile("server/ews-simulator/demo-tenant.json");
 */
export async function loadTenantFile(path: string): Promise<Tenant> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TenantError(`Cannot read tenant file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TenantError(`Tenant file ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseTenant(json, `tenant file ${path}`);
}

/** A mailbox with the derived values the simulator needs. */
export interface ResolvedMailbox extends TenantMailbox {
  sid: string;
  userPrincipalName: string;
  index: number;
}

/** Lookup tables over a validated tenant. */
export interface TenantIndex {
  tenant: Tenant;
  mailboxes: ResolvedMailbox[];
  /** Any proxy address (primary or alias), lower case → mailbox. */
  byAddress: Map<string, ResolvedMailbox>;
  byUpn: Map<string, ResolvedMailbox>;
  bySid: Map<string, ResolvedMailbox>;
  /** Every logon name (UPN and down-level) → account. */
  accounts: Map<string, TenantAccount>;
  roomLists: Map<string, Tenant["roomLists"][number]>;
  apps: Map<string, TenantApp>;
}

/** Builds lookup maps; SIDs not given are derived from the mailbox's position. */
export function indexTenant(tenant: Tenant): TenantIndex {
  const mailboxes = tenant.mailboxes.map<ResolvedMailbox>((m, index) => ({
    ...m,
    index,
    sid: m.sid ?? `S-1-5-21-3623811015-3361044348-30300820-${1100 + index}`,
    userPrincipalName: m.userPrincipalName ?? m.primarySmtpAddress,
  }));
  const byAddress = new Map<string, ResolvedMailbox>();
  const byUpn = new Map<string, ResolvedMailbox>();
  const bySid = new Map<string, ResolvedMailbox>();
  for (const m of mailboxes) {
    byAddress.set(m.primarySmtpAddress, m);
    for (const a of m.aliases) byAddress.set(a, m);
    byUpn.set(m.userPrincipalName, m);
    bySid.set(m.sid.toUpperCase(), m);
  }
  const accounts = new Map<string, TenantAccount>();
  for (const a of tenant.accounts) {
    accounts.set(a.logon, a);
    for (const o of a.otherLogons) accounts.set(o, a);
  }
  return {
    tenant,
    mailboxes,
    byAddress,
    byUpn,
    bySid,
    accounts,
    roomLists: new Map(tenant.roomLists.map((l) => [l.address, l])),
    apps: new Map(tenant.oauth.apps.map((a) => [a.appId, a])),
  };
}

/** The account's own mailbox, or undefined when it has none (or no license). */
export function accountMailbox(index: TenantIndex, account: TenantAccount): ResolvedMailbox | undefined {
  if (!account.licensed || account.mailbox === null) return undefined;
  if (account.mailbox) return index.byAddress.get(account.mailbox);
  return index.byAddress.get(account.logon) ?? index.byUpn.get(account.logon);
}

/** Whether a scope covers a mailbox (by any of its addresses). */
export function scopeIncludes(scope: ImpersonationScope, mailbox: ResolvedMailbox): boolean {
  if (scope === "all") return true;
  if (scope === "none") return false;
  const addresses = [mailbox.primarySmtpAddress, ...mailbox.aliases];
  if (Array.isArray(scope)) return addresses.some((a) => scope.includes(a));
  if (scope.except?.some((e) => addresses.includes(e))) return false;
  if (scope.addresses?.some((a) => addresses.includes(a))) return true;
  const domain = mailbox.primarySmtpAddress.split("@")[1];
  if (scope.domains) return scope.domains.includes(domain);
  return !scope.addresses;
}
