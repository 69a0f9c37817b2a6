import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from "jose";
import { EwsFault } from "./faults";
import { child, text, type XmlNode } from "./soap";
import {
  accountMailbox,
  scopeIncludes,
  type ImpersonationScope,
  type ResolvedMailbox,
  type TenantAccount,
  type TenantIndex,
} from "./tenant";

/** The authenticated caller of one request. */
export interface Caller {
  kind: "account" | "user-token" | "app";
  /** Logon (accounts, user tokens) or app id (app-only tokens), lower case. */
  name: string;
  account?: TenantAccount;
  /** The caller's own mailbox, when it has one (and a license). */
  ownMailbox?: ResolvedMailbox;
  /** Whom the caller may impersonate. */
  impersonation: ImpersonationScope;
  /** Code for a target outside the scope. */
  outOfScopeError: "ErrorImpersonateUserDenied" | "ErrorAccessDenied";
  /** App-only tokens must name a mailbox in the ExchangeImpersonation header. */
  requiresImpersonation: boolean;
}

/** Why authentication failed; the server answers 401. */
export interface AuthFailure {
  reason: string;
}

const FULL_ACCESS_ROLE = "full_access_as_app";
const USER_SCOPE = "EWS.AccessAsUser.All";

/** Authenticates Basic and Bearer credentials against the tenant. */
export class Authenticator {
  private readonly jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(private index: TenantIndex) {}

  /** Switches to another tenant (JWKS caches are kept per URL). */
  setIndex(index: TenantIndex): void {
    this.index = index;
  }

  /** The WWW-Authenticate challenges of a 401, as Exchange's IIS sends them. */
  challenges(host: string): string[] {
    const list = ["Negotiate", "NTLM"];
    if (this.index.tenant.server.basicAuthEnabled) list.push(`Basic realm="${host}"`);
    if (this.index.tenant.oauth.issuers.length > 0) list.push('Bearer error="invalid_token"');
    return list;
  }

  /** Checks the Authorization header; resolves to the caller or an AuthFailure. */
  async authenticate(header: string | undefined): Promise<Caller | AuthFailure> {
    if (!header) return { reason: "no credentials" };
    const space = header.indexOf(" ");
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === "basic") return this.basic(value);
    if (scheme === "bearer") return this.bearer(value);
    return { reason: `unsupported scheme ${scheme}` };
  }

  private basic(value: string): Caller | AuthFailure {
    if (!this.index.tenant.server.basicAuthEnabled) return { reason: "Basic authentication is disabled" };
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { reason: "malformed Basic credentials" };
    const logon = decoded.slice(0, colon).toLowerCase();
    const account = this.index.accounts.get(logon);
    if (!account || account.disabled || account.password !== decoded.slice(colon + 1)) {
      return { reason: "wrong logon or password" };
    }
    return this.accountCaller("account", account);
  }

  private accountCaller(kind: Caller["kind"], account: TenantAccount): Caller {
    return {
      kind,
      name: account.logon,
      account,
      ownMailbox: accountMailbox(this.index, account),
      impersonation: account.impersonation,
      outOfScopeError: "ErrorImpersonateUserDenied",
      requiresImpersonation: false,
    };
  }

  private async bearer(token: string): Promise<Caller | AuthFailure> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      return { reason: "token is not a JWT" };
    }
    const issuer = this.index.tenant.oauth.issuers.find((i) => i.issuer === unverified.iss);
    if (!issuer) return { reason: `issuer ${String(unverified.iss)} is not accepted` };
    let jwks = this.jwks.get(issuer.jwksUrl);
    if (!jwks) {
      jwks = createRemoteJWKSet(new URL(issuer.jwksUrl));
      this.jwks.set(issuer.jwksUrl, jwks);
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, {
        issuer: issuer.issuer,
        audience: issuer.audiences,
      }));
    } catch (error) {
      return { reason: `token rejected: ${(error as Error).message}` };
    }
    const scopes = typeof claims.scp === "string" ? claims.scp.split(" ") : [];
    const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
    if (scopes.length > 0) {
      if (!scopes.includes(USER_SCOPE)) return { reason: `token lacks the ${USER_SCOPE} scope` };
      const upn = stringClaim(claims, "upn", "unique_name", "preferred_username").toLowerCase();
      const account = this.index.accounts.get(upn);
      if (account) return this.accountCaller("user-token", account);
      const mailbox = this.index.byUpn.get(upn) ?? this.index.byAddress.get(upn);
      if (!mailbox) return { reason: `no user ${upn}` };
      return {
        kind: "user-token",
        name: upn,
        ownMailbox: mailbox,
        impersonation: "none",
        outOfScopeError: "ErrorImpersonateUserDenied",
        requiresImpersonation: false,
      };
    }
    const appId = stringClaim(claims, "appid", "azp", "sub");
    const app = this.index.apps.get(appId);
    const fullAccess = roles.includes(FULL_ACCESS_ROLE);
    return {
      kind: "app",
      name: appId,
      impersonation: fullAccess ? (app?.scope ?? "all") : (app?.scope ?? "none"),
      outOfScopeError: app?.outOfScopeError ?? "ErrorAccessDenied",
      requiresImpersonation: true,
    };
  }
}

