import { createHash } from "node:crypto";
import { Router, type Request, type Response } from "express";
import { rateLimit, type Store } from "express-rate-limit";
import { ChangePasswordBody, LoginBody, SetupBody } from "../../contract/auth";
import { hashPassword } from "../auth/password";
import { parseCookies, SESSION_COOKIE } from "../auth/cookies";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { AppError, forbidden } from "../errors";
import { parseBody } from "../http/validate";

/** Sign-in attempts per client address, and failed ones per account, in this window. */
const SIGN_IN_WINDOW_MS = 15 * 60_000;
const SIGN_IN_PER_ADDRESS = 10;
const FAILED_SIGN_INS_PER_ACCOUNT = 10;

/** The account a sign-in names, normalised as accounts are looked up (trimmed, lower case), hashed for the key. */
function accountKeyOf(req: Request): string | undefined {
  const email: unknown = (req.body as { email?: unknown } | undefined)?.email;
  if (typeof email !== "string") return undefined;
  const normalised = email.normalize("NFKC").trim().toLowerCase();
  return createHash("sha256").update(normalised).digest("base64url");
}

function rateLimited(
  message: string,
  limit: number,
  windowMs: number,
  store: Store,
  options: Partial<Parameters<typeof rateLimit>[0]> = {},
) {
  return rateLimit({
    store,
    windowMs,
    limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    ...options,
    handler: () => {
      throw new AppError(429, "rate_limited", message);
    },
  });
}

/** /api/v1/auth and /api/v1/setup: the local admin's sign-in, password and sessions. */
export function authRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { localAdmins, profiles } = ctx.services;
  const cookieBase = `Path=/; HttpOnly; SameSite=Strict${ctx.config.secureCookies ? "; Secure" : ""}`;
  const setSession = (res: Response, token: string) =>
    res.setHeader(
      "Set-Cookie",
      `${SESSION_COOKIE}=${token}; ${cookieBase}; Max-Age=${ctx.config.session.maxHours * 3600}`,
    );
  // Counted in the store, so several instances share one limit (test/multi-instance.test.ts); so is setup's.
  const loginLimit = rateLimited(
    "Too many sign-in attempts. Wait 15 minutes and try again.",
    SIGN_IN_PER_ADDRESS,
    SIGN_IN_WINDOW_MS,
    ctx.services.rateLimits.shared("login"),
  );
  // Per account too, whatever the address: guessing one admin's password from many addresses is as slow
  // as from one. Only failures count, so the admin's own sign-ins never use it up.
  const accountLimit = rateLimited(
    "Too many failed sign-ins for this account. Wait 15 minutes and try again.",
    FAILED_SIGN_INS_PER_ACCOUNT,
    SIGN_IN_WINDOW_MS,
    ctx.services.rateLimits.shared("login-account"),
    {
      keyGenerator: (req) => accountKeyOf(req) ?? "",
      skip: (req) => accountKeyOf(req) === undefined,
      skipSuccessfulRequests: true,
    },
  );

  router.post("/auth/login", loginLimit, accountLimit, async (req, res) => {
    const body = parseBody(LoginBody, req);
    const { admin, token } = await localAdmins.signIn(
      body.email,
      body.password,
      parseCookies(req.headers.cookie)[SESSION_COOKIE],
    );
    setSession(res, token);
    req.log.info({ adminId: admin.id }, "local admin signed in");
    res.json({ data: { id: admin.id, email: admin.email } });
  });

  router.post("/auth/logout", async (req, res) => {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (token) await localAdmins.signOut(token);
    res.setHeader("Set-Cookie", `${SESSION_COOKIE}=; ${cookieBase}; Max-Age=0`);
    res.status(204).end();
  });

  router.get("/auth/me", requireAuth, async (req, res) => {
    const p = principalOf(req);
    const profileIds = (await profiles.visibleIds(p)) ?? null;
    res.json({ data: { kind: p.kind, id: p.id, name: p.name, platformAdmin: p.platformAdmin, profileIds } });
  });

  router.post("/auth/password", requireAuth, loginLimit, async (req, res) => {
    const p = principalOf(req);
    if (p.kind !== "local") throw forbidden("Your password is managed by Microsoft Entra ID.");
    const body = parseBody(ChangePasswordBody, req);
    await localAdmins.changePassword(p, body.current, body.next);
    res.status(204).end();
  });

  router.delete("/auth/sessions", requireAuth, async (req, res) => {
    res.json({ data: { ended: await localAdmins.endOtherSessions(principalOf(req)) } });
  });

  router.post(
    "/setup",
    rateLimited(
      "Too many attempts. Wait 15 minutes.",
      SIGN_IN_PER_ADDRESS,
      SIGN_IN_WINDOW_MS,
      ctx.services.rateLimits.shared("setup"),
    ),
    async (req, res) => {
      const body = parseBody(SetupBody, req);
      const { admin, token } = await localAdmins.setUp(
        body.token,
        body.email,
        await hashPassword(body.password),
      );
      setSession(res, token);
      res.status(201).json({ data: admin });
    },
  );

  return router;
}
