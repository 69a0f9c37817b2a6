/** Where the Graph gateway lives under BASE_URL; an SDK's `baseUrl` is `<BASE_URL>` + this. */
export const GRAPH_GATEWAY_PATH = "/api/v1/sync/graph";

/** The keys whose values are links back into Graph (in answers and in `$batch` sub-responses). */
const LINK = /"(@odata\.nextLink|@odata\.deltaLink|Location|location)"(\s*:\s*)"([^"\\]*)"/g;

/**
 * Rewrites links that point at Graph so they point at the gateway, and touches nothing else: a link left
 * pointing at Graph would make the SDK send the service key to Microsoft. Stateless (one origin swapped
 * for another), so a link stays valid across restarts and on every instance.
 * @example rewriteGraphLinks('{"@odata.nextLink":"https://graph.microsoft.com/v1.0/users/a/messages?$skip=10"}', "https://graph.microsoft.com", "https://sync.contoso.com/api/v1/sync/graph")
 */
export function rewriteGraphLinks(json: string, graphOrigin: string, gatewayPrefix: string): string {
  const origin = graphOrigin.toLowerCase();
  return json.replace(LINK, (whole, key: string, colon: string, link: string) => {
    const rewritten = rewriteGraphLink(link, origin, gatewayPrefix);
    return rewritten === link ? whole : `"${key}"${colon}"${rewritten}"`;
  });
}

/** One link: `<graph origin>/<rest>` → `<gateway prefix>/<rest>`; anything else unchanged. */
export function rewriteGraphLink(link: string, graphOrigin: string, gatewayPrefix: string): string {
  const origin = graphOrigin.toLowerCase();
  if (link.length > origin.length && link.slice(0, origin.length).toLowerCase() === origin) {
    const rest = link.slice(origin.length);
    if (rest.startsWith("/")) return `${gatewayPrefix}${rest}`;
  }
  return link;
}