/** The first of the named claims that is a string, else "". */
function stringClaim(claims: JWTPayload, ...names: string[]): string {
  for (const name of names) {
    const value = claims[name];
    if (typeof value === "string") return value;
  }
  return "";
}

/** Whether a value returned by `authenticate` is a failure. */
export function isAuthFailure(x: Caller | AuthFailure): x is AuthFailure {
  return "reason" in x;
}

/**
 * Resolves the mailbox a request acts on: the impersonated one (checking rights), else the
 * caller's own (possibly none). Throws EwsFault as Exchange does.
 */
export function resolveTarget(
  index: TenantIndex,
  caller: Caller,
  header: XmlNode | undefined,
): ResolvedMailbox | undefined {
  const impersonation = child(header, "ExchangeImpersonation");
  if (!impersonation) {
    if (caller.requiresImpersonation) throw new EwsFault("ErrorInvalidExchangeImpersonationHeaderData");
    if (caller.ownMailbox && !caller.ownMailbox.ewsEnabled) throw new EwsFault("ErrorAccessDenied");
    return caller.ownMailbox;
  }
  const sid = child(impersonation, "ConnectingSID");
  const target = findConnectingMailbox(index, sid);
  if (caller.impersonation === "none") {
    throw new EwsFault(
      caller.kind === "app" ? caller.outOfScopeError : "ErrorImpersonationDenied",
      undefined,
      caller.kind === "app"
        ? undefined
        : "The server to which the application is connected cannot impersonate the requested user due to insufficient permission.",
    );
  }
  if (!scopeIncludes(caller.impersonation, target)) throw new EwsFault(caller.outOfScopeError);
  if (!target.ewsEnabled) throw new EwsFault("ErrorAccessDenied");
  return target;
}

function findConnectingMailbox(index: TenantIndex, sid: XmlNode | undefined): ResolvedMailbox {
  const invalid = (why: string) =>
    new EwsFault("ErrorInvalidExchangeImpersonationHeaderData", undefined, why);
  if (!sid) throw invalid("The impersonation header is missing the ConnectingSID element.");
  const byAddress = text(sid, "PrimarySmtpAddress") ?? text(sid, "SmtpAddress");
  if (byAddress !== undefined) {
    const address = byAddress.trim().toLowerCase();
    if (!address.includes("@")) throw invalid(`The SMTP address '${byAddress}' is not valid.`);
    const mailbox = index.byAddress.get(address);
    if (!mailbox) throw new EwsFault("ErrorNonExistentMailbox");
    if (mailbox.primarySmtpAddress !== address && index.tenant.server.aliasImpersonation === "fault") {
      throw new EwsFault("ErrorNonPrimarySmtpAddress", { Primary: mailbox.primarySmtpAddress });
    }
    return mailbox;
  }
  const upn = text(sid, "PrincipalName");
  if (upn !== undefined) {
    const mailbox = index.byUpn.get(upn.trim().toLowerCase());
    if (!mailbox) {
      throw new EwsFault(
        "ErrorNonExistentMailbox",
        undefined,
        "The impersonation principal name is invalid.",
      );
    }
    return mailbox;
  }
  const sidText = text(sid, "SID");
  if (sidText !== undefined) {
    if (!/^S-1-\d+(-\d+)+$/i.test(sidText.trim())) {
      throw invalid(`The security identifier '${sidText}' is not valid.`);
    }
    const mailbox = index.bySid.get(sidText.trim().toUpperCase());
    if (!mailbox) {
      throw new EwsFault(
        "ErrorNonExistentMailbox",
        undefined,
        "The account does not exist in Active Directory.",
      );
    }
    return mailbox;
  }
  throw invalid("The ConnectingSID element has no PrincipalName, SID, PrimarySmtpAddress or SmtpAddress.");
}
