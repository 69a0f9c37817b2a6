// A floor for bench/ews-gateway.bench.ts: the least a Node HTTP proxy does per call (read the request,
// forward it with the credentials over a keep-alive agent, send the answer back), with no auth, lookup,
// SOAP check, limits or logging. `node bench/bare-proxy.mjs <target EWS URL> <logon> <password>`;
// prints `listening <port>`.
import http from "node:http";

const [target, logon, password] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
const authorization = `Basic ${Buffer.from(`${logon}:${password}`).toString("base64")}`;

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const out = http.request(
      target,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": req.headers["content-type"],
          "content-length": body.length,
          authorization,
          "x-anchormailbox": req.headers["x-anchormailbox"] ?? "",
        },
      },
      (answer) => {
        const parts = [];
        answer.on("data", (c) => parts.push(c));
        answer.on("end", () => {
          const payload = Buffer.concat(parts);
          res.writeHead(answer.statusCode ?? 502, {
            "content-type": answer.headers["content-type"] ?? "text/xml",
            "content-length": payload.length,
          });
          res.end(payload);
        });
      },
    );
    out.on("error", () => {
      res.writeHead(502).end();
    });
    out.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
