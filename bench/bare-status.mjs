// The floor for bench/me-status-load.bench.ts: a bare Express handler answering a fixed JSON body, run
// like the server (plain Node, the production settings of scripts/server-runtime.mjs), with no auth,
// lookup, security headers or logging. `node bench/bare-status.mjs '<json>'`; prints `listening <port>`.
import express from "express";

const body = process.argv[2] ?? "{}";
const app = express();
app.get("/status", (_req, res) => {
  res.type("application/json").send(body);
});
const server = app.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
server.on("connection", (socket) => socket.setNoDelay(true));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
