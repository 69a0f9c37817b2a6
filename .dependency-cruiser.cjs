/**
 * The architecture rules (docs/ARCHITECTURE.md), checked by test/architecture.test.ts:
 * no cycles between files (type-only imports included), the layer arrows of docs/ARCHITECTURE.md, and
 * the query builder only in server/store. Folder-level cycles are checked by the test from this cruise.
 *
 * Files listed in an exception below are known violations still to be moved; each list says why it
 * exists. Shrink them, never grow them.
 */

/**
 * Where the store may be reached from besides server/store (its own *.test.ts and migrations included):
 * the fixture factories in test/factories, the job runner's test harness, bench and scripts.
 */
const STORE_USERS_ASIDE = [
  "^server/store/",
  "^test/factories/",
  "^server/jobs/testing/",
  "^bench/",
  "^scripts/",
];

/** Test files: `*.test.ts(x)` anywhere, and everything under test/ (helpers, fixtures' servers, e2e). */
const TESTS = ["\\.test\\.tsx?$", "^test/"];

/**
 * Known exception: test files that still reach the store's `Db` themselves (kysely, store/db.ts or
 * `store.db`). The storage suites test server/store itself on a store of their own (its repositories,
 * dialect and migrations: server/store's tests that live in test/). Every other test builds and reads its
 * rows through test/factories.
 */
const TEST_DB_EXCEPTIONS = [
  "^test/storage\\.test\\.ts$",
  "^test/user-search\\.test\\.ts$",
  "^test/pg-prepared-statements\\.test\\.ts$",
  "^test/security/rate-limit-store\\.test\\.ts$",
];

/**
 * Known exception: server code that still builds queries or holds a `Db` outside server/store. The
 * composition roots open the store and build what services take from it.
 */
const DB_OUTSIDE_STORE_EXCEPTIONS = [
  // Composition roots.
  "^server/context\\.ts$",
  "^server/server\\.ts$",
  "^server/worker\\.ts$",
];

/**
 * Known exception: server files that still reach `ctx.store.db` (checked by test/architecture.test.ts,
 * as a property access is not an import). None is left; test fixtures reach it through test/factories.
 */
const STORE_DB_EXCEPTIONS = [];

/** Kysely and the store's `Db` (node_modules may be a symlink, as in a git worktree: then it resolves outside). */
const QUERY_BUILDER = ["(^|/)node_modules/kysely/", "^server/store/db\\.ts$"];

/** One forbidden arrow between two top-level folders (from /work/shared/architecture.json's "never"). */
const never = (from, to, comment) => ({
  name: `not-${from.replace(/\W/g, "")}-to-${to.replace(/\W/g, "")}`,
  comment,
  severity: "error",
  from: { path: `^${from}`, pathNot: "\\.test\\.tsx?$" },
  to: { path: `^${to}` },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No cycle between files, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "query-builder-only-in-store",
      comment: "Kysely and the store's Db are used in server/store only (tests through factories).",
      severity: "error",
      from: {
        path: "^(server|contract|client)/",
        pathNot: [...STORE_USERS_ASIDE, ...TESTS, ...DB_OUTSIDE_STORE_EXCEPTIONS],
      },
      to: { path: QUERY_BUILDER },
    },
    {
      name: "tests-reach-the-store-through-factories",
      comment: "Tests build and read rows through test/factories, not with Kysely or the store's Db.",
      severity: "error",
      from: { path: TESTS, pathNot: [...STORE_USERS_ASIDE, ...TEST_DB_EXCEPTIONS] },
      to: { path: QUERY_BUILDER },
    },
    never("client/", "server/", "the panel knows only HTTP and the contract"),
    never("contract/", "server/", "the contract is shared by both sides"),
    never("server/routes/", "server/store/", "routes call services; SQL lives in the store"),
    {
      name: "http-layer-sees-http-context",
      comment:
        "The app, its routes and the sync API's guards take HttpContext (services, settings, readiness): never the composition root's AppContext, whose type names the store, nor the store itself.",
      severity: "error",
      from: {
        path: "^server/(routes/|app\\.ts$|http-context\\.ts$|sync/guards\\.ts$)",
        pathNot: "\\.test\\.tsx?$",
      },
      to: { path: "^server/(context\\.ts$|store/)" },
    },
    never("server/sync/", "server/routes/", "the interface sits under the routes"),
    never("server/auth/", "server/services/", "layering"),
    never("server/ews/", "server/access/", "the protocol clients sit under the access types"),
    never("server/graph/", "server/access/", "the protocol clients sit under the access types"),
    never("server/oauth/", "server/access/", "the protocol clients sit under the access types"),
    never("server/store/", "server/services/", "layering"),
    never("server/ews-simulator/", "server/services/", "the simulator is Exchange, not the product"),
    never("server/ews-simulator/", "server/store/", "the simulator is Exchange, not the product"),
    never("server/services/", "server/routes/", "layering"),
    never("server/domain/", "server/(?!domain/)", "the domain is pure: it imports only the contract"),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^node_modules", "^dist/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
    },
  },
};

// For test/architecture.test.ts; not enumerable, so dependency-cruiser's config schema doesn't see them.
for (const [name, value] of Object.entries({
  STORE_USERS_ASIDE,
  TESTS,
  STORE_DB_EXCEPTIONS,
  TEST_DB_EXCEPTIONS,
})) {
  Object.defineProperty(module.exports, name, { value, enumerable: false });
}
