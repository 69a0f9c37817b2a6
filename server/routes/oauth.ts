import { Router, type Response } from "express";
import { z } from "zod";
import { principalOf, requireAuth } from "../auth/middleware";
import { parseCookies } from "../auth/cookies";
import type { HttpContext } from "../http-context";
import { OAuthStartBody } from "../../contract/mailbox-access";
import { param, parse, parseBody } from "../http/validate";
import { ConnectPageError, type ConnectResult, type PopupHost } from "../services/connect-account";
import {
  confirmPage,
  POPUP_SCRIPT,
  resultMessage,
  resultPage,
  RESULT_MESSAGE_TYPE,
} from "../oauth/popup-page";

/** Binds the callback to the browser that opened the one-time URL (SameSite=Lax: the authority's redirect back is a top-level GET). */
const BINDING_COOKIE = "msa_oauth_binding";
const COOKIE_PATH = "/api/v1/oauth";

const GoQuery = z.object({ host: z.enum(["browser", "teams", "office"]).default("browser") });
const CallbackQuery = z.object({
  code: z.string().max(8192).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(4096).optional(),
});

/**
 * Connect account (OAuth impersonated logon): `POST /profiles/:id/oauth/start {expectedUpn}` → one-time
 * URL, `GET /oauth/go/:token` → a page naming the profile, the admin and the expected account, whose
 * Continue (`GET /oauth/go/:token/continue`) consumes the URL and goes to the authority, `GET /oauth/callback` → a page that closes the popup,
 * `DELETE /profiles/:id/oauth` → disconnect. The pages are for the popup, so refusals are pages too.
 */
export function oauthRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const service = ctx.services.connectAccount;
  const secure = ctx.config.secureCookies ? "; Secure" : "";

  const sendPage = (res: Response, status: number, result: ConnectResult, host: PopupHost) => {
    res.status(status);
    res.setHeader("Cache-Control", "no-store");
    // The popup must keep its opener to post the result back: no opener isolation on this page.
    res.setHeader("Cross-Origin-Opener-Policy", "unsafe-none");
    res.type("html").send(resultPage(resultMessage(result), host));
  };

  router.post("/profiles/:id/oauth/start", requireAuth, async (req, res) => {
    const body = parseBody(OAuthStartBody, req);
    const data = await service.start(principalOf(req), param(req, "id"), body.expectedUpn);
    res.setHeader("Cache-Control", "no-store");
    res.json({ data });
  });

  router.delete("/profiles/:id/oauth", requireAuth, async (req, res) => {
    await service.disconnect(principalOf(req), param(req, "id"));
    res.status(204).end();
  });

  router.get("/oauth/popup.js", (_req, res) => {
    res.type("text/javascript").setHeader("Cache-Control", "no-cache");
    res.send(POPUP_SCRIPT);
  });

  router.get("/oauth/go/:token", async (req, res) => {
    const { host } = parse(GoQuery, req.query, "query");
    try {
      const link = await service.describe(param(req, "token"));
      res.setHeader("Cache-Control", "no-store");
      res.setHeader("Cross-Origin-Opener-Policy", "unsafe-none");
      res.type("html").send(
        confirmPage({
          ...link,
          continueUrl: `/api/v1/oauth/go/${encodeURIComponent(param(req, "token"))}/continue?host=${host}`,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConnectPageError)) throw error;
      sendPage(res, error.status, { ok: false, status: error.status, failure: error.failure }, host);
    }
  });

  router.get("/oauth/go/:token/continue", async (req, res) => {
    const { host } = parse(GoQuery, req.query, "query");
    try {
      const { redirect, binding } = await service.open(param(req, "token"));
      res.setHeader(
        "Set-Cookie",
        `${BINDING_COOKIE}=${host}.${binding}; Path=${COOKIE_PATH}; Max-Age=600; HttpOnly; SameSite=Lax${secure}`,
      );
      res.setHeader("Cache-Control", "no-store");
      // The popup keeps its opener through this redirect (a COOP of same-origin here would sever it).
      res.setHeader("Cross-Origin-Opener-Policy", "unsafe-none");
      res.redirect(302, redirect);
    } catch (error) {
      if (!(error instanceof ConnectPageError)) throw error;
      sendPage(res, error.status, { ok: false, status: error.status, failure: error.failure }, host);
    }
  });

  router.get("/oauth/callback", async (req, res) => {
    const cookie = parseCookies(req.headers.cookie)[BINDING_COOKIE] ?? "";
    const dot = cookie.indexOf(".");
    const host = (
      ["browser", "teams", "office"].includes(cookie.slice(0, dot)) ? cookie.slice(0, dot) : "browser"
    ) as PopupHost;
    const binding = dot > 0 ? cookie.slice(dot + 1) : undefined;
    if (cookie) {
      res.setHeader(
        "Set-Cookie",
        `${BINDING_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax${secure}`,
      );
    }
    try {
      const q = parse(CallbackQuery, req.query, "query");
      const result = await service.complete(
        { code: q.code, state: q.state, error: q.error, errorDescription: q.error_description },
        binding,
      );
      sendPage(res, result.ok ? 200 : result.status, result, host);
    } catch (error) {
      if (!(error instanceof ConnectPageError)) throw error;
      sendPage(res, error.status, { ok: false, status: error.status, failure: error.failure }, host);
    }
  });

  return router;
}

export { RESULT_MESSAGE_TYPE };
