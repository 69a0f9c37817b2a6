import type { AccessFailure } from "../domain/access-outcome";
import type { BackOffGate } from "../ews/backoff";
import type { EwsTransport } from "../ews/transport";
import { mapGraphFailure } from "./errors";

/** Outcome of one Graph call: the parsed JSON, or the mapped failure. */
export type GraphOutcome<T> =
  { ok: true; value: T; ms: number } | { ok: false; failure: AccessFailure; ms: number };

/** One room as /places/microsoft.graph.room lists it. */
export interface GraphRoom {
  emailAddress: string;
  displayName: string;
}

/**
 * Microsoft Graph (application permissions) for one profile: GETs over the shared keep-alive transport
 * (URL policy, timeouts, cancellation) behind the profile's back-off gate. A 429 announces its
 * Retry-After for the mailbox it was about (Graph's mailbox limits are per app and mailbox), or for the
 * profile when the call was about no mailbox; the Graph gateway honours the same holds.
 * @example const g = new GraphClient({ transport, gate, profileId, baseUrl, accessToken, clientId }); await g.get("/users/a@b.com/calendar");
 */
export class GraphClient {
  constructor(
    private readonly options: {
      transport: EwsTransport;
      gate: BackOffGate;
      profileId: string;
      baseUrl: string;
      accessToken: string;
      clientId: string;
    },
  ) {}

  /** GET `<base><path>`; resolves with the JSON or the mapped failure (never throws for what Graph answered). */
  async get<T>(path: string, target?: string, signal?: AbortSignal): Promise<GraphOutcome<T>> {
    const { transport, gate, profileId, baseUrl, accessToken, clientId } = this.options;
    const url = `${baseUrl}${path}`;
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      await gate.wait(profileId, target, signal);
      const answer = await transport.request({
        url,
        method: "GET",
        headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" },
        signal,
        api: "graph",
      });
      if (answer.status >= 200 && answer.status < 300) {
        return { ok: true, value: JSON.parse(answer.body) as T, ms: ms() };
      }
      const failure = mapGraphFailure({ answer }, { clientId, target, url });
      // Graph limits an app per mailbox: a 429 for one mailbox holds that mailbox (shared with the Graph
      // gateway); one for a call about no mailbox (rooms) holds the profile.
      if (failure.backOffMs) gate.announce(profileId, target, failure.backOffMs);
      return { ok: false, failure, ms: ms() };
    } catch (error) {
      return { ok: false, failure: mapGraphFailure({ error }, { clientId, target, url }), ms: ms() };
    }
  }

  /** The three reads the sync relies on: mailbox settings, the Inbox and the default calendar. */
  async readMailbox(address: string, signal?: AbortSignal): Promise<GraphOutcome<{ timeZone?: string }>> {
    const user = `/users/${encodeURIComponent(address)}`;
    let total = 0;
    const settings = await this.get<{ timeZone?: string }>(`${user}/mailboxSettings`, address, signal);
    total += settings.ms;
    if (!settings.ok) return settings;
    for (const path of [`${user}/mailFolders/inbox`, `${user}/calendar`]) {
      const r = await this.get(path, address, signal);
      total += r.ms;
      if (!r.ok) return { ...r, ms: total };
    }
    return { ok: true, value: settings.value, ms: total };
  }

  /** Every room of the tenant (follows @odata.nextLink). */
  async rooms(signal?: AbortSignal): Promise<GraphOutcome<GraphRoom[]>> {
    const out: GraphRoom[] = [];
    let path: string | undefined = "/places/microsoft.graph.room?$top=100";
    let total = 0;
    while (path) {
      const r: GraphOutcome<{ value: GraphRoom[]; "@odata.nextLink"?: string }> = await this.get(
        path,
        undefined,
        signal,
      );
      total += r.ms;
      if (!r.ok) return { ...r, ms: total };
      out.push(...r.value.value);
      const next: string | undefined = r.value["@odata.nextLink"];
      path = next ? next.slice(this.options.baseUrl.length) : undefined;
    }
    return { ok: true, value: out, ms: total };
  }
}
