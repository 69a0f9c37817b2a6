import { describe, it } from "vitest";
import { announcePostgresSkip } from "../helpers/server";
import { fuzzEveryRoute } from "./fuzz-routes";

announcePostgresSkip();
if (process.env.TEST_DATABASE_URL) fuzzEveryRoute("postgres", [0, 2]);
else {
  describe.skip("fuzzing every JSON route on postgres (TEST_DATABASE_URL is not set)", () =>
    it("skipped", () => undefined));
}
