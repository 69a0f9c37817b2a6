import type { MailboxAccessBody, MailboxAccessView } from "../../contract/mailbox-access";
import type { AccessRegistry, AnyAccessType } from "../access";
import { secretNeededAgain, secretStillBound } from "../access/secret-binding";
import type { AccessConfig } from "../access/types";
import type { Principal } from "../auth/principal";
import { AppError, badRequest, preconditionFailed } from "../errors";
import { parse } from "../http/validate";
import type { Sealer } from "../secrets/sealer";
import { isoNow as nowIso } from "../domain/clock";
import type { MailboxAccessRow } from "../store/mailbox-access-repo";
import type { StoreAccess } from "../store/unit-of-work";
import { recordAudit } from "./audit";
import type { ProfileService } from "./profiles";

/** A profile's access configuration opened for use: its module and decrypted config. */
export interface OpenedAccess {
  type: AnyAccessType;
  config: AccessConfig<unknown, unknown>;
  version: number;
}

/** Profiles whose opened configuration is kept (see MailboxAccessService.openRow). */
const OPENED_CACHE_SIZE = 1000;

/** Same stored configuration: what opening it reads is equal. */
function sameConfiguration(a: MailboxAccessRow, b: MailboxAccessRow): boolean {
  return (
    a.version === b.version &&
    a.type === b.type &&
    a.settings === b.settings &&
    a.sealedSecret === b.sealedSecret
  );
}

function frozen<T>(value: T): T {
  return value !== null && typeof value === "object" ? Object.freeze(value) : value;
}

/** ETag of a configuration version. */
export const etagOf = (version: number) => `"${version}"`;

function parseIfMatch(header: string | undefined): number | "*" | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const value = header.trim();
  if (value === "*") return "*";
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(value);
  return m ? Number(m[1]) : -1;
}

/** A stored row that can't be opened: a key missing from SECRET_KEY(_PREVIOUS), or a damaged row. The admin has to act; retrying won't help. */
function unreadable(error: unknown): AppError {
  return new AppError(
    409,
    "access_unreadable",
    `The profile's stored mailbox access can't be opened (${error instanceof Error ? error.message : String(error)}). Check SECRET_KEY and SECRET_KEY_PREVIOUS, or save the Email configuration again.`,
  );
}

/**
 * The profile's mailbox access configuration: validation per access type, sealed secrets, versions
 * (ETag / If-Match) and audit. Never returns a secret.
 */
export class MailboxAccessService {
  /**
   * Opened configurations by profile, reused while the row is the same (type, settings, sealed secret,
   * version): unsealing cost more than the rest of an EWS gateway call's own work. Any change to the row
   * (a save, a secret re-sealed by key rotation) opens it anew.
   */
  private readonly openedByProfile = new Map<string, { row: MailboxAccessRow; opened: OpenedAccess }>();

  constructor(
    private readonly store: StoreAccess,
    private readonly sealer: Sealer,
    readonly registry: AccessRegistry,
    private readonly profiles: ProfileService,
  ) {}

  private view(row: MailboxAccessRow, secret: unknown, extraWarnings: string[] = []): MailboxAccessView {
    const type = this.registry.accessTypeFor(row.type);
    const presented = type ? type.present(this.openSettings(row), secret) : {};
    const warnings = [
      ...new Set([...((presented.warnings as string[] | undefined) ?? []), ...extraWarnings]),
    ];
    return {
      ...presented,
      type: row.type,
      label: type?.label ?? row.type,
      version: row.version,
      updatedAt: row.updatedAt,
      updatedBy: row.updatedBy,
      warnings,
    } as MailboxAccessView;
  }

  private openSecret(row: MailboxAccessRow): unknown {
    try {
      return row.sealedSecret
        ? (JSON.parse(this.sealer.open(row.sealedSecret, row.profileId)) as unknown)
        : null;
    } catch (error) {
      throw unreadable(error);
    }
  }

  private openSettings(row: MailboxAccessRow): unknown {
    try {
      return JSON.parse(row.settings) as unknown;
    } catch (error) {
      throw unreadable(error);
    }
  }

  /** GET: the public view and ETag, or null until configured. */
  async get(
    principal: Principal,
    profileId: string,
  ): Promise<{ view: MailboxAccessView | null; etag: string | null }> {
    await this.profiles.authorize(principal, profileId);
    const row = await this.store.repos.mailboxAccess.find(profileId);
    if (!row) return { view: null, etag: null };
    return { view: this.view(row, this.openSecret(row)), etag: etagOf(row.version) };
  }

