import { z } from "zod";
import { CreateJobBody, Job, ListJobsQuery } from "./jobs";
import {
  ChangePasswordBody,
  CreateAdminBody,
  EndedSessions,
  LocalAdmin,
  LoginBody,
  LoginResult,
  Me,
  SetupBody,
} from "./auth";
import { dataOf, pageOf } from "./common";
import { AuthConfig, MeStatus, ProfileAdmins, ProfileAdminsBody } from "./me";
import { CreateProfileBody, Profile, UpdateProfileBody } from "./profiles";
import { Overview } from "./overview";
import { AuditEvent, ListAuditQuery } from "./audit";
import { AlertTestResult, Settings, UpdateSettingsBody } from "./settings";
import { EntraAppRegistration, SetupCheck } from "./install";
import {
  AddUsersBody,
  AddUsersResult,
  BulkUsersResult,
  ExportUsersQuery,
  ListUsersQuery,
  MoveUsersBody,
  User,
  UserDetail,
  UserIdsBody,
} from "./users";
import {
  CreatedServiceKey,
  CreateServiceKeyBody,
  RosterMailbox,
  RosterQuery,
  ServiceKey,
  SyncReportBody,
  SyncSession,
} from "./sync";

import {
  AccessTypeInfo,
  MailboxAccessBody,
  MailboxAccessView,
  OAuthStartBody,
  SavedMailboxAccess,
} from "./mailbox-access";
import { CreateMigrationBody, LatestMigration, Migration } from "./migrations";
import { ProblemActionBody, ProblemActionResult, Problems } from "./problems";
import {
  AutodiscoverBody,
  AutodiscoverResult,
  CheckUserResult,
  CheckUsersBody,
  ConnectivityResult,
  ConnectivityTestBody,
} from "./connectivity";
/** HTTP methods of the API, lower-cased as Express and OpenAPI spell them. */
export type Method = "get" | "post" | "put" | "patch" | "delete";

/**
 * What an endpoint answers when it is not JSON described by `response`: `no-content` a 204; `file` a
 * download (CSV, zip); `event-stream` text/event-stream; `html` a page; `redirect` a 302; `script` a
 * JavaScript file; `proxy` whatever Exchange or Graph answered, passed through.
 */
export type NonJsonAnswer = "no-content" | "file" | "event-stream" | "html" | "redirect" | "script" | "proxy";

/** One API endpoint as the OpenAPI document describes it. */
export interface Endpoint {
  method: Method;
  /** Express-style path under /api/v1, e.g. `/profiles/:id`. */
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The JSON it answers (successes are `{data}`, lists add `nextCursor`). */
  response?: z.ZodType;
  /** What it answers instead of JSON. */
  answers?: NonJsonAnswer;
  /**
   * Who may call it; server/auth/authorization.ts enforces it in front of every route and
   * test/authorization-matrix.test.ts checks it for every role: `none` anyone; `user` anyone signed in
   * (end users included); `admin` platform admins and profile admins (limited to the profile named by
   * `/profiles/:id`, `?profileId=` or a body `profileId`); `platform` platform admins only;
   * `service-key` the sync service's key (the route checks it).
   */
  auth: "none" | "admin" | "platform" | "user" | "service-key";
}

/** An entry of the table: it says what it answers, either JSON (`response`) or something else (`answers`). */
export type DeclaredEndpoint = Endpoint &
  ({ response: z.ZodType; answers?: undefined } | { response?: undefined; answers: NonJsonAnswer });

/** The Graph gateway's entry for one method (it answers what Graph answered). */
const graphGateway = <M extends Method>(method: M) =>
  ({
    method,
    path: "/sync/graph/:version/users/:mailbox/:resource",
    summary:
      "Graph gateway: Microsoft Graph's URL space for one active mailbox of a Graph app-only profile (resource = the rest of Graph's path; graph:read / graph:write by the allow table); the official Graph SDK works with baseUrl <BASE_URL>/api/v1/sync/graph. Errors in Graph's shape {error: {code, message}}",
    tag: "sync",
    answers: "proxy",
    auth: "service-key",
  }) as const;

/**
 * Every endpoint of /api/v1, each with its literal method and path (the client's calls are typed from
 * it: client/api/client.ts). Each feature appends its own entries.
 */
