/** The tenant every test account belongs to (an Entra tenant id is a GUID). */
export const TEST_TENANT_ID = "7f3c2b1a-4d5e-4f60-8a9b-0c1d2e3f4a5b";
/** Another tenant: tokens from it must be refused unless it is allowed. */
export const OTHER_TENANT_ID = "0a1b2c3d-1111-4222-8333-944455556666";
/** The app registration's client id the server expects as the token audience. */
export const TEST_API_CLIENT_ID = "5b1e6c2d-9a8f-4e7d-b6c5-a4f3e2d1c0b9";
/** The panel's public (PKCE) client; in Entra it is the same app registration. */
export const TEST_PANEL_CLIENT_ID = TEST_API_CLIENT_ID;
/** The server's confidential client ("Connect account"). */
export const TEST_SERVER_CLIENT_ID = "c0ffee00-1234-4abc-9def-0123456789ab";
export const TEST_SERVER_CLIENT_SECRET = "test-server-client-secret-0123456789";

/** One person the test identity provider can sign in, with Entra-shaped claims. */
export interface TestAccount {
  /** Short name used to pick the account (`login_hint` or `?account=`). */
  key: string;
  oid: string;
  tid: string;
  upn: string;
  name: string;
  /** Defaults to the UPN. */
  preferredUsername?: string;
  email?: string;
  roles?: string[];
  /** 1 = guest (B2B), 0 = member. */
  acct?: 0 | 1;
}

/** The demo and test accounts. Addresses of end users match the users the tests and the demo seed. */
export const TEST_ACCOUNTS = {
  platformAdmin: {
    key: "platform-admin",
    oid: "00000000-0000-4000-8000-000000000001",
    tid: TEST_TENANT_ID,
    upn: "platform.admin@contoso.test",
    name: "Pat Platform",
    roles: ["SyncAdmin.Platform"],
    acct: 0,
  },
  profileAdmin: {
    key: "profile-admin",
    oid: "00000000-0000-4000-8000-000000000002",
    tid: TEST_TENANT_ID,
    upn: "profile.admin@contoso.test",
    name: "Priya Profile",
    acct: 0,
  },
  activeUser: {
    key: "active-user",
    oid: "00000000-0000-4000-8000-000000000003",
    tid: TEST_TENANT_ID,
    upn: "ada.active@contoso.test",
    name: "Ada Active",
    acct: 0,
  },
  errorUser: {
    key: "error-user",
    oid: "00000000-0000-4000-8000-000000000004",
    tid: TEST_TENANT_ID,
    upn: "eric.error@contoso.test",
    name: "Eric Error",
    acct: 0,
  },
  pausedUser: {
    key: "paused-user",
    oid: "00000000-0000-4000-8000-000000000005",
    tid: TEST_TENANT_ID,
    upn: "paula.paused@contoso.test",
    name: "Paula Paused",
    acct: 0,
  },
  notEnrolledUser: {
    key: "not-enrolled-user",
    oid: "00000000-0000-4000-8000-000000000006",
    tid: TEST_TENANT_ID,
    upn: "nora.new@contoso.test",
    name: "Nora New",
    acct: 0,
  },
  /** A B2B guest in our tenant whose home address matches an enrolled user's: must never be linked. */
  guest: {
    key: "guest",
    oid: "00000000-0000-4000-8000-000000000007",
    tid: TEST_TENANT_ID,
    upn: "gus.guest_fabrikam.test#EXT#@contoso.test",
    preferredUsername: "gus.guest@fabrikam.test",
    email: "gus.guest@fabrikam.test",
    name: "Gus Guest",
    acct: 1,
  },
  /** A member whose `email` claim (not `upn`) equals an enrolled user's address: must never be linked. */
  emailOnly: {
    key: "email-only",
    oid: "00000000-0000-4000-8000-000000000008",
    tid: TEST_TENANT_ID,
    upn: "mallory@contoso.test",
    preferredUsername: "ada.active@contoso.test",
    email: "ada.active@contoso.test",
    name: "Mallory Mimic",
    acct: 0,
  },
  /** A member of another tenant with a UPN equal to an enrolled address. */
  otherTenantUser: {
    key: "other-tenant",
    oid: "00000000-0000-4000-8000-000000000009",
    tid: OTHER_TENANT_ID,
    upn: "nora.new@contoso.test",
    name: "Otto Other",
    acct: 0,
  },
} satisfies Record<string, TestAccount>;

export type TestAccountName = keyof typeof TEST_ACCOUNTS;

/**
 * The demo's accounts (`npm run demo`): people of the demo tenant (contoso.com), so the end user's UPN is
 * a mailbox the demo enrols. The profile admin is assigned to the Default profile by the demo.
 */
export const DEMO_ACCOUNTS = {
  platformAdmin: {
    key: "platform-admin",
    oid: "00000000-0000-4000-8000-0000000000d1",
    tid: TEST_TENANT_ID,
    upn: "pat.platform@contoso.com",
    name: "Pat Platform (platform admin)",
    roles: ["SyncAdmin.Platform"],
    acct: 0,
  },
  profileAdmin: {
    key: "profile-admin",
    oid: "00000000-0000-4000-8000-0000000000d2",
    tid: TEST_TENANT_ID,
    upn: "priya.profile@contoso.com",
    name: "Priya Profile (profile admin)",
    acct: 0,
  },
  endUser: {
    key: "end-user",
    oid: "00000000-0000-4000-8000-0000000000d3",
    tid: TEST_TENANT_ID,
    upn: "jane.doe@contoso.com",
    name: "Jane Doe (end user)",
    acct: 0,
  },
} satisfies Record<string, TestAccount>;

/** Finds an account by its key, UPN or preferred username (case-insensitive). */
export function findTestAccount(hint: string | undefined, accounts: TestAccount[]): TestAccount | undefined {
  if (!hint) return undefined;
  const h = hint.toLowerCase();
  return accounts.find(
    (a) =>
      a.key === h || a.upn.toLowerCase() === h || a.preferredUsername?.toLowerCase() === h || a.oid === h,
  );
}

/** The claims an Entra v2 access token carries for this account (without iss/aud/exp). */
export function entraClaims(account: TestAccount): Record<string, unknown> {
  return {
    tid: account.tid,
    oid: account.oid,
    sub: account.oid,
    upn: account.upn,
    preferred_username: account.preferredUsername ?? account.upn,
    name: account.name,
    ...(account.email ? { email: account.email } : {}),
    ...(account.roles?.length ? { roles: account.roles } : {}),
    acct: account.acct ?? 0,
    ver: "2.0",
  };
}
