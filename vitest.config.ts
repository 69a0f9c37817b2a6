import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "server/**/*.test.ts",
      "contract/**/*.test.ts",
      "client/**/*.test.{ts,tsx}",
      "manifest/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // Most test files wait on sockets (servers, the simulator, Chromium), not the CPU: on these
    // 2-core machines the default (cores - 1 = one file at a time) leaves the CPU idle.
    maxWorkers: 3,
    // A worker runs its files one after another in one module graph instead of importing the server anew
    // for each (about 3 s a file on these machines): the whole run took 555-610 s instead of 631-690 s.
    // Test files keep no state in modules that another file reads, as far as known (each builds its own
    // server, store, simulator and clock; two full runs passed this way): an order-dependent failure
    // would point here first.
    isolate: false,
    reporters: ["default"],
  },
});