export const endpointTable = [
  {
    method: "post",
    path: "/auth/login",
    summary: "Sign in as a local admin (sets the session cookie)",
    tag: "auth",
    body: LoginBody,
    response: dataOf(LoginResult),
    auth: "none",
  },
  {
    method: "post",
    path: "/auth/logout",
    summary: "Sign out",
    tag: "auth",
    answers: "no-content",
    auth: "none",
  },
  { method: "get", path: "/auth/me", summary: "Who am I", tag: "auth", response: dataOf(Me), auth: "user" },
  {
    method: "post",
    path: "/auth/password",
    summary: "Change my password (ends my other sessions)",
    tag: "auth",
    body: ChangePasswordBody,
    answers: "no-content",
    auth: "platform",
  },
  {
    method: "delete",
    path: "/auth/sessions",
    summary: "End my other sessions",
    tag: "auth",
    response: dataOf(EndedSessions),
    auth: "platform",
  },
  {
    method: "post",
    path: "/setup",
    summary: "Create the first local admin with the one-time setup token",
    tag: "auth",
    body: SetupBody,
    response: dataOf(LocalAdmin),
    auth: "none",
  },
  {
    method: "get",
    path: "/admins",
    summary: "List local admins",
    tag: "admins",
    response: dataOf(z.array(LocalAdmin)),
    auth: "platform",
  },
  {
    method: "post",
    path: "/admins",
    summary: "Add a local admin",
    tag: "admins",
    body: CreateAdminBody,
    response: dataOf(LocalAdmin),
    auth: "platform",
  },
  {
    method: "delete",
    path: "/admins/:id",
    summary: "Remove a local admin",
    tag: "admins",
    answers: "no-content",
    auth: "platform",
  },
  {
    method: "get",
    path: "/profiles",
    summary: "List profiles with user counts per state",
    tag: "profiles",
    response: dataOf(z.array(Profile)),
    auth: "admin",
  },
  {
    method: "get",
    path: "/overview",
    summary:
      "Every profile the caller manages with its health: users by state, stalled, alert, deadlines, a 30-day trend from the daily rollups; totals on top",
    tag: "profiles",
    response: dataOf(Overview),
    auth: "admin",
  },
  {
    method: "post",
    path: "/profiles",
    summary: "Create a profile",
    tag: "profiles",
    body: CreateProfileBody,
    response: dataOf(Profile),
    auth: "platform",
  },
  {
    method: "get",
    path: "/profiles/:id",
    summary: "Read a profile",
    tag: "profiles",
    response: dataOf(Profile),
    auth: "admin",
  },
  {
    method: "patch",
    path: "/profiles/:id",
    summary: "Update name, description, sync enabled, max concurrent connections",
    tag: "profiles",
    body: UpdateProfileBody,
    response: dataOf(Profile),
    auth: "admin",
  },
  {
    method: "delete",
    path: "/profiles/:id",
    summary: "Delete a profile (refused while it has active users)",
    tag: "profiles",
    answers: "no-content",
    auth: "platform",
  },
  {
    method: "get",
    path: "/profiles/:id/users",
    summary:
      "List a profile's users by lower-cased address: state filter, prefix search (address or display-name word), keyset cursor",
    tag: "users",
    query: ListUsersQuery,
    response: pageOf(User),
    auth: "admin",
  },
  {
    method: "post",
    path: "/profiles/:id/users",
    summary: "Add users from pasted lines or CSV (at most 10,000 lines; all valid lines or none)",
    tag: "users",
    body: AddUsersBody,
    response: dataOf(AddUsersResult),
    auth: "admin",
  },
  {
    method: "get",
    path: "/users/:id",
    summary: "Read a user with their last 20 checks",
    tag: "users",
    response: dataOf(UserDetail),
    auth: "admin",
  },
  {
    method: "get",
    path: "/users/export.csv",
    summary: "Export users, states and last errors as CSV (one profile, or all the caller manages)",
    tag: "users",
    query: ExportUsersQuery,
    answers: "file",
    auth: "admin",
  },
  {
    method: "post",
    path: "/users/move",
    summary: "Move users to another profile (they start over as not-activated)",
    tag: "users",
    body: MoveUsersBody,
    response: dataOf(BulkUsersResult),
    auth: "admin",
  },
  {
    method: "post",
    path: "/users/remove",
    summary: "Remove users",
    tag: "users",
    body: UserIdsBody,
    response: dataOf(BulkUsersResult),
    auth: "admin",
  },
  {
    method: "post",
    path: "/users/pause",
    summary: "Pause users (sync stops; the state before is remembered)",
    tag: "users",
    body: UserIdsBody,
    response: dataOf(BulkUsersResult),
    auth: "admin",
  },
  {
    method: "post",
    path: "/users/resume",
    summary: "Resume paused users to the state they had before",
    tag: "users",
    body: UserIdsBody,
    response: dataOf(BulkUsersResult),
    auth: "admin",
  },
  {
    method: "get",
    path: "/profiles/:id/problems",
    summary:
      "A profile's failing users grouped by cause: count, first and last seen, the fix, the first users",
    tag: "problems",
    response: dataOf(Problems),
    auth: "admin",
  },
  {
    method: "get",
    path: "/problems",
    summary: "Failing users of every profile the caller administers, grouped by cause (per profile counts)",
    tag: "problems",
    response: dataOf(Problems),
    auth: "admin",
  },
  {
    method: "post",
    path: "/profiles/:id/problems/:cause/actions",
    summary:
      "A bulk action on a profile's group: recheck (a recheck-users job), pause, remove, replace-alias (audited; skips reported)",
    tag: "problems",
    body: ProblemActionBody,
    response: dataOf(ProblemActionResult),
    auth: "admin",
  },
  {
    method: "post",
    path: "/problems/:cause/actions",
    summary:
      "A bulk action on a group across every profile the caller administers (recheck: one job per profile)",
    tag: "problems",
    body: ProblemActionBody,
    response: dataOf(ProblemActionResult),
    auth: "admin",
  },
  {
    method: "get",
    path: "/settings",
    summary: "Platform settings in force (defaults from the configuration)",
    tag: "settings",
    response: dataOf(Settings),
    auth: "platform",
  },
  {
    method: "put",
    path: "/settings",
    summary: "Change platform settings (fields left out keep their value)",
    tag: "settings",
    body: UpdateSettingsBody,
    response: dataOf(Settings),
    auth: "platform",
  },
  {
    method: "get",
    path: "/audit-events",
    summary: "Audit events, newest first (profile admins: their profiles only)",
    tag: "audit",
    query: ListAuditQuery,
    response: pageOf(AuditEvent),
    auth: "admin",
  },
  {
    method: "get",
    path: "/service-keys",
    summary: "List service keys for the sync service (never the keys themselves)",
    tag: "sync",
    response: dataOf(z.array(ServiceKey)),
    auth: "platform",
  },
  {
    method: "post",
    path: "/service-keys",
    summary: "Create a service key (the key is in this response only)",
    tag: "sync",
    body: CreateServiceKeyBody,
    response: dataOf(CreatedServiceKey),
    auth: "platform",
  },
  {
    method: "delete",
    path: "/service-keys/:id",
    summary: "Revoke a service key",
    tag: "sync",
    answers: "no-content",
    auth: "platform",
  },
  {
    method: "get",
    path: "/sync/mailboxes",
    summary:
      "The roster: every mailbox ordered by (updatedAt, address); poll with updatedSince and follow nextCursor",
    tag: "sync",
    query: RosterQuery,
    response: z.object({ data: z.array(RosterMailbox), nextCursor: z.string().nullable() }),
    auth: "service-key",
  },
  {
    method: "post",
    path: "/sync/mailboxes/:address/ews",
    summary:
      "EWS gateway (ews:read / ews:write): send a SOAP request (text/xml) for one active mailbox; the operation must be one the key's scopes allow (else a SOAP fault, HTTP 500, ErrorAccessDenied), headers off the allow list are removed, the product adds the credentials, impersonation and X-AnchorMailbox and streams Exchange's response back as is",
    tag: "sync",
    answers: "proxy",
    auth: "service-key",
  },
  graphGateway("get"),
  graphGateway("post"),
  graphGateway("patch"),
  graphGateway("delete"),
  {
    method: "post",
    path: "/sync/graph/:version/$batch",
    summary: "Graph gateway: JSON batching (up to 20 requests, each checked alone; one profile per batch)",
    tag: "sync",
    answers: "proxy",
    auth: "service-key",
  },
  {
    method: "post",
    path: "/sync/mailboxes/:address/reports",
    summary: "Report a sync session's outcome for one mailbox",
    tag: "sync",
    body: SyncReportBody,
    response: dataOf(SyncSession),
    auth: "service-key",
  },
  {
    method: "get",
    path: "/setup-check",
    summary:
      "Check the install path: BASE_URL, ENTRA_* settings, the authority, the app package; what to confirm in Entra",
    tag: "install",
    response: dataOf(SetupCheck),
    auth: "platform",
  },
  {
    method: "get",
    path: "/entra-app-registration",
    summary: "The PowerShell that creates or updates the Entra app registration, and the values in use",
    tag: "install",
    response: dataOf(EntraAppRegistration),
    auth: "platform",
  },
  {
    method: "get",
    path: "/app-package",
    summary: "Download the app package (zip) to install in Teams, Outlook and Microsoft 365",
    tag: "app-package",
    answers: "file",
    auth: "platform",
  },
  {
    method: "get",
    path: "/auth/config",
    summary: "How the panel signs people in with Entra ID (public)",
    tag: "auth",
    response: dataOf(AuthConfig),
    auth: "none",
  },
  {
    method: "get",
    path: "/me/status",
    summary: "The caller's own mailbox sync status (never anyone else's)",
    tag: "me",
    response: dataOf(MeStatus),
    auth: "user",
  },
  {
    method: "get",
    path: "/profiles/:id/admins",
    summary: "Profile admins of a profile (UPNs)",
    tag: "profiles",
    response: dataOf(ProfileAdmins),
    auth: "platform",
  },
  {
    method: "put",
    path: "/profiles/:id/admins",
    summary: "Replace the profile admins of a profile",
    tag: "profiles",
    body: ProfileAdminsBody,
    response: dataOf(ProfileAdmins),
    auth: "platform",
  },
  {
    method: "post",
    path: "/profiles/:id/jobs",
    summary:
      "Start a job (activate-profile, recheck-profile, recheck-users): 202; 409 job_running with details.jobId",
    tag: "jobs",
    body: CreateJobBody,
    response: dataOf(Job),
    auth: "admin",
  },
  {
    method: "get",
    path: "/jobs",
    summary: "List jobs, newest first (optionally of one profile)",
    tag: "jobs",
    query: ListJobsQuery,
    response: z.object({ data: z.array(Job), nextCursor: z.string().nullable() }),
    auth: "admin",
  },
  {
    method: "get",
    path: "/jobs/:id",
    summary: "Read a job with its progress",
    tag: "jobs",
    response: dataOf(Job),
    auth: "admin",
  },
  {
    method: "post",
    path: "/jobs/:id/pause",
    summary: "Pause a job (in-flight checks finish; nothing new starts)",
    tag: "jobs",
    response: dataOf(Job),
    auth: "admin",
  },
  {
    method: "post",
    path: "/jobs/:id/resume",
    summary: "Resume a paused job where it stopped",
    tag: "jobs",
    response: dataOf(Job),
    auth: "admin",
  },
  {
    method: "post",
    path: "/jobs/:id/cancel",
    summary: "Cancel a job; an activation's pending users return to their earlier state",
    tag: "jobs",
    response: dataOf(Job),
    auth: "admin",
  },
  {
    method: "get",
    path: "/jobs/:id/events",
    summary:
      'Live progress as text/event-stream: "progress" (the job) and "done" events; read with fetch so a bearer token can be sent',
    tag: "jobs",
    answers: "event-stream",
    auth: "admin",
  },
  {
    method: "post",
    path: "/settings/alerts/test",
    summary: "Send a test alert card to the configured webhook",
    tag: "settings",
    response: dataOf(AlertTestResult),
    auth: "platform",
  },
  {
    method: "get",
    path: "/mailbox-access-types",
    summary: "The Mailbox Access Types this installation offers",
    tag: "mailbox-access",
    response: dataOf(z.array(AccessTypeInfo)),
    auth: "admin",
  },
  {
    method: "get",
    path: "/profiles/:id/mailbox-access",
    summary:
      "The profile's mailbox access config ({data: null} until configured; never a secret); ETag = version",
    tag: "mailbox-access",
    response: dataOf(MailboxAccessView.nullable()),
    auth: "admin",
  },
  {
    method: "put",
    path: "/profiles/:id/mailbox-access",
    summary:
      "Set the mailbox access config (password omitted = keep the stored one); If-Match optional, stale → 412; answers the new ETag",
    tag: "mailbox-access",
    body: MailboxAccessBody,
    response: SavedMailboxAccess,
    auth: "admin",
  },
  {
    method: "post",
    path: "/autodiscover",
    summary: "Find the EWS URL for an address (POX and SOAP autodiscover; every redirect re-checked)",
    tag: "mailbox-access",
    body: AutodiscoverBody,
    response: dataOf(AutodiscoverResult),
    auth: "admin",
  },
  {
    method: "post",
    path: "/profiles/:id/connectivity-tests",
    summary: "Run the connectivity test (Service Account Access) and store it as the latest (rate limited)",
    tag: "mailbox-access",
    body: ConnectivityTestBody,
    response: dataOf(ConnectivityResult),
    auth: "admin",
  },
  {
    method: "get",
    path: "/profiles/:id/connectivity-tests/latest",
    summary: "The profile's latest connectivity test, or null",
    tag: "mailbox-access",
    response: dataOf(ConnectivityResult.nullable()),
    auth: "admin",
  },
  {
    method: "post",
    path: "/profiles/:id/checks",
    summary: "Check now: impersonate up to 50 of the profile's users, bind Inbox and Calendar, store results",
    tag: "users",
    body: CheckUsersBody,
    response: dataOf(z.array(CheckUserResult)),
    auth: "admin",
  },
  {
    method: "post",
    path: "/profiles/:id/oauth/start",
    summary:
      "Connect account (OAuth impersonated logon): a one-time sign-in URL of this server (single use, 5 minutes, bound to the caller, the profile and the expected service account's UPN)",
    tag: "mailbox-access",
    body: OAuthStartBody,
    response: dataOf(z.object({ url: z.string() })),
    auth: "admin",
  },
  {
    method: "get",
    path: "/oauth/go/:token",
    summary:
      "A one-time Connect account URL's first page: names the profile, the admin who asked and the expected account, with Continue; ?host=browser|teams|office",
    tag: "mailbox-access",
    answers: "html",
    auth: "none",
  },
  {
    method: "get",
    path: "/oauth/go/:token/continue",
    summary:
      "Continue: consumes the one-time URL and redirects to the authority (prompt=select_account, PKCE)",
    tag: "mailbox-access",
    answers: "redirect",
    auth: "none",
  },
  {
    method: "get",
    path: "/oauth/callback",
    summary:
      "The authority's redirect back: exchanges the code, refuses any account but the expected UPN (ID token `upn`, audited), records the connected account, answers a page that closes the popup",
    tag: "mailbox-access",
    answers: "html",
    auth: "none",
  },
  {
    method: "get",
    path: "/oauth/popup.js",
    summary: "Script of the Connect account result page (posts the result to the panel)",
    tag: "mailbox-access",
    answers: "script",
    auth: "none",
  },
  {
    method: "delete",
    path: "/profiles/:id/oauth",
    summary: "Disconnect the OAuth service account (wipes its token cache; audited)",
    tag: "mailbox-access",
    answers: "no-content",
    auth: "admin",
  },
  {
    method: "post",
    path: "/profiles/:id/migrations",
    summary:
      "Move to Graph: start a dry run (202; a migrate-dry-run job) of the profile's EWS access moving to Graph app-only; 409 job_running",
    tag: "migrations",
    body: CreateMigrationBody,
    response: dataOf(Migration),
    auth: "admin",
  },
  {
    method: "get",
    path: "/profiles/:id/migrations/latest",
    summary: "The profile's newest move to Graph, or null",
    tag: "migrations",
    response: dataOf(LatestMigration),
    auth: "admin",
  },
  {
    method: "get",
    path: "/migrations/:id",
    summary: "A move to Graph: dry-run results by category and user, limitations, apply and roll-back state",
    tag: "migrations",
    response: dataOf(Migration),
    auth: "admin",
  },
  {
    method: "post",
    path: "/migrations/:id/apply",
    summary:
      "Apply a finished dry run: new access version (audited), states kept, roster bumped, failed users rechecked",
    tag: "migrations",
    response: dataOf(Migration),
    auth: "admin",
  },
  {
    method: "post",
    path: "/migrations/:id/rollback",
    summary: "Roll back an applied move within 30 days: the previous access (kept sealed) returns; audited",
    tag: "migrations",
    response: dataOf(Migration),
    auth: "admin",
  },
] as const satisfies readonly DeclaredEndpoint[];

/** The table as a list to walk: `GET /api/openapi.json`, the authorization in front of every route. */
export const endpoints: readonly Endpoint[] = endpointTable;
