import type { Engine } from "../../server/db";
import { postgresSkipped } from "../../test/server/helpers/postgres";

/**
 * The engines a bench runs on: BENCH_ENGINES (comma-separated), else `fallback`; PostgreSQL is
 * left out when the run has none (SKIP_POSTGRES=1).
 */
export function enginesFromEnv(fallback: Engine[] = ["pglite", "postgres"]): Engine[] {
  const asked = (process.env.BENCH_ENGINES?.split(",") as Engine[] | undefined) ?? fallback;
  const engines = asked.filter((e) => !(e === "postgres" && postgresSkipped));
  if (engines.length === 0)
    throw new Error(`no engine to run on: BENCH_ENGINES=${asked.join(",")} with PostgreSQL skipped`);
  return engines;
}
