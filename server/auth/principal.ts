/** Who is calling: a local admin (cookie session) or an Entra ID user (bearer token). */
export interface Principal {
  kind: "local" | "entra";
  /** Stable id for audit: local admin id, or the Entra object id. */
  id: string;
  /** What people read in the audit log: an e-mail or UPN. */
  name: string;
  /** May see and change everything (app role `SyncAdmin.Platform`, or any local admin). */
  platformAdmin: boolean;
  /** Entra only: user principal name, tenant and object id from the token. */
  upn?: string;
  tid?: string;
  oid?: string;
  /** Entra only: true when the token is a guest's (`acct` = 1 or an `#EXT#` UPN). */
  guest?: boolean;
  /** Local only: the session's hash, so "end my other sessions" can keep this one. */
  sessionHash?: string;
}

declare module "express-serve-static-core" {
  interface Request {
    principal?: Principal;
  }
}

/** A principal for actions the system takes itself (scheduler, job runner). */
export const SYSTEM: Principal = { kind: "local", id: "system", name: "system", platformAdmin: true };
