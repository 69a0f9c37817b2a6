// The static checks of `npm test` (type-check, lint, format), run side by side: each is one process
// bound to one core, and together they took the sum of their times when run one after another.
// Each one's output is printed whole when it ends; the run fails if any failed.
import { spawn } from "node:child_process";

const checks = [
  ["typecheck", "tsc", ["--noEmit", "-p", "tsconfig.json"]],
  ["lint", "eslint", ["."]],
  ["format", "prettier", ["--check", "--log-level", "warn", "."]],
];

const results = await Promise.all(
  checks.map(
    ([name, bin, args]) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(`node_modules/.bin/${bin}`, args, { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        child.stderr.on("data", (c) => (out += c));
        child.on("close", (code) => {
          const seconds = ((Date.now() - started) / 1000).toFixed(0);
          process.stdout.write(`${code === 0 ? "ok  " : "FAIL"} ${name} (${seconds} s)\n${out}`);
          resolve(code === 0);
        });
        child.on("error", (error) => {
          process.stdout.write(`FAIL ${name}: ${error.message}\n`);
          resolve(false);
        });
      }),
  ),
);
process.exit(results.every(Boolean) ? 0 : 1);
