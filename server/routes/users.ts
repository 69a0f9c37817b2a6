import { Router } from "express";
import {
  AddUsersBody,
  ExportUsersQuery,
  ListUsersQuery,
  MoveUsersBody,
  UserIdsBody,
} from "../../contract/users";
import { principalOf, requireAuth } from "../auth/middleware";
import type { HttpContext } from "../http-context";
import { param, parseBody, parseQuery } from "../http/validate";
import { userCsvHeader, usersToCsv } from "../presenters/user-csv";

/**
 * Users: `/profiles/:id/users` (list, bulk add) and `/users/...` (read, export, move, remove, pause, resume).
 * Mounted on /api/v1 itself, since its paths span two resources.
 */
export function usersRouter(ctx: HttpContext): Router {
  const router = Router({ caseSensitive: true });
  const { users } = ctx.services;

  router.get("/profiles/:id/users", requireAuth, async (req, res) => {
    const query = parseQuery(ListUsersQuery, req);
    res.json(await users.list(principalOf(req), param(req, "id"), query));
  });

  router.post("/profiles/:id/users", requireAuth, async (req, res) => {
    const body = parseBody(AddUsersBody, req);
    res.json({ data: await users.addFromPaste(principalOf(req), param(req, "id"), body.text) });
  });

  router.get("/users/export.csv", requireAuth, async (req, res) => {
    const query = parseQuery(ExportUsersQuery, req);
    const batches = users.exportRows(principalOf(req), query.profileId);
    // Authorize (first batch) before any header is sent, so a refusal is still a JSON error.
    const first = await batches.next();
    res.type("text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", 'attachment; filename="users.csv"');
    res.setHeader("Cache-Control", "no-store");
    res.write(userCsvHeader());
    if (!first.done) res.write(usersToCsv(first.value));
    for await (const rows of batches) res.write(usersToCsv(rows));
    res.end();
  });

  router.get("/users/:id", requireAuth, async (req, res) => {
    res.json({ data: await users.get(principalOf(req), param(req, "id")) });
  });

  router.post("/users/move", requireAuth, async (req, res) => {
    const body = parseBody(MoveUsersBody, req);
    res.json({ data: await users.move(principalOf(req), body.userIds, body.profileId) });
  });

  for (const action of ["remove", "pause", "resume"] as const) {
    router.post(`/users/${action}`, requireAuth, async (req, res) => {
      const body = parseBody(UserIdsBody, req);
      res.json({ data: await users[action](principalOf(req), body.userIds) });
    });
  }

  return router;
}
