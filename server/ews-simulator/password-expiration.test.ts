import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaValidationEnabled, validateEwsAnswers } from "../../test/helpers/ews-schema";
import { DEMO, demoTenant } from "./demo-tenant";
import { NEVER_EXPIRES } from "./operations/password-expiration";
import { startExchangeSimulator, type ExchangeSimulator } from "./server";
import { envelope, post, responseCodes, SVC } from "./test-helpers";

/** GetPasswordExpirationDate as Microsoft documents it (messages.xsd): the caller's own expiry only. */
describe("EWS simulator: GetPasswordExpirationDate", () => {
  let sim: ExchangeSimulator;
  const answers: { label: string; xml: string }[] = [];
  const account = () => sim.tenant.accounts.find((a) => a.logon === DEMO.serviceAccount.logon)!;

  async function call(
    label: string,
    body: string,
    options: { impersonate?: string; auth?: typeof SVC } = {},
  ) {
    const res = await post(
      sim.ewsUrl,
      envelope(body, { impersonate: options.impersonate }),
      options.auth ?? SVC,
    );
    answers.push({ label, xml: res.text });
    return res;
  }
  const dateOf = (text: string) => /<m:PasswordExpirationDate>([^<]*)</.exec(text)?.[1];

  beforeAll(async () => {
    sim = await startExchangeSimulator({ tenant: demoTenant({ users: 2, rooms: 0 }) });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("answers the account's configured expiry, and DateTime.MaxValue when it never expires", async () => {
    account().passwordExpiresAt = "2027-01-10T08:30:00Z";
    const set = await call("expiry set", "<m:GetPasswordExpirationDate/>");
    expect(set.status).toBe(200);
    expect(responseCodes(set)).toEqual(["NoError"]);
    expect(set.text).toMatch(/<m:GetPasswordExpirationDateResponse ResponseClass="Success"/);
    expect(dateOf(set.text)).toBe("2027-01-10T08:30:00Z");
    const own = await call(
      "own address named",
      `<m:GetPasswordExpirationDate><m:MailboxSmtpAddress>${DEMO.serviceAccount.logon}</m:MailboxSmtpAddress></m:GetPasswordExpirationDate>`,
    );
    expect(dateOf(own.text)).toBe("2027-01-10T08:30:00Z");
    account().passwordExpiresAt = null;
    const never = await call("never expires", "<m:GetPasswordExpirationDate/>");
    expect(responseCodes(never)).toEqual(["NoError"]);
    expect(dateOf(never.text)).toBe(NEVER_EXPIRES);
  });

  it("refuses another mailbox, an impersonated call and an account without a mailbox", async () => {
    const other = await call(
      "another mailbox",
      `<m:GetPasswordExpirationDate><m:MailboxSmtpAddress>${DEMO.user.address}</m:MailboxSmtpAddress></m:GetPasswordExpirationDate>`,
    );
    expect(responseCodes(other)).toEqual(["ErrorInvalidArgument"]);
    expect(other.text).toMatch(/ResponseClass="Error"/);
    const impersonated = await call("impersonated", "<m:GetPasswordExpirationDate/>", {
      impersonate: DEMO.user.address,
    });
    expect(responseCodes(impersonated)).toEqual(["ErrorInvalidArgument"]);
    const noMailbox = await call("no mailbox", "<m:GetPasswordExpirationDate/>", {
      auth: DEMO.serviceAccountWithoutMailbox,
    });
    expect(responseCodes(noMailbox)).toEqual(["ErrorMissingEmailAddress"]);
  });

  it("answers every call valid against Microsoft's schemas", async () => {
    if (!(await schemaValidationEnabled())) return;
    expect(answers.length).toBeGreaterThanOrEqual(6);
    expect(await validateEwsAnswers(answers)).toEqual([]);
  });
});
