import { Router } from "express";

/**
 * The privacy and terms pages the app package links to (`privacyUrl`, `termsOfUseUrl`). Plain, honest
 * text about what this self-hosted product does; the organization that runs it is the one answerable
 * for it, so the pages say that rather than promise anything on its behalf.
 */
const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${title} · Mailbox Sync</title>
<style>body{font-family:"Segoe UI",system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.5rem}</style>
</head><body><main><h1>${title}</h1>${body}</main></body></html>`;

const PRIVACY = page(
  "Privacy",
  `<p>Mailbox Sync is run by your organization on its own server. This page describes what the app keeps and why.
It is not a statement by Microsoft, and no data is sent to the makers of this software.</p>
<h2>What the app stores</h2>
<ul>
<li>For each mailbox your admins enroll: its address, display name, the profile it belongs to, its sync state, when it was last checked,
the last error, and when the sync service last synced it (with the errors it reported).</li>
<li>When you open the app with your work account, the object id of that account, so the app can show you your own status.</li>
<li>For admins: an audit log of every change (who, what, when).</li>
<li>Service account credentials are stored encrypted and are never shown or sent to the browser.</li>
</ul>
<h2>What the app does not do</h2>
<ul>
<li>It does not read your messages for its own purposes. The sync service your organization uses reaches mailboxes through it
to synchronize them with the CRM, as your organization decided.</li>
<li>It does not use advertising or tracking cookies. A signed-in local admin gets one session cookie.</li>
</ul>
<h2>Retention and questions</h2>
<p>Audit events and sync reports are kept for the period your admins set, then deleted. For access to or deletion of your data,
or any other question, contact your organization's IT help desk or privacy officer.</p>`,
);

const TERMS = page(
  "Terms of use",
  `<p>Mailbox Sync is provided to you by your organization for work use. Your organization's own IT and acceptable-use policies apply.</p>
<ul>
<li>The "Sync status" view only shows you the status of your own mailbox. Admin functions are for the people your organization named.</li>
<li>The software is provided as is, without warranty; your organization decides how it is operated and supported.</li>
<li>Questions about these terms go to your organization's IT help desk.</li>
</ul>`,
);

/** `GET /privacy` and `GET /terms`: static pages, served whether or not the client has been built. */
export function legalPagesRouter(): Router {
  const router = Router({ caseSensitive: true });
  for (const [route, html] of [
    ["/privacy", PRIVACY],
    ["/terms", TERMS],
  ] as const) {
    router.get(route, (_req, res) => {
      res.setHeader("Cache-Control", "public, max-age=3600");
      res.type("html").send(html);
    });
  }
  return router;
}