  /**
   * PUT: validates with the type's schema, keeps the stored secret when omitted, checks If-Match,
   * seals, audits (secrets redacted) and answers the new view and ETag.
   */
  async put(
    principal: Principal,
    profileId: string,
    body: MailboxAccessBody,
    ifMatch?: string,
  ): Promise<{ view: MailboxAccessView; etag: string; warnings: string[] }> {
    const type = this.registry.accessTypeFor(body.type);
    if (!type) {
      throw badRequest("validation_failed", `type: "${body.type}" is not available in this installation.`, [
        { path: "type", message: "not available" },
      ]);
    }
    const { type: _t, ...rest } = body;
    const input = parse(type.inputSchema, rest);
    const expected = parseIfMatch(ifMatch);
    const saved = await this.store.transaction(async (tx) => {
      await this.profiles.authorizeIn(tx, principal, profileId);
      const repo = tx.mailboxAccess;
      const before = await repo.find(profileId);
      if (expected !== undefined && expected !== "*" && expected !== before?.version) {
        throw preconditionFailed(
          "The mailbox access settings were changed by someone else. Reload them and try again.",
        );
      }
      if (expected === "*" && !before) {
        throw preconditionFailed("The mailbox access settings are not configured yet.");
      }
      let existing = before && before.type === body.type ? this.openSecret(before) : null;
      let prepared = await type.prepare(input, existing);
      let secretDropped = false;
      if (before && existing !== null && type.secretBinding && !type.suppliesSecret?.(input)) {
        const previous = type.secretBinding(this.openSettings(before));
        const next = type.secretBinding(prepared.settings);
        if (!secretStillBound(previous, next)) {
          if (next.onChange === "require") throw secretNeededAgain(next);
          const without = await type.prepare(input, null);
          secretDropped =
            JSON.stringify(without.secret) !== JSON.stringify(existing) ||
            JSON.stringify(without.settings) !== JSON.stringify(prepared.settings);
          existing = null;
          prepared = without;
          if (secretDropped) {
            prepared.warnings.push(
              `The EWS host changed to ${next.where}: the ${previous.secretName} (signed in for the previous host) was removed. Choose Connect account to sign in for the new host.`,
            );
          }
        }
      }
      const sealed =
        prepared.secret === null ? null : this.sealer.seal(JSON.stringify(prepared.secret), profileId);
      const row: MailboxAccessRow = {
        profileId,
        type: type.id,
        settings: JSON.stringify(prepared.settings),
        sealedSecret: sealed,
        version: (before?.version ?? 0) + 1,
        updatedAt: nowIso(),
        updatedBy: principal.name,
      };
      if (!(await repo.save(row, before ? before.version : null))) {
        throw preconditionFailed(
          "The mailbox access settings were changed meanwhile. Reload them and try again.",
        );
      }
      // The roster shows each mailbox's access type and protocol: a change there is a change of every mailbox.
      if (before?.type !== row.type) await tx.users.touchProfile(profileId);
      await recordAudit(tx, {
        actor: principal,
        action: "mailbox-access.update",
        profileId,
        before: before
          ? { type: before.type, settings: JSON.parse(before.settings) as unknown, version: before.version }
          : undefined,
        after: {
          type: row.type,
          settings: prepared.settings,
          version: row.version,
          secretChanged:
            before?.sealedSecret !== sealed && JSON.stringify(existing) !== JSON.stringify(prepared.secret),
          ...(secretDropped ? { secretDropped: true } : {}),
        },
      });
      return { row, secret: prepared.secret, warnings: prepared.warnings };
    });
    this.registry.deps.ews.forgetProfile(profileId);
    return {
      view: this.view(saved.row, saved.secret, saved.warnings),
      etag: etagOf(saved.row.version),
      warnings: saved.warnings,
    };
  }

  /** Opens a profile's configuration for checks and tests; undefined when not configured. */
  async open(profileId: string): Promise<OpenedAccess | undefined> {
    const row = await this.store.repos.mailboxAccess.find(profileId);
    return row ? this.openRow(row) : undefined;
  }

  /**
   * Opens a configuration row read by the caller (the EWS gateway reads it with the mailbox). The result
   * is shared by calls while the row is unchanged, so it is frozen.
   */
  openRow(row: MailboxAccessRow): OpenedAccess {
    const known = this.openedByProfile.get(row.profileId);
    if (known && sameConfiguration(known.row, row)) return known.opened;
    const type = this.registry.accessTypeFor(row.type);
    if (!type) {
      throw new AppError(
        409,
        "conflict",
        `The access type "${row.type}" is not available in this installation.`,
      );
    }
    const config = Object.freeze({
      profileId: row.profileId,
      settings: frozen(this.openSettings(row)),
      secret: frozen(this.openSecret(row)),
    });
    const opened: OpenedAccess = Object.freeze({ type, version: row.version, config });
    if (this.openedByProfile.size >= OPENED_CACHE_SIZE) {
      this.openedByProfile.delete(this.openedByProfile.keys().next().value!);
    }
    this.openedByProfile.set(row.profileId, { row: { ...row }, opened });
    return opened;
  }

  /** Like open(), but throws 412 precondition_failed when the profile has no configuration. */
  async require(profileId: string): Promise<OpenedAccess> {
    const opened = await this.open(profileId);
    if (!opened) throw preconditionFailed("Configure the profile's mailbox access (Connectivity tab) first.");
    return opened;
  }
}
