import { describe, expect, it } from "vitest";
import { checkAddress, checkUrl, resolveChecked, UrlPolicyError, type UrlPolicy } from "./url-policy";

const policy = (allowedHosts: string[] = [], answers: Record<string, string[]> = {}): UrlPolicy => ({
  allowedHosts,
  resolver: (host) => {
    const list = answers[host];
    if (!list) return Promise.reject(Object.assign(new Error("not found"), { code: "ENOTFOUND" }));
    return Promise.resolve(
      list.map((address) => ({ address, family: address.includes(":") ? (6 as const) : (4 as const) })),
    );
  },
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof UrlPolicyError ? e.code : `other: ${String(e)}`;
  }
  return undefined;
}

describe("URL policy", () => {
  it("accepts a public https URL", () => {
    expect(checkUrl("https://mail.contoso.com/EWS/Exchange.asmx", policy()).hostname).toBe(
      "mail.contoso.com",
    );
  });

  it.each([
    ["http to a public host", "http://mail.contoso.com/EWS/Exchange.asmx", "UrlNotHttps"],
    ["a private IPv4 literal", "https://10.1.2.3/EWS/Exchange.asmx", "UrlPrivateAddress"],
    ["loopback", "https://127.0.0.1/EWS/Exchange.asmx", "UrlPrivateAddress"],
    ["IPv6 loopback", "https://[::1]/EWS/Exchange.asmx", "UrlPrivateAddress"],
    ["IPv4-mapped IPv6 private", "https://[::ffff:192.168.1.5]/EWS/Exchange.asmx", "UrlPrivateAddress"],
    ["link-local", "https://169.254.10.10/EWS/Exchange.asmx", "UrlPrivateAddress"],
    ["the AWS/Azure/GCP metadata address", "https://169.254.169.254/latest/meta-data", "UrlMetadataAddress"],
    ["the EC2 IPv6 metadata address", "https://[fd00:ec2::254]/", "UrlMetadataAddress"],
    ["a non-http scheme", "ftp://mail.contoso.com/", "UrlInvalid"],
    ["credentials in the URL", "https://u:p@mail.contoso.com/", "UrlInvalid"],
    ["not a URL", "mail.contoso.com", "UrlInvalid"],
  ])("refuses %s", (_label, url, code) => {
    expect(codeOf(() => checkUrl(url, policy()))).toBe(code);
  });

  it("allows private addresses and http only for hosts or CIDRs in EWS_ALLOWED_HOSTS", () => {
    expect(
      codeOf(() => checkUrl("https://10.1.2.3/EWS/Exchange.asmx", policy(["10.0.0.0/8"]))),
    ).toBeUndefined();
    expect(
      codeOf(() => checkUrl("http://127.0.0.1:8080/EWS/Exchange.asmx", policy(["127.0.0.1"]))),
    ).toBeUndefined();
    expect(
      codeOf(() => checkUrl("http://exch01.corp.local/EWS/Exchange.asmx", policy(["exch01.corp.local"]))),
    ).toBeUndefined();
    expect(
      codeOf(() => checkUrl("http://exch02.corp.local/EWS/Exchange.asmx", policy(["exch01.corp.local"]))),
    ).toBe("UrlNotHttps");
  });

  it("never allows metadata addresses, even inside an allowed CIDR", () => {
    expect(codeOf(() => checkAddress("x", "169.254.169.254", policy(["169.254.0.0/16"])))).toBe(
      "UrlMetadataAddress",
    );
    expect(codeOf(() => checkUrl("http://169.254.169.254/", policy(["169.254.169.254"])))).toBe(
      "UrlMetadataAddress",
    );
  });

  it("checks what a name resolves to, every answer, and pins the first", async () => {
    const p = policy([], {
      "mail.contoso.com": ["20.1.2.3"],
      "evil.example": ["20.1.2.3", "10.0.0.5"],
      "meta.example": ["169.254.169.254"],
    });
    expect(await resolveChecked("mail.contoso.com", p)).toEqual({ address: "20.1.2.3", family: 4 });
    await expect(resolveChecked("evil.example", p)).rejects.toMatchObject({ code: "UrlPrivateAddress" });
    await expect(resolveChecked("meta.example", p)).rejects.toMatchObject({ code: "UrlMetadataAddress" });
    await expect(resolveChecked("nowhere.example", p)).rejects.toMatchObject({ code: "DnsNotFound" });
    const allowed = policy(["exch.corp.local"], { "exch.corp.local": ["10.0.0.9"] });
    expect((await resolveChecked("exch.corp.local", allowed)).address).toBe("10.0.0.9");
  });

  describe("IPv6 addresses that carry an IPv4 address get the IPv4 rules", () => {
    it.each([
      ["NAT64 (64:ff9b::/96) of 10.0.0.1", "64:ff9b::a00:1", "UrlPrivateAddress"],
      ["NAT64 in dotted form of 127.0.0.1", "64:ff9b::127.0.0.1", "UrlPrivateAddress"],
      ["NAT64 of the metadata address", "64:ff9b::a9fe:a9fe", "UrlMetadataAddress"],
      [
        "local-use NAT64 (64:ff9b:1::/48, /96 layout) of 192.168.1.1",
        "64:ff9b:1::c0a8:101",
        "UrlPrivateAddress",
      ],
      ["local-use NAT64 (/48 layout, RFC 6052) of 10.1.2.3", "64:ff9b:1:a01:2:300::", "UrlPrivateAddress"],
      ["6to4 (2002::/16) of 127.0.0.1", "2002:7f00:1::", "UrlPrivateAddress"],
      ["6to4 of the metadata address", "2002:a9fe:a9fe::1", "UrlMetadataAddress"],
      ["IPv4-compatible (::/96) of 10.0.0.1", "::a00:1", "UrlPrivateAddress"],
      ["IPv4-compatible, dotted", "::10.0.0.1", "UrlPrivateAddress"],
      ["IPv4-translated (::ffff:0:0:0/96) of 127.0.0.1", "::ffff:0:7f00:1", "UrlPrivateAddress"],
      ["IPv4-mapped in hex (::ffff:0:0/96) of 10.0.0.1", "::ffff:a00:1", "UrlPrivateAddress"],
      ["IPv4-mapped of the metadata address", "::ffff:169.254.169.254", "UrlMetadataAddress"],
    ])("refuses %s", (_label, ip, code) => {
      expect(codeOf(() => checkAddress("x", ip, policy()))).toBe(code);
      expect(codeOf(() => checkUrl(`https://[${ip}]/EWS/Exchange.asmx`, policy()))).toBe(code);
    });

    it("accepts the same formats around a public address: DNS64 puts Exchange Online in 64:ff9b::/96", () => {
      for (const ip of [
        "64:ff9b::2847:9a52",
        "64:ff9b::40.71.154.82",
        "64:ff9b:1::2847:9a52",
        "2002:2847:9a52::1",
      ]) {
        expect(
          codeOf(() => checkAddress("outlook.office365.com", ip, policy())),
          ip,
        ).toBeUndefined();
      }
    });

    it("lets EWS_ALLOWED_HOSTS allow an on-premises range reached through NAT64", () => {
      expect(
        codeOf(() => checkAddress("exch.corp.local", "64:ff9b::a00:5", policy(["10.0.0.0/8"]))),
      ).toBeUndefined();
    });
  });

  it.each([
    ["Azure WireServer", "168.63.129.16"],
    ["Alibaba Cloud metadata", "100.100.100.200"],
  ])("treats %s as a metadata address, never allowed", (_label, ip) => {
    expect(codeOf(() => checkAddress("x", ip, policy()))).toBe("UrlMetadataAddress");
    expect(codeOf(() => checkAddress("x", ip, policy([ip, "0.0.0.0/0"])))).toBe("UrlMetadataAddress");
  });

  it("treats site-local fec0::/10 as private", () => {
    expect(codeOf(() => checkAddress("x", "fec0::1", policy()))).toBe("UrlPrivateAddress");
    expect(codeOf(() => checkUrl("https://[fefe::1]/", policy()))).toBe("UrlPrivateAddress");
    expect(codeOf(() => checkAddress("x", "2001:db8::1", policy()))).toBeUndefined();
  });
});
