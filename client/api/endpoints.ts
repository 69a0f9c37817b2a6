import type { z } from "zod";
import type { endpointTable } from "../../contract/endpoints";

/** Every entry of the contract's endpoint table, each with its literal method and path. */
type Entry = (typeof endpointTable)[number];

type KeyOf<E> = E extends { method: infer M extends string; path: infer P extends string }
  ? `${Uppercase<M>} ${P}`
  : never;

/** An endpoint as the client names it: method and path, e.g. `"GET /profiles/:id/users"`. */
export type EndpointKey = KeyOf<Entry>;

/** The contract's entry of an endpoint key. */
export type EndpointOf<K extends EndpointKey> = K extends `${infer M} ${infer P}`
  ? Extract<Entry, { method: Lowercase<M>; path: P }>
  : never;

/** The `:name` segments of a path. */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The path parameters of an endpoint, by name (each is URL-encoded into the path). */
export type ParamsOf<K extends EndpointKey> = Record<ParamNames<EndpointOf<K>["path"]>, string>;

/** The request body an endpoint takes (its schema's input type). */
export type BodyOf<K extends EndpointKey> =
  EndpointOf<K> extends { body: infer S extends z.ZodType } ? z.input<S> : never;

/** The query an endpoint takes; empty values (`undefined`, `null`, `""`) are left out of the URL. */
export type QueryOf<K extends EndpointKey> =
  EndpointOf<K> extends { query: infer S extends z.ZodType }
    ? { [F in keyof z.input<S>]?: z.input<S>[F] | null }
    : never;

/** What an endpoint answers: its JSON, `void` for a 204, or the raw Response (file, stream, page). */
export type ResponseOf<K extends EndpointKey> =
  EndpointOf<K> extends { response: infer S extends z.ZodType }
    ? z.output<S>
    : EndpointOf<K> extends { answers: "no-content" }
      ? void
      : Response;

/** Endpoints that answer JSON or nothing (204): the ones `api()` reads. */
export type JsonKey = {
  [K in EndpointKey]: ResponseOf<K> extends Response ? never : K;
}[EndpointKey];

/** Endpoints that answer `{data}`: the ones `apiData()` reads. */
export type DataKey = {
  [K in JsonKey]: ResponseOf<K> extends { data: unknown } ? K : never;
}[JsonKey];

/** Endpoints that answer a file to download. */
export type FileKey = {
  [K in EndpointKey]: EndpointOf<K> extends { answers: "file" } ? K : never;
}[EndpointKey];

/** `data` of an endpoint's `{data}` answer. */
export type DataOf<K extends DataKey> = ResponseOf<K> extends { data: infer D } ? D : never;

/** Options of one call: path parameters, body and query as the contract types them. */
export type CallOptions<K extends EndpointKey> = (ParamNames<EndpointOf<K>["path"]> extends never
  ? { params?: undefined }
  : { params: ParamsOf<K> }) &
  ([BodyOf<K>] extends [never] ? { body?: Record<string, never> } : { body: BodyOf<K> }) &
  ([QueryOf<K>] extends [never] ? { query?: undefined } : { query?: QueryOf<K> }) & {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    /** Default `same-origin` (the session cookie); `omit` when a bearer token is sent in `headers`. */
    credentials?: RequestCredentials;
    cache?: RequestCache;
  };

/** The options argument: optional when nothing in it is required. */
export type CallArgs<K extends EndpointKey> =
  Partial<CallOptions<K>> extends CallOptions<K> ? [options?: CallOptions<K>] : [options: CallOptions<K>];
