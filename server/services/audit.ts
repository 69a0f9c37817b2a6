import type { Principal } from "../auth/principal";
import { isoNow as nowIso } from "../domain/clock";
import type { UnitOfWork } from "../store/unit-of-work";

const SECRET_KEYS = /pass(word)?|secret|token|key|credential|certificate|cache/i;

/** Replaces every secret-looking field with "[redacted]", at any depth. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEYS.test(k) && v !== null && typeof v !== "boolean" ? "[redacted]" : redact(v),
      ]),
    );
  }
  return value;
}

export interface AuditInput {
  actor: Principal;
  action: string;
  profileId?: string | null;
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Records who changed what. Call it inside the same transaction as the change.
 * @example await recordAudit(tx, { actor, action: "profile.create", profileId: id, after: profile });
 */
export async function recordAudit(tx: UnitOfWork, input: AuditInput): Promise<void> {
  await tx.audit.insert({
    at: nowIso(),
    actor: input.actor.name,
    action: input.action,
    profileId: input.profileId ?? null,
    target: input.target ?? null,
    before: input.before === undefined ? null : JSON.stringify(redact(input.before)),
    after: input.after === undefined ? null : JSON.stringify(redact(input.after)),
  });
}
