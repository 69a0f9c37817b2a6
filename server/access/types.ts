import type { z } from "zod";
import type { AccessType } from "../../contract/common";
import type {
  AccessFailure,
  CheckResult,
  ConnectivityStep,
  ConnectivityTargets,
} from "../domain/access-outcome";
import type { SecretBinding } from "./secret-binding";

export type {
  AccessFailure,
  CheckResult,
  ConnectivityStep,
  ConnectivityTargets,
  StepStatus,
} from "../domain/access-outcome";

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
  /**
   * Graph types only: the Graph origin the sync service's Graph calls go to (the caller adds the
   * version) and the Authorization header that signs them in. Absent for types that don't speak Graph.
   */
  graphEndpoint?(
    config: AccessConfig<Settings, Secret>,
  ): Promise<{ ok: true; origin: string; authorization: string } | { ok: false; failure: AccessFailure }>;
  /**
   * Types whose service account has a password only: when it expires, as Exchange tells it (EWS
   * GetPasswordExpirationDate, asked as the account itself); `expiresAt` null = never.
   */
  passwordExpiry?(
    config: AccessConfig<Settings, Secret>,
    signal?: AbortSignal,
  ): Promise<{ ok: true; expiresAt: string | null } | { ok: false; failure: AccessFailure }>;
  /** Checks one mailbox. Never throws for what the server answered: failures are in the result. */
  check(config: AccessConfig<Settings, Secret>, address: string, signal?: AbortSignal): Promise<CheckResult>;
}
