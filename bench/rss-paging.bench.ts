/**
 * Server memory after paging 100,000 users: the real server alone in a child process (SQLite file),
 * 100,000 users added through the API (10 profiles × 10,000 pasted lines), then every page of 100 of
 * every profile read by cursor through HTTP, plus a search and a state filter per profile. Reports
 * the server's RSS now and its peak (VmHWM) against the 200 MB budget DESIGN.md sets for the server.
 * (Server RSS after the 10,000-user job is in the bulk-check module.)
 */
import { ApiClient } from "../test/helpers/server";
import { round, type BenchRow } from "./lib";
import { BENCH_ADMIN, startServerProcess } from "./server-process";

const PROFILES = 10;
const PER_PROFILE = 10_000;

export default async function run(): Promise<BenchRow[]> {
  // The server as `npm start` runs it: bundled, plain Node, the production memory settings.
  const server = await startServerProcess();
  try {
    const { url } = server;
    const idle = server.memoryMb();
    const admin = new ApiClient(url);
    await admin.signIn(BENCH_ADMIN.email, BENCH_ADMIN.password);
    const profileIds: string[] = [];
    for (let p = 0; p < PROFILES; p++) {
      const id = (await admin.post("/profiles", { name: `RSS ${p}` })).body.data.id as string;
      const text = [
        "address,displayName",
        ...Array.from(
          { length: PER_PROFILE },
          (_, i) => `user${p}.${i}@dept${p}.contoso.com,User ${i} Dept${p}`,
        ),
      ].join("\n");
      const added = await admin.post(`/profiles/${id}/users`, { text });
      if (added.body.data?.added !== PER_PROFILE) {
        throw new Error(`import: ${added.status} ${added.text.slice(0, 200)}`);
      }
      profileIds.push(id);
    }
    const afterImport = server.memoryMb();

    let pages = 0;
    let rowsRead = 0;
    const started = performance.now();
    for (const id of profileIds) {
      let cursor: string | null = null;
      do {
        const res = await admin.get(`/profiles/${id}/users?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
        if (res.status !== 200) throw new Error(`page: ${res.status} ${res.text.slice(0, 200)}`);
        rowsRead += (res.body.data as unknown[]).length;
        cursor = res.body.nextCursor as string | null;
        pages++;
      } while (cursor);
      await admin.get(`/profiles/${id}/users?limit=100&q=user1`);
      await admin.get(`/profiles/${id}/users?limit=100&state=not-activated`);
    }
    const seconds = (performance.now() - started) / 1000;
    if (rowsRead !== PROFILES * PER_PROFILE) {
      throw new Error(`paged ${rowsRead} rows, expected ${PROFILES * PER_PROFILE}`);
    }
    const afterPaging = server.memoryMb();
    const group = `server memory · sqlite · ${(PROFILES * PER_PROFILE).toLocaleString("en-US")} users`;
    return [
      { group, figure: "RSS idle after start (production build)", value: idle.rss, unit: "MB" },
      { group, figure: "RSS after adding the users through the API", value: afterImport.rss, unit: "MB" },
      {
        group,
        figure: `paging every user by cursor: ${pages} pages of 100 (HTTP)`,
        value: round(seconds),
        unit: "s",
      },
      {
        group,
        figure: "RSS after paging all users",
        value: afterPaging.rss,
        unit: "MB",
        target: "< 200 MB",
        ok: afterPaging.rss < 200,
      },
      {
        group,
        figure: "peak RSS (VmHWM) of the whole run",
        value: afterPaging.peak,
        unit: "MB",
        target: "< 200 MB",
        ok: afterPaging.peak < 200,
      },
    ];
  } finally {
    await server.stop();
  }
}
