import type { Db } from "../../db";

/**
 * The relay's daily counters (table relay_usage): requests per account and per client IP, gas
 * per relayer key. A counter moves only if it stays within its limit, in one statement, so
 * parallel requests (or replicas) cannot together pass a limit.
 */

export interface Charge {
  subject: string;
  amount: bigint;
  limit: bigint;
}

/** The UTC day a charge counts against. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Adds each charge to its counter of `day`, all or none; returns the first charge that would
 * pass its limit (nothing is added then), or null when all were added. Short: no RPC inside.
 */
export async function charge(db: Db, day: string, charges: readonly Charge[]): Promise<Charge | null> {
  try {
    await db.transaction(async (tx) => {
      for (const c of charges) {
        // A charge above its limit on its own never inserts a row (the WHERE cannot guard an insert).
        if (c.amount > c.limit) throw new LimitReached(c);
        const { rows } = await tx.query(
          `INSERT INTO relay_usage (day, subject, used) VALUES ($1, $2, $3)
           ON CONFLICT (day, subject) DO UPDATE SET used = relay_usage.used + EXCLUDED.used
           WHERE relay_usage.used + EXCLUDED.used <= $4
           RETURNING used`,
          [day, c.subject, c.amount.toString(), c.limit.toString()],
        );
        if (rows.length === 0) throw new LimitReached(c);
      }
    });
  } catch (error) {
    if (error instanceof LimitReached) return error.charge;
    throw error;
  }
  return null;
}

/** Rolls the transaction back when a charge does not fit. */
class LimitReached extends Error {
  constructor(readonly charge: Charge) {
    super(`relay limit reached: ${charge.subject}`);
  }
}
