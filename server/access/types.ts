import type { z } from "zod";
import type { AccessType, MailboxError, MailboxKind } from "../../contract/common";
import type { SecretBinding } from "./secret-binding";

/**
 * A failure mapped from whatever the wire answered (SOAP fault, HTTP status, token error, TLS, timeout)
 * to what an Exchange admin can act on. One table per protocol maps into this shape.
 */
export interface AccessFailure extends MailboxError {
  /** Worth retrying later (throttling, timeouts, 5xx); permanent errors are not retried. */
  transient: boolean;
  /**
   * Exchange's `BackOffMilliseconds` or Graph's `Retry-After`: no call for this profile (or, with
   * `backOffScope` "mailbox", for this mailbox) before it ends.
   */
  backOffMs?: number;
  /** "mailbox" when Exchange charged the busy call to the target mailbox's budget (an impersonated EWS call). */
  backOffScope?: "mailbox";
  /** The service account itself failed (wrong password, revoked grant): stop bulk work with this reason. */
  serviceAccountFailure?: boolean;
  /** The raw error as the server sent it (for the connectivity test's detail), never containing secrets. */
  raw?: string;
}

/** The outcome of checking one mailbox: impersonate it and bind Inbox and Calendar. */
export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: AccessFailure;
  /** `room` when the address is in a room list, `user` when it resolved as a plain mailbox, else null. */
  mailboxKind?: MailboxKind | null;
}

export type StepStatus = "passed" | "failed" | "warning" | "skipped";

/** One step of a connectivity test, as the Remote Connectivity Analyzer shows it. */
export interface ConnectivityStep {
  name: string;
  status: StepStatus;
  ms: number;
  detail: string;
  remediation?: string;
  /** Error code when the step failed or warned. */
  code?: string;
}

export interface ConnectivityTargets {
  /** A user to impersonate (defaults to the profile's first user). */
  targetUser?: string;
  /** A user the service account must NOT reach (app-only scoping checks). */
  outOfScopeUser?: string;
}

/** What an access type is given for one call: the profile and its decrypted configuration. */
export interface AccessConfig<Settings, Secret> {
  profileId: string;
  settings: Settings;
  /** Opened secret fields (password, token cache, client secret), or null. Never leaves the server. */
  secret: Secret | null;
}

/**
 * One Mailbox Access Type (basic impersonation, OAuth impersonation, app-only EWS, app-only Graph).
 * Nothing outside its module branches on the type.
 */
export interface MailboxAccessType<Settings = unknown, Secret = unknown, Input = unknown> {
  id: AccessType;
  /** The picklist label, e.g. "Microsoft Exchange basic authorization (EWS API) - Impersonated logon". */
  label: string;
  /** One line: which Exchange it fits. */
  hint: string;
  /** The PUT body for this type (without `type`). */
  inputSchema: z.ZodType<Input>;
  /**
   * Turns a PUT body into stored settings and secret. `existing` is the stored secret (so an omitted
   * password keeps it). Throws an AppError (400) for a bad URL or missing field. Returns warnings to show.
   */
  prepare(
    input: Input,
    existing: Secret | null,
  ): Promise<{ settings: Settings; secret: Secret | null; warnings: string[] }>;
  /**
   * Where the stored secret is bound (see secret-binding.ts): a save that keeps the secret may not change
   * it. Absent for a type without a secret.
   */
  secretBinding?(settings: Settings): SecretBinding;
  /** True when the PUT body carries a new secret (which binds to the new settings). */
  suppliesSecret?(input: Input): boolean;
  /** The public view of the configuration: never a secret (`passwordSet: true` instead). */
  present(settings: Settings, secret: Secret | null): Record<string, unknown>;
  /** The connectivity test's steps. */
  test(
    config: AccessConfig<Settings, Secret>,
    targets: ConnectivityTargets,
    signal?: AbortSignal,
  ): Promise<ConnectivityStep[]>;
  /**
   * EWS types only: where the sync service's raw EWS requests go and the Authorization header that
   * signs them in (the gateway adds impersonation). Absent for types that don't speak EWS (Graph).
   */
  ewsEndpoint?(
    config: AccessConfig<Settings, Secret>,
  ): Promise<{ ok: true; url: string; authorization: string } | { ok: false; failure: AccessFailure }>;
  /** Checks one mailbox. Never throws for what the server answered: failures are in the result. */
  check(config: AccessConfig<Settings, Secret>, address: string, signal?: AbortSignal): Promise<CheckResult>;
}
