import {
  startTestIdentityProvider,
  TEST_ACCOUNTS,
  type TestAccount,
  type TestIdentityProvider,
} from "../idp";
import { nowIso } from "../factories/store";
import { setUserStateByAddress, userRows } from "../factories/users";
import { ApiClient, startTestServer, type DialectName, type TestServer } from "./server";

/** A server that trusts a test identity provider by configuration, with two profiles and seeded mailboxes. */
export interface IdentityFixture {
  idp: TestIdentityProvider;
  server: TestServer;
  profileA: string;
  profileB: string;
  /** User ids by account key (end users in profile A) plus `otherProfileUser` in profile B. */
  userIds: Record<string, string>;
  /** An API client sending this account's bearer token (and no cookie). */
  as(account: TestAccount, token?: string): Promise<ApiClient>;
  close(): Promise<void>;
}

/**
 * Starts the test identity provider and a server configured to trust it (ENTRA_* variables only), then
 * seeds profile A (the profile admin's, with the active, error and paused users) and profile B.
 * @example const f = await startIdentityFixture("sqlite"); const me = await (await f.as(TEST_ACCOUNTS.activeUser)).get("/me/status");
 */
export async function startIdentityFixture(
  dialect: DialectName = "sqlite",
  idp?: TestIdentityProvider,
  /** More environment for the server (e.g. EWS_ALLOWED_HOSTS for a simulator). */
  env: Record<string, string> = {},
): Promise<IdentityFixture> {
  const ownIdp = !idp;
  idp ??= await startTestIdentityProvider();
  const server = await startTestServer({ dialect, env: { ...idp.serverEnv(), ...env } });
  const { admin } = server;
  const profileA = (await admin.post("/profiles", { name: "Profile A" })).body.data.id as string;
  const profileB = (await admin.post("/profiles", { name: "Profile B" })).body.data.id as string;
  await expectOk(
    admin.put(`/profiles/${profileA}/admins`, { userPrincipalNames: [TEST_ACCOUNTS.profileAdmin.upn] }),
  );
  const addresses = [TEST_ACCOUNTS.activeUser, TEST_ACCOUNTS.errorUser, TEST_ACCOUNTS.pausedUser].map((a) =>
    a.upn.toUpperCase(),
  );
  await expectOk(admin.post(`/profiles/${profileA}/users`, { text: addresses.join("\n") }));
  await expectOk(admin.post(`/profiles/${profileB}/users`, { text: "otto.other@contoso.test" }));

  const now = nowIso();
  await expectOk(
    admin.put(`/profiles/${profileA}/mailbox-access`, {
      type: "ews-basic-impersonation",
      accountLogon: "svc-sync@contoso.test",
      password: "Service-Password-1",
      ewsUrl: "https://mail.contoso.invalid/EWS/Exchange.asmx",
    }),
  );
  const set = (address: string, values: Record<string, string | null>) =>
    setUserStateByAddress(server.ctx, address, values);
  await set(TEST_ACCOUNTS.activeUser.upn, { state: "active", lastCheckedAt: now, lastSyncAt: now });
  await set(TEST_ACCOUNTS.errorUser.upn, {
    state: "error",
    lastCheckedAt: now,
    lastError: JSON.stringify({
      code: "ErrorImpersonateUserDenied",
      message: "The account does not have permission to impersonate the requested user.",
      remediation: "Grant the ApplicationImpersonation role to the service account.",
    }),
    syncErrors: JSON.stringify([{ code: "ErrorItemNotFound", message: "An item was deleted during sync." }]),
  });
  await set(TEST_ACCOUNTS.pausedUser.upn, { state: "paused", lastCheckedAt: now });

  const rows = await userRows(server.ctx);
  const userIds: Record<string, string> = {};
  for (const account of [TEST_ACCOUNTS.activeUser, TEST_ACCOUNTS.errorUser, TEST_ACCOUNTS.pausedUser]) {
    userIds[account.key] = rows.find((r) => r.addressLower === account.upn.toLowerCase())!.id;
  }
  userIds.otherProfileUser = rows.find((r) => r.addressLower === "otto.other@contoso.test")!.id;

  return {
    idp,
    server,
    profileA,
    profileB,
    userIds,
    as: async (account, token) =>
      new ApiClient(server.url, { authorization: `Bearer ${token ?? (await idp.issueToken(account))}` }),
    close: async () => {
      await server.close();
      if (ownIdp) await idp.close();
    },
  };
}

async function expectOk(response: Promise<{ status: number; text: string }>): Promise<void> {
  const res = await response;
  if (res.status >= 300) throw new Error(`fixture request failed: ${res.status} ${res.text}`);
}
