import { fuzzEveryRoute } from "./fuzz-routes";

fuzzEveryRoute("sqlite");
