import { CONNECT_ACCOUNT_MESSAGE_TYPE, type ConnectAccountMessage } from "../../contract/connect-account";
import type { ConnectResult, PopupHost } from "./connect-result";

/** The `type` of the message the result page posts to the panel (window.opener): contract/connect-account.ts. */
export const RESULT_MESSAGE_TYPE = CONNECT_ACCOUNT_MESSAGE_TYPE;

/** What the page tells the panel: never a token (contract/connect-account.ts). */
export type ResultMessage = ConnectAccountMessage;

/** The message for a result. */
export function resultMessage(result: ConnectResult): ResultMessage {
  return result.ok
    ? {
        type: RESULT_MESSAGE_TYPE,
        ok: true,
        profileId: result.profileId,
        upn: result.account.upn,
        tenantId: result.account.tenantId,
      }
    : {
        type: RESULT_MESSAGE_TYPE,
        ok: false,
        profileId: result.profileId,
        code: result.failure.code,
        message: result.failure.message,
        remediation: result.failure.remediation,
      };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON that is safe inside a `<script type="application/json">` block. */
const safeJson = (v: unknown) =>
  JSON.stringify(v).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");

const HOST_SCRIPTS: Record<PopupHost, string[]> = {
  browser: [],
  teams: ["https://res.cdn.office.net/teams-js/2.58.0/js/MicrosoftTeams.min.js"],
  office: ["https://appsforoffice.microsoft.com/lib/1/hosted/office.js"],
};

/**
 * The small page the popup ends on: it names the account that connected (so an admin who signed in as
 * themselves sees it), posts the result to the panel and closes. The JSON sits in a data block and the
 * logic in /api/v1/oauth/popup.js (same origin), so the CSP needs no inline script. teams-js and
 * Office.js are added only in those hosts; when they fail to load, the plain popup path still works.
 */
export function resultPage(message: ResultMessage, host: PopupHost): string {
  const title = message.ok ? "Account connected" : "Connect account failed";
  const body = message.ok
    ? `<p>Connected as <strong>${escapeHtml(message.upn ?? "")}</strong> (tenant ${escapeHtml(message.tenantId ?? "")}).</p><p>If this is not the service account, choose Reconnect in the panel and pick the right account.</p>`
    : `<p>${escapeHtml(message.message ?? "")}</p>${message.remediation ? `<p>${escapeHtml(message.remediation)}</p>` : ""}${message.code ? `<p><small>${escapeHtml(message.code)}</small></p>` : ""}`;
  const scripts = HOST_SCRIPTS[host].map((src) => `<script src="${src}" async></script>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title>
<style>body{font-family:"Segoe UI",system-ui,sans-serif;margin:2rem;line-height:1.4}h1{font-size:1.25rem}</style></head>
<body data-host="${host}"><h1 id="title">${title}</h1>${body}<p id="closing"></p>
<script type="application/json" id="connect-result">${safeJson(message)}</script>${scripts}<script src="/api/v1/oauth/popup.js" defer></script></body></html>`;
}

/**
 * The link's first page: the profile, the admin who asked and the account they expect, and a Continue
 * link to the authority. Whoever opens a forwarded link learns what signing in would do before doing it.
 */
export function confirmPage(link: {
  profileName: string;
  actorName: string;
  expectedUpn: string;
  continueUrl: string;
}): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Connect account</title>
<style>body{font-family:"Segoe UI",system-ui,sans-serif;margin:2rem;line-height:1.4}h1{font-size:1.25rem}a.button{display:inline-block;padding:.4rem 1rem;background:#0f6cbd;color:#fff;border-radius:4px;text-decoration:none}</style></head>
<body><h1>Connect account</h1>
<p><strong>${escapeHtml(link.actorName)}</strong> asked to connect the service account <strong>${escapeHtml(link.expectedUpn)}</strong> to the profile <strong>${escapeHtml(link.profileName)}</strong> in Mailbox Sync Admin.</p>
<p>Its sign-in will let Mailbox Sync Admin reach the profile's mailboxes as that account. Continue only if you are signing in as ${escapeHtml(link.expectedUpn)}; any other account is refused.</p>
<p><a class="button" id="continue" href="${escapeHtml(link.continueUrl)}">Continue</a></p></body></html>`;
}

/**
 * popup.js: posts the result to the opener (same origin only), then tries the host's own channel
 * (teams-js `authentication.notifySuccess`/`notifyFailure`, Office `messageParent`) and closes.
 */
export const POPUP_SCRIPT = `(function () {
  var node = document.getElementById("connect-result");
  if (!node) return;
  var message = JSON.parse(node.textContent || "{}");
  var delivered = false;
  try {
    if (window.opener && window.opener !== window) { window.opener.postMessage(message, window.location.origin); delivered = true; }
  } catch (e) {}
  var host = document.body.getAttribute("data-host");
  var finish = function () {
    var closing = document.getElementById("closing");
    if (closing) closing.textContent = delivered ? "This window closes by itself." : "You can close this window.";
    if (delivered) setTimeout(function () { window.close(); }, message.ok ? 1200 : 4000);
  };
  var waitFor = function (name, then) {
    var tries = 0;
    var timer = setInterval(function () {
      tries++;
      if (window[name]) { clearInterval(timer); then(window[name]); }
      else if (tries > 50) { clearInterval(timer); finish(); }
    }, 100);
  };
  if (host === "teams") {
    waitFor("microsoftTeams", function (teams) {
      var timeout = new Promise(function (_, reject) { setTimeout(function () { reject(new Error("timeout")); }, 3000); });
      Promise.race([teams.app.initialize(), timeout]).then(function () {
        if (message.ok) teams.authentication.notifySuccess(JSON.stringify(message)); else teams.authentication.notifyFailure(JSON.stringify(message));
        delivered = true;
      }).catch(function () {}).then(finish);
    });
  } else if (host === "office") {
    waitFor("Office", function (office) {
      office.onReady(function () {
        try { office.context.ui.messageParent(JSON.stringify(message)); delivered = true; } catch (e) {}
        finish();
      });
    });
  } else {
    finish();
  }
})();
`;
