// Load for bench/me-status-load.bench.ts: autocannon against one URL, each request signed by the next of
// many users' bearer tokens in turn, as side panes of many people would poll. Prints autocannon's JSON.
// `node bench/rotating-load.mjs <url> <connections> <seconds> <file with one token a line>`
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const [url, connections, seconds, tokenFile] = process.argv.slice(2);
const authorizations = readFileSync(tokenFile, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((t) => `Bearer ${t}`);
let next = 0;
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    {
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: authorizations[next++ % authorizations.length] },
      }),
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requests: result.requests,
    latency: result.latency,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
);
